'use strict';
// A caller may replace any built-in after poolmem loads: Math.floor,
// Map.prototype.get, Array.prototype.push and the array iterator, a global
// constructor, a %TypedArray%.prototype getter. None of that runs inside a
// pool call (nor a FrameReader or transferableCopy call): the pools use the built-ins captured at load
// (lib/internal/intrinsics.js). The one hook that does run is
// Error.prepareStackTrace, which Node calls for every stack it formats: a pool
// formats one only to build an error it throws (having changed nothing) and,
// in leakDetection 'paranoid', to record where an allocation was made.
// The workloads run in a child process (test/fixtures/patched_builtins.js):
// patching this realm would patch Jest too.

const path = require('node:path');
const { runChildNode } = require('./helpers/child_env');

const ROOT = path.join(__dirname, '..');
const FIXTURE = path.join(__dirname, 'fixtures', 'patched_builtins.js');

function run(args, timeout = 120000) {
  return JSON.parse(runChildNode(['--expose-gc', ...args], { timeout }));
}

const GROUPS = [
  ['scalable', 'scalable-disabled', 'scalable-paranoid', 'scalable-safe'],
  ['arena', 'arena-safe', 'arena-avl', 'arena-buddy', 'arena-first-fit'],
  ['bytepool', 'bytepool-safe', 'bytepool-paranoid'],
  ['process', 'arena-pool', 'object-pool', 'range-allocator', 'frame-reader', 'transferable', 'leaks'],
];

describe('built-ins replaced after load never run inside a pool call', () => {
  test.each(GROUPS.map((g) => [g.join(', '), g]))('%s', (_, workloads) => {
    expect(run([FIXTURE, ROOT, ...workloads])).toEqual([]);
  }, 120000);
});

// Under --zero-fill-buffers every pool zero-fills what it hands out: that too
// with the captured built-ins.
test('with --zero-fill-buffers too', () => {
  expect(run(['--zero-fill-buffers', FIXTURE, ROOT, 'scalable', 'arena', 'bytepool', 'process', 'frame-reader']))
    .toEqual([]);
}, 120000);

// Defines overlaps(a, b) in a child: whether two views share a byte.
const OVERLAPS = `const overlaps = (a, b) => a.buffer === b.buffer &&
  a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length;`;

// A setter at a numbered key of Array.prototype used to run when a pool grew
// one of its own arrays (a new chunk or slab), and re-entering the pool from
// there handed the same bytes to two owners: the outer ScalableAllocator
// malloc read the inner one's offset from the shared scratch, a borrow lent
// bytes the inner malloc held, and BytePool made two slabs at one index.
describe('a setter on Array.prototype[n] that would re-enter the pool', () => {
  test.each([
    ['ScalableAllocator malloc', 'new ScalableAllocator({ chunkSize: 4096, leakDetection: "disabled" })', 'malloc(3000)', 4000],
    ['ScalableAllocator borrow', 'new ScalableAllocator({ chunkSize: 4096, leakDetection: "disabled" })', 'borrow(3000)', 4000],
    ['BytePool get', 'new BytePool()', 'get(100)', 0],
  ])('%s: never runs, and no two buffers share bytes', (_, make, op, first) => {
    const out = run(['-e', `
      const { BytePool, ScalableAllocator } = require(${JSON.stringify(ROOT)});
      const pool = ${make};
      const held = ${first} > 0 ? [pool.malloc(${first})] : [];
      let reentered = false;
      for (let i = 0; i < 1024; i++) {
        Object.defineProperty(Array.prototype, i, {
          configurable: true,
          set(v) {
            Object.defineProperty(this, i, { value: v, writable: true, enumerable: true, configurable: true });
            if (!reentered) { reentered = true; held.push(pool.${op.startsWith('get') ? 'get(100)' : 'malloc(3000)'}); }
          },
        });
      }
      const got = pool.${op};
      for (let i = 0; i < 1024; i++) delete Array.prototype[i];
      ${OVERLAPS}
      const overlap = held.some((b) => overlaps(b, got));
      process.stdout.write(JSON.stringify({ reentered, overlap }));
    `]);
    expect(out).toEqual({ reentered: false, overlap: false });
  });
});

