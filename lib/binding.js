'use strict';
// Loads the native addon. POOLMEM_BINARY names a file explicitly (sanitizer
// builds). A development checkout prefers its fresh build/Release; an
// installed package prefers its bundled prebuilds/<platform>-<arch>/.

const fs = require('node:fs');
const path = require('node:path');
const { codes } = require('./errors');

const ROOT = path.join(__dirname, '..');
const NAPI_VERSION = 8;

function candidates() {
  const prebuilt = path.join(ROOT, 'prebuilds', `${process.platform}-${process.arch}`, 'poolmem.napi.glibc.node');
  const local = path.join(ROOT, 'build', 'Release', 'poolmem.node');
  if (process.env.POOLMEM_BINARY) return [path.resolve(process.env.POOLMEM_BINARY)];
  const devCheckout = fs.existsSync(path.join(ROOT, '.git'));
  return devCheckout ? [local, prebuilt] : [prebuilt, local];
}

function load() {
  const napi = Number(process.versions.napi);
  if (!(napi >= NAPI_VERSION)) {
    throw codes.ERR_POOLMEM_NO_BINARY(
      `poolmem needs Node-API ${NAPI_VERSION}; this Node.js (${process.version}) has ${process.versions.napi}`);
  }
  const tried = candidates();
  for (const file of tried) {
    if (fs.existsSync(file)) return require(file);
  }
  throw codes.ERR_POOLMEM_NO_BINARY(
    `No native build of poolmem was found for ${process.platform}-${process.arch} (looked in ${tried.join(', ')}). ` +
      'Build it from the shipped sources (needs CMake and a C++20 compiler): ' +
      '`npm explore poolmem -- npx --yes cmake-js@8 compile`, or `npm run build` in a clone.');
}

module.exports = load();
