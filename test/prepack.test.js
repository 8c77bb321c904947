'use strict';
// scripts/prepack.js: packing needs a prebuilt binary for this platform, and
// every ELF binary stripped; it writes nothing to stdout, so `npm pack --json`
// stays valid JSON.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');
const { REAL_BINARY } = require('./helpers/temp_package');

const PREPACK = path.join(__dirname, '..', 'scripts', 'prepack.js');
const HOST = `${process.platform}-${process.arch}`;

let root;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'poolmem-prepack-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function addBinary(rel, { stripped }) {
  const file = path.join(root, 'prebuilds', rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.copyFileSync(REAL_BINARY, file);
  if (stripped) execFileSync('strip', ['--strip-unneeded', file]);
}

function prepack() {
  const r = spawnSync(process.execPath, [PREPACK, root], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const onLinux = process.platform === 'linux' ? test : test.skip;

onLinux('passes with a stripped binary for this platform, printing nothing to stdout', () => {
  addBinary(`${HOST}/poolmem.napi.glibc.node`, { stripped: true });
  const r = prepack();
  expect(r).toMatchObject({ status: 0, stdout: '' });
  expect(r.stderr).toContain(`prebuilds/${HOST}/poolmem.napi.glibc.node`);
});

test('refuses to pack without a binary for this platform and arch', () => {
  const r = prepack();
  expect(r).toMatchObject({ status: 1, stdout: '' });
  expect(r.stderr).toContain(`no prebuilt binary for ${HOST} in prebuilds/: run \`npm run prebuild\` first`);
});

onLinux('refuses an ELF binary that still has its symbol table', () => {
  addBinary(`${HOST}/poolmem.napi.glibc.node`, { stripped: true });
  addBinary('linux-arm64/poolmem.napi.glibc.node', { stripped: false });
  const r = prepack();
  expect(r).toMatchObject({ status: 1, stdout: '' });
  expect(r.stderr).toContain('prebuilds/linux-arm64/poolmem.napi.glibc.node is not stripped');
  expect(r.stderr).not.toContain(`${HOST}/poolmem.napi.glibc.node is not stripped`);
});