// An accessor on Object.prototype named like a pool's own field used to take
// the field's place: an internal object's first assignment to the field (in
// its constructor) ran the setter, and every read answered the getter. One
// named \`parked\`, answering 0, made two ScalableAllocator mallocs return the
// same bytes. Internal objects now inherit nothing (options left out read no
// Object.prototype key either).
describe('an accessor on Object.prototype named like a pool field', () => {
  const NAMES = ['parked', 'freeTop', 'head', 'count', 'offset', 'state', 'gen', 'closed', 'maxSize', 'safe', 'code'];
  test.each([
    ['ScalableAllocator', 'new ScalableAllocator()', (p) => `${p}.malloc(100)`, (p, b) => `${p}.free(${b})`],
    ['Arena', 'new Arena(1 << 20)', (p) => `${p}.malloc(100)`, (p, b) => `${p}.free(${b})`],
    ['BytePool', 'new BytePool()', (p) => `${p}.get(100)`, (p, b) => `${p}.put(${b})`],
    ['alloc', 'null', () => 'alloc(100)', (_, b) => `free(${b})`],
  ])('%s: no two buffers share bytes, and nothing throws', (_, make, get, put) => {
    const out = run(['-e', `
      const { Arena, BytePool, ScalableAllocator, alloc, free } = require(${JSON.stringify(ROOT)});
      for (const name of ${JSON.stringify(NAMES)}) {
        Object.defineProperty(Object.prototype, name, { configurable: true, get() { return 0; }, set(v) {} });
      }
      const result = { overlap: false, error: null };
      try {
        const pool = ${make};
        const held = [];
        for (let i = 0; i < 8; i++) held.push(${get('pool')});
        ${put('pool', 'held[3]')};
        ${put('pool', 'held[5]')};
        held.splice(5, 1);
        held.splice(3, 1);
        for (let i = 0; i < 4; i++) held.push(${get('pool')});
        ${OVERLAPS}
        result.overlap = held.some((a) => held.some((b) => a !== b && overlaps(a, b)));
        for (const b of held) ${put('pool', 'b')};
      } catch (err) {
        result.error = String(err.code ?? err.message);
      }
      process.stdout.write(JSON.stringify(result));
    `]);
    expect(out).toEqual({ overlap: false, error: null });
  });
});

// POOLMEM_SAFE is read from the environment when a pool's options leave
// \`safe\` out: an own variable only, never one inherited from Object.prototype.
test('an Object.prototype.POOLMEM_SAFE accessor does not switch safe mode', () => {
  const out = run(['-e', `
    delete process.env.POOLMEM_SAFE;
    const { Arena, BytePool, ScalableAllocator } = require(${JSON.stringify(ROOT)});
    Object.defineProperty(Object.prototype, 'POOLMEM_SAFE', { configurable: true, get() { return '1'; } });
    const pools = [new Arena(4096), new BytePool(), new ScalableAllocator()];
    process.stdout.write(JSON.stringify(pools.map((p) => p.safe)));
  `]);
  expect(out).toEqual([false, false, false]);
});

describe("leakDetection 'paranoid' formats its allocation site first", () => {
  test('an Error.prepareStackTrace that closes the allocator makes that malloc throw ERR_POOLMEM_CLOSED', () => {
    const out = run(['-e', `
      const { ScalableAllocator } = require(${JSON.stringify(ROOT)});
      const result = {};
      for (const via of ['malloc', 'nextN']) {
        const a = new ScalableAllocator({ leakDetection: 'paranoid' });
        const rm = a.recyclable();
        let closes = 1;
        Error.prepareStackTrace = (err, frames) => {
          if (closes-- > 0) a.close();
          return 'stack';
        };
        try {
          const b = via === 'malloc' ? a.malloc(64) : rm.nextN(64);
          result[via] = 'returned ' + b.length + ' bytes';
        } catch (err) {
          result[via] = err.code;
        }
        Error.prepareStackTrace = undefined;
      }
      process.stdout.write(JSON.stringify(result));
    `]);
    expect(out).toEqual({ malloc: 'ERR_POOLMEM_CLOSED', nextN: 'ERR_POOLMEM_CLOSED' });
  });
});

describe('leak reports run after the pool call that found the leak', () => {
  test('a process.emitWarning that closes the pool runs after that get() or malloc() returned', () => {
    const out = run(['-e', `
      const { BytePool, ScalableAllocator } = require(${JSON.stringify(ROOT)});
      const settle = async () => {
        for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
      };
      (async () => {
        const result = {};
        const pools = {
          'BytePool (safe)': [new BytePool(undefined, { safe: true }), (p) => p.get(100)],
          "ScalableAllocator ('paranoid')": [new ScalableAllocator({ leakDetection: 'paranoid' }), (p) => p.malloc(100)],
        };
        for (const [name, [pool, take]] of Object.entries(pools)) {
          take(pool); // dropped: found by the next call (safe: its drain; paranoid: its leak drain)
          await settle();
          const emit = process.emitWarning;
          let warnings = 0;
          process.emitWarning = () => { warnings++; pool.close(); };
          const b = take(pool);
          const during = { length: b.length, closed: pool.closed, warnings };
          await new Promise((r) => process.nextTick(r));
          process.emitWarning = emit;
          result[name] = { during, after: { closed: pool.closed, warnings } };
        }
        process.stdout.write(JSON.stringify(result));
      })();
    `]);
    const expected = { during: { length: 100, closed: false, warnings: 0 }, after: { closed: true, warnings: 1 } };
    expect(out).toEqual({ 'BytePool (safe)': expected, "ScalableAllocator ('paranoid')": expected });
  });
});
