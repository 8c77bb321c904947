'use strict';
// The native loader, run in child processes against installed copies of the
// package: POOLMEM_BINARY alone when set, then build/Release, then the
// prebuilds that fit this machine; a load error falls through to the next
// candidate, and nothing loadable ends in ERR_POOLMEM_NO_BINARY listing each.

const path = require('node:path');
const { makeTempPackage, runNode } = require('./helpers/temp_package');

const PLATFORM = `${process.platform}-${process.arch}`;
const LIBC = require('detect-libc').familySync() || 'glibc';
const OTHER_LIBC = LIBC === 'glibc' ? 'musl' : 'glibc';
const RELEASE = 'build/Release/poolmem.node';
const TAGGED = `prebuilds/${PLATFORM}/poolmem.napi.${LIBC}.node`;
const UNTAGGED = `prebuilds/${PLATFORM}/poolmem.napi.node`;
const WRONG_LIBC = `prebuilds/${PLATFORM}/poolmem.napi.${OTHER_LIBC}.node`;

// Which .node file a require('poolmem') loaded, or the error it threw.
const PROBE = `
  try {
    const poolmem = require('poolmem');
    const native = Object.keys(require.cache).filter((f) => f.endsWith('.node'));
    console.log(JSON.stringify({ loaded: native, works: new poolmem.Arena(64).malloc(8).length }));
  } catch (e) {
    console.log(JSON.stringify({ code: e.code, name: e.name, message: e.message }));
  }`;

let temp;
afterEach(() => temp?.remove());

function probe(files, options) {
  temp = makeTempPackage(files);
  const r = runNode(temp.project, PROBE, options);
  expect([r.status, r.stderr]).toEqual([0, '']);
  const out = JSON.parse(r.stdout);
  if (out.loaded) out.loaded = out.loaded.map((f) => path.relative(temp.pkg, f));
  return out;
}

describe('loader order', () => {
  test('an installed package prefers a from-source build in build/Release over a prebuild', () => {
    expect(probe({ [RELEASE]: 'real', [TAGGED]: 'real' })).toEqual({ loaded: [RELEASE], works: 8 });
  });

  test('a build/Release that fails to load falls through to the prebuild', () => {
    expect(probe({ [RELEASE]: 'broken', [TAGGED]: 'real' })).toEqual({ loaded: [TAGGED], works: 8 });
  });

  test('a prebuild that fails to load falls through to a less specific one', () => {
    expect(probe({ [TAGGED]: 'broken', [UNTAGGED]: 'real' })).toEqual({ loaded: [UNTAGGED], works: 8 });
  });

  test(`a prebuild for the other libc (${OTHER_LIBC}) is never loaded, even when it would load`, () => {
    expect(probe({ [WRONG_LIBC]: 'real', [UNTAGGED]: 'real' })).toEqual({ loaded: [UNTAGGED], works: 8 });
    const out = probe({ [WRONG_LIBC]: 'real' });
    expect(out.code).toBe('ERR_POOLMEM_NO_BINARY');
    expect(out.message).toContain(`poolmem.napi.${OTHER_LIBC}.node: skipped, built for ${OTHER_LIBC}, this system uses ${LIBC}`);
  });

  test('on a musl system the glibc prebuild is skipped', () => {
    // Stand in for a musl machine: the libc detector answers 'musl'.
    const args = ['-r', path.join(__dirname, 'fixtures', 'pretend_musl.js')];
    const glibc = `prebuilds/${PLATFORM}/poolmem.napi.glibc.node`;
    const musl = `prebuilds/${PLATFORM}/poolmem.napi.musl.node`;
    expect(probe({ [glibc]: 'real', [musl]: 'real' }, { args })).toEqual({ loaded: [musl], works: 8 });
    const out = probe({ [glibc]: 'real' }, { args });
    expect(out.code).toBe('ERR_POOLMEM_NO_BINARY');
    expect(out.message).toContain('poolmem.napi.glibc.node: skipped, built for glibc, this system uses musl');
  });

  test('prebuilds for another platform or arch are not candidates', () => {
    const out = probe({ 'prebuilds/other-arch/poolmem.napi.node': 'real', [`prebuilds/${PLATFORM}x/poolmem.napi.node`]: 'real' });
    expect(out.code).toBe('ERR_POOLMEM_NO_BINARY');
    expect(out.message).not.toContain('other-arch');
  });
});

describe('ERR_POOLMEM_NO_BINARY', () => {
  test('names every candidate, why it failed, and the command that builds from source', () => {
    const out = probe({ [TAGGED]: 'broken', [UNTAGGED]: 'broken', [WRONG_LIBC]: 'real' });
    expect(out.code).toBe('ERR_POOLMEM_NO_BINARY');
    expect(out.name).toBe('PoolError');
    const lines = out.message.split('\n');
    expect(lines[0]).toBe(`No loadable native build of poolmem for ${PLATFORM} (${LIBC}), Node.js ${process.version}. Tried:`);
    const at = (rel) => path.join(temp.pkg, rel);
    expect(lines.slice(1, 5)).toEqual([
      `  - ${at(RELEASE)}: not found`,
      expect.stringMatching(`^  - ${escape(at(TAGGED))}: ERR_DLOPEN_FAILED: `),
      expect.stringMatching(`^  - ${escape(at(UNTAGGED))}: ERR_DLOPEN_FAILED: `),
      `  - ${at(WRONG_LIBC)}: skipped, built for ${OTHER_LIBC}, this system uses ${LIBC}`,
    ]);
    expect(lines[5]).toBe('Build it from the shipped sources (needs CMake >= 3.20 and a C++20 compiler): ' +
      `cd "${temp.pkg}" && npx --yes cmake-js@8 compile`);
    expect(lines).toHaveLength(6);
  });

  test('POOLMEM_BINARY is the only candidate when set: a missing file is not replaced by another build', () => {
    const missing = path.join(__dirname, 'no-such-dir', 'poolmem.node');
    const out = probe({ [RELEASE]: 'real', [TAGGED]: 'real' }, { env: { POOLMEM_BINARY: missing } });
    expect(out.code).toBe('ERR_POOLMEM_NO_BINARY');
    expect(out.message.split('\n')[1]).toBe(`  - ${missing}: not found`);
    expect(out.message).not.toContain(RELEASE);
  });

  test('POOLMEM_BINARY loads the named build', () => {
    temp = makeTempPackage();
    const file = require('./helpers/temp_package').REAL_BINARY;
    const r = runNode(temp.project, PROBE, { env: { POOLMEM_BINARY: file } });
    expect(JSON.parse(r.stdout)).toEqual({ loaded: [file], works: 8 });
  });
});

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
