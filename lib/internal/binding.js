'use strict';
// Loads the native addon. Candidates, in order: POOLMEM_BINARY alone when set;
// else a from-source build in build/Release (it always wins), then the
// prebuilt binaries in prebuilds/<platform>-<arch>/ whose tags fit this
// machine. A candidate that is missing or fails to load is recorded and the
// next one is tried; when none loads, ERR_POOLMEM_NO_BINARY lists them all.
// Why this order, and why not node-gyp-build: docs/design.md, Packaging.

const fs = require('node:fs');
const path = require('node:path');
const detectLibc = require('detect-libc');
const { codes } = require('./errors');

const ROOT = path.join(__dirname, '..', '..');
const NAPI_VERSION = 8;
const BUILD_COMMAND = `cd "${ROOT}" && npx --yes cmake-js@8 compile`;

// ---- which prebuilt binaries fit this machine ---------------------------------
// File names follow node-gyp-build's convention: `<name>.<tag>.<tag>.node`,
// where a tag is `napi`, `abi<N>`, `uv<N>`, `armv<N>`, `glibc` or `musl`, and
// any other part (the package name) is ignored.

function machineLibc() {
  if (process.platform !== 'linux') return null;
  // The libc the running node uses (its ELF interpreter, /usr/bin/ldd, or
  // process.report), so a musl system never takes a glibc binary.
  return detectLibc.familySync() || detectLibc.GLIBC;
}

function parseTags(file) {
  const parts = file.split('.');
  if (parts.length < 2 || parts.pop() !== 'node') return null;
  const tags = { file, specificity: 0 };
  for (const part of parts) {
    if (part === 'napi') tags.napi = true;
    else if (part === 'glibc' || part === 'musl') tags.libc = part;
    else if (/^abi\d+$/.test(part)) tags.abi = part.slice(3);
    else if (/^uv\d+$/.test(part)) tags.uv = part.slice(2);
    else if (/^armv\d+$/.test(part)) tags.armv = part.slice(4);
    else continue;
    tags.specificity++;
  }
  return tags;
}

// Why a prebuilt file cannot serve this process, or null when it can.
function mismatch(tags, libc) {
  if (tags.abi !== undefined && !tags.napi && tags.abi !== process.versions.modules) {
    return `built for Node ABI ${tags.abi}, this Node.js has ${process.versions.modules}`;
  }
  if (tags.uv !== undefined && tags.uv !== process.versions.uv.split('.')[0]) return `built for libuv ${tags.uv}`;
  const armv = process.arch === 'arm64' ? '8' : String(process.config.variables.arm_version ?? '');
  if (tags.armv !== undefined && tags.armv !== armv) return `built for armv${tags.armv}`;
  if (tags.libc !== undefined && tags.libc !== libc) {
    return `built for ${tags.libc}, ${libc ? `this system uses ${libc}` : `${process.platform} has no libc tag`}`;
  }
  return null;
}

function readdir(dir) {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

// Folders named `<platform>-<arch>[+<arch>...]` that include this arch;
// single-arch folders first.
function prebuildFolders() {
  const base = path.join(ROOT, 'prebuilds');
  return readdir(base)
    .map((name) => ({ name, parts: name.split('-') }))
    .filter(({ parts }) => parts.length === 2 && parts[0] === process.platform && parts[1].split('+').includes(process.arch))
    .sort((a, b) => a.parts[1].split('+').length - b.parts[1].split('+').length)
    .map(({ name }) => path.join(base, name));
}

// [{ file, skip }] for every .node file in the fitting folders: the fitting
// ones most specific first (a libc-tagged build before an untagged one), then
// the misfits with the reason.
function prebuildCandidates() {
  const libc = machineLibc();
  const fits = [];
  const misfits = [];
  for (const folder of prebuildFolders()) {
    const files = readdir(folder).map(parseTags).filter(Boolean);
    files.sort((a, b) => b.specificity - a.specificity || (a.file < b.file ? -1 : 1));
    for (const tags of files) {
      const skip = mismatch(tags, libc);
      (skip ? misfits : fits).push({ file: path.join(folder, tags.file), skip });
    }
  }
  return [...fits, ...misfits];
}

function candidates() {
  // An explicit choice (a sanitizer build, say) is never silently replaced.
  if (process.env.POOLMEM_BINARY) return [{ file: path.resolve(process.env.POOLMEM_BINARY), skip: null }];
  return [{ file: path.join(ROOT, 'build', 'Release', 'poolmem.node'), skip: null }, ...prebuildCandidates()];
}

// ---- loading ------------------------------------------------------------------

function reasonOf(err) {
  const first = String(err && err.message).split('\n')[0];
  return err && err.code ? `${err.code}: ${first}` : first;
}

function load() {
  const napi = Number(process.versions.napi);
  if (!(napi >= NAPI_VERSION)) {
    throw codes.ERR_POOLMEM_NO_BINARY(
      `poolmem needs Node-API ${NAPI_VERSION}; this Node.js (${process.version}) has ${process.versions.napi}`);
  }
  const tried = [];
  for (const { file, skip } of candidates()) {
    if (skip) {
      tried.push(`${file}: skipped, ${skip}`);
    } else if (!fs.existsSync(file)) {
      tried.push(`${file}: not found`);
    } else {
      try {
        return require(file);
      } catch (err) {
        tried.push(`${file}: ${reasonOf(err)}`);
      }
    }
  }
  const libc = machineLibc();
  const target = `${process.platform}-${process.arch}${libc ? ` (${libc})` : ''}, Node.js ${process.version}`;
  throw codes.ERR_POOLMEM_NO_BINARY(
    `No loadable native build of poolmem for ${target}. Tried:\n${tried.map((line) => `  - ${line}`).join('\n')}\n` +
      `Build it from the shipped sources (needs CMake >= 3.20 and a C++20 compiler): ${BUILD_COMMAND}`);
}

module.exports = load();
