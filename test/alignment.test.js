'use strict';
// Every buffer from every pool, strategy and mode starts on an aligned
// address, as Node's own pool aligns to 8: after mixed sizes, whole frees and
// partial frees of arbitrary sub-ranges. Fast-mode offsets are checked
// against the chunk (mapped page-aligned); for every mode the address itself
// is probed through Node's UTF-16 lastIndexOf, which misses a match on an odd
// address (nodejs/node#65959). Plus the `alignment` option.

const { Arena, ArenaPool, RangeAllocator, ScalableAllocator, STRATEGIES } = require('../lib');
const { expectCode } = require('./helpers/expect_error');
const { sources } = require('./helpers/pools');
const { seededRandom } = require('./helpers/random');

// True when the buffer's first byte sits on an even address: Node's UTF-16
// lastIndexOf finds a match at the end only then.
function evenAddress(buf) {
  if (buf.length < 16) return true;
  const probe = buf.subarray(0, 16);
  probe.write('hello world, hi!', 'latin1');
  const copy = Buffer.from(probe);
  copy.fill(0);
  copy.write('abcdefgo', 'ucs2');
  probe.set(copy);
  return probe.lastIndexOf('o', undefined, 'ucs2') === 14;
}

describe.each(sources().map((s) => [s.name, s]))('%s', (_, source) => {
  test(`every buffer starts on a multiple of ${source.align} bytes, after partial frees too`, () => {
    const pool = source.open();
    const rnd = seededRandom(source.name.length * 7919).between;
    const live = [];
    const misaligned = [];
    try {
      for (let step = 0; step < 400; step++) {
        if (live.length === 0 || rnd(0, 9) < 6) {
          const n = rnd(0, 3) === 0 ? rnd(1, 3000) : rnd(1, 40);
          const buf = pool.take(n);
          if (buf.byteOffset % source.align !== 0 || !evenAddress(buf)) misaligned.push([n, buf.byteOffset]);
          live.push(buf);
        } else {
          const i = rnd(0, live.length - 1);
          const buf = live[i];
          live[i] = live[live.length - 1];
          live.pop();
          pool.give(buf);
        }
      }
    } finally {
      for (const buf of live) pool.give(buf);
      pool.close();
    }
    expect(misaligned).toEqual([]);
  });
});

describe.each([
  ['Arena', (strategy, extra) => new Arena(1 << 16, { strategy, ...extra })],
  ['ScalableAllocator', (strategy, extra) => new ScalableAllocator({ strategy, chunkSize: 1 << 16, ...extra })],
])('%s partial frees keep placement aligned', (_, make) => {
  test.each(STRATEGIES)('%s: a freed sub-range frees exactly those bytes', (strategy) => {
    const pool = make(strategy, { safe: false });
    const a = pool.malloc(64);
    pool.free(a.subarray(3, 5)); // bytes 3 and 4 only
    expect(() => pool.free(a.subarray(4, 5))).toThrow(expect.objectContaining({ code: 'ERR_POOLMEM_DOUBLE_FREE' }));
    const b = pool.malloc(1);
    expect(b.byteOffset % 8).toBe(0);
    expect(b.byteOffset === a.byteOffset + 3).toBe(false);
    pool.free(a.subarray(0, 3));
    pool.free(a.subarray(5));
    pool.free(b);
    pool.close();
  });
});

describe('options.alignment', () => {
  test.each([
    ['Arena', (alignment) => new Arena(1 << 16, { alignment })],
    ['ScalableAllocator', (alignment) => new ScalableAllocator({ alignment })],
    ['ArenaPool', (alignment) => new ArenaPool({ numArenas: 1, arenaSize: 1 << 16, alignment })],
    ['RangeAllocator', (alignment) => new RangeAllocator(1 << 16, { alignment })],
  ])('%s validates it: a power of two from 1 to 4096', (_, make) => {
    expectCode(() => make('8'), 'ERR_INVALID_ARG_TYPE', TypeError);
    expectCode(() => make(2.5), 'ERR_OUT_OF_RANGE', RangeError);
    expectCode(() => make(0), 'ERR_OUT_OF_RANGE', RangeError);
    expectCode(() => make(24), 'ERR_OUT_OF_RANGE', RangeError);
    expectCode(() => make(8192), 'ERR_OUT_OF_RANGE', RangeError);
    for (const ok of [1, 2, 4096]) {
      const pool = make(ok);
      if (typeof pool.close === 'function') pool.close();
    }
  });

  test.each(STRATEGIES)('%s: Arena places every buffer on the given alignment', (strategy) => {
    for (const alignment of [1, 2, 32, 4096]) {
      const arena = new Arena(1 << 20, { strategy, alignment });
      const offsets = [1, 3, 5, 4097, 7].map((n) => arena.malloc(n).byteOffset);
      for (const o of offsets) expect(o % alignment).toBe(0);
      arena.close();
    }
  });

  test('alignment 1 keeps treap and avl byte-exact', () => {
    for (const strategy of ['treap', 'avl']) {
      const arena = new Arena(4096, { strategy, alignment: 1 });
      expect([arena.malloc(3).byteOffset, arena.malloc(3).byteOffset]).toEqual([0, 3]);
      arena.close();
    }
  });

  test('RangeAllocator stays byte-exact unless asked', () => {
    const r = new RangeAllocator(4096);
    expect([r.allocate(3), r.allocate(3)]).toEqual([0, 3]);
    const aligned = new RangeAllocator(4096, { alignment: 8 });
    expect([aligned.allocate(3), aligned.allocate(3)]).toEqual([0, 8]);
  });

  test('ScalableAllocator with a large alignment grows chunks that fit the rounded request', () => {
    const pool = new ScalableAllocator({ chunkSize: 4096, alignment: 4096 });
    const bufs = [1, 4095, 4096, 4097, 1].map((n) => pool.malloc(n));
    for (const b of bufs) expect(b.byteOffset % 4096).toBe(0);
    pool.close();
  });
});
