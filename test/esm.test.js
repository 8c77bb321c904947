'use strict';
// Both entry points expose every public name, and share one addon instance.

const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..');

test('import { ... } from "poolmem" matches require("poolmem")', () => {
  const script = `
    import * as esm from 'poolmem';
    import { createRequire } from 'node:module';
    const cjs = createRequire(import.meta.url)('poolmem');
    const names = Object.keys(cjs).sort();
    const same = names.every((n) => esm[n] === cjs[n]);
    const { Arena } = esm;
    const a = new Arena(64);
    console.log(JSON.stringify({ names, same, isBuffer: Buffer.isBuffer(a.malloc(8)), hasDefault: esm.default === cjs }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  const result = JSON.parse(out);
  expect(result.same).toBe(true);
  expect(result.isBuffer).toBe(true);
  expect(result.hasDefault).toBe(true);
  expect(result.names).toEqual(Object.keys(require('..')).sort());
  const esmSource = require('node:fs').readFileSync(path.join(ROOT, 'lib', 'index.mjs'), 'utf8');
  for (const name of result.names) expect(esmSource).toContain(name);
});

test('binding.d.ts declares every runtime export', () => {
  const dts = require('node:fs').readFileSync(path.join(ROOT, 'binding.d.ts'), 'utf8');
  for (const name of Object.keys(require('..'))) {
    expect([name, new RegExp(`export (declare )?(class|const|function|abstract class) ${name}\\b`).test(dts)]).toEqual([name, true]);
  }
});

test('the README first example runs and prints what it says', () => {
  const out = execFileSync(process.execPath, [path.join(ROOT, 'examples', 'first-arena.js')], { encoding: 'utf8' });
  expect(out).toBe('51966\nERR_POOLMEM_DOUBLE_FREE\n0\n');
  const readme = require('node:fs').readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  expect(readme).toContain("arena.free(buf.subarray(4));                   // give back the tail you did not need");
});

describe('a failed load in ESM', () => {
  const { makeTempPackage, runNode } = require('./helpers/temp_package');
  let temp;
  afterEach(() => temp?.remove());

  test('import("poolmem") with no loadable binary rejects with ERR_POOLMEM_NO_BINARY and the process goes on', () => {
    temp = makeTempPackage({ 'build/Release/poolmem.node': 'broken' });
    // One import only: on Node 20 a second import() of the same module hides
    // the unhandled rejection that kills the process after the first.
    const script = `
      try { await import('poolmem'); console.log('loaded'); }
      catch (e) { console.log(e.code); }
      await new Promise((resolve) => setTimeout(resolve, 20));
      console.log('still running');`;
    const r = runNode(temp.project, script, { esm: true });
    expect(r).toEqual({ status: 0, stdout: 'ERR_POOLMEM_NO_BINARY\nstill running', stderr: '' });
  });
});
