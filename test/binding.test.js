'use strict';
// The native loader: an explicit POOLMEM_BINARY wins, and a missing binary
// fails with ERR_POOLMEM_NO_BINARY and says how to build one.

const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..');

function loadWith(env) {
  const script = `
    try { require(${JSON.stringify(ROOT)}); console.log('loaded'); }
    catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
  const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return r.stdout.trim();
}

test('a missing binary fails with ERR_POOLMEM_NO_BINARY and names the build command', () => {
  const out = JSON.parse(loadWith({ POOLMEM_BINARY: path.join(ROOT, 'no-such-dir', 'poolmem.node') }));
  expect(out.code).toBe('ERR_POOLMEM_NO_BINARY');
  expect(out.message).toContain('no-such-dir');
  expect(out.message).toContain('npx --yes cmake-js@8 compile');
});

test('POOLMEM_BINARY loads the named build', () => {
  const built = require('../lib/binding');
  expect(typeof built.ArenaHandle).toBe('function');
  const file = process.env.POOLMEM_BINARY || path.join(ROOT, 'build', 'Release', 'poolmem.node');
  expect(loadWith({ POOLMEM_BINARY: file })).toBe('loaded');
});
