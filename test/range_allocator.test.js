'use strict';
// RangeAllocator: offsets only, validated frees, best fit through the treap.

const { RangeAllocator, PoolError } = require('..');
const { handleOf } = require('../lib/range_allocator');
const { expectCode } = require('./helpers/expect_error');
const { seededRandom } = require('./helpers/random');

function snapshot(r) {
  return { size: r.size, freeSize: r.freeSize, blocks: r.blocks() };
}

describe('new RangeAllocator()', () => {
  test('starts with one free range', () => {
    const r = new RangeAllocator(1000);
    expect(r.size).toBe(1000);
    expect(r.freeSize).toBe(1000);
    expect(r.blocks()).toEqual([[0, 1000]]);
  });

  test('size 0 has no free range', () => {
    const r = new RangeAllocator(0);
    expect(r.blocks()).toEqual([]);
    expect(r.allocate(1)).toBe(-1);
  });

  test('accepts offsets beyond 2^32', () => {
    const r = new RangeAllocator(2 ** 40);
    expect(r.allocate(2 ** 33)).toBe(0);
    expect(r.allocate(5)).toBe(2 ** 33);
    expect(r.freeSize).toBe(2 ** 40 - 2 ** 33 - 5);
  });

  test.each([
    ['a string', '10', 'ERR_INVALID_ARG_TYPE', 'TypeError'],
    ['undefined', undefined, 'ERR_INVALID_ARG_TYPE', 'TypeError'],
    ['a bigint', 10n, 'ERR_INVALID_ARG_TYPE', 'TypeError'],
    ['NaN', NaN, 'ERR_OUT_OF_RANGE', 'RangeError'],
    ['negative', -1, 'ERR_OUT_OF_RANGE', 'RangeError'],
    ['fractional', 1.5, 'ERR_OUT_OF_RANGE', 'RangeError'],
    ['above 2^53', 2 ** 53, 'ERR_OUT_OF_RANGE', 'RangeError'],
    ['Infinity', Infinity, 'ERR_OUT_OF_RANGE', 'RangeError'],
  ])('rejects %s size', (_, size, code, name) => {
    expectCode(() => new RangeAllocator(size), code, name);
  });

  test('rejects bad options', () => {
    expectCode(() => new RangeAllocator(10, null), 'ERR_INVALID_ARG_TYPE');
    expectCode(() => new RangeAllocator(10, 'treap'), 'ERR_INVALID_ARG_TYPE');
    expectCode(() => new RangeAllocator(10, { strategy: 'nope' }), 'ERR_INVALID_ARG_VALUE');
    expectCode(() => new RangeAllocator(10, { minBlock: -1 }), 'ERR_OUT_OF_RANGE');
  });
});

describe('RangeAllocator#allocate()', () => {
  test('carves from the low end of the best fit', () => {
    const r = new RangeAllocator(800);
    expect(r.allocate(800)).toBe(0);
    r.free(100, 100);
    r.free(300, 100);
    r.free(500, 100);
    r.free(700, 50);
    expect(r.allocate(50)).toBe(700); // smallest fit
    expect(r.allocate(60)).toBe(100); // equal fits: lowest offset
    expect(r.blocks()).toEqual([[160, 200], [300, 400], [500, 600]]);
  });

  test('finds fits GoMem single tree misses', () => {
    const r = new RangeAllocator(610);
    r.allocate(610);
    r.free(600, 10);
    r.free(0, 500);
    expect(r.find(100)).toBe(0);
  });

  test('returns -1 when nothing fits and changes nothing', () => {
    const r = new RangeAllocator(100);
    r.allocate(60);
    const before = snapshot(r);
    expect(r.allocate(41)).toBe(-1);
    expect(snapshot(r)).toEqual(before);
  });

  test.each([[0], [-1], [1.5], [NaN], ['1'], [null]])('rejects %p without change', (size) => {
    const r = new RangeAllocator(100);
    const before = snapshot(r);
    expect(() => r.allocate(size)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_(OUT_OF_RANGE|INVALID_ARG_TYPE)$/) }));
    expect(snapshot(r)).toEqual(before);
  });
});

describe('RangeAllocator#find()', () => {
  test('answers like allocate without changing anything', () => {
    const r = new RangeAllocator(100);
    expect(r.find(30)).toBe(0);
    expect(r.find(30)).toBe(0);
    expect(r.freeSize).toBe(100);
    expect(r.find(101)).toBe(-1);
  });
});

describe('RangeAllocator#free()', () => {
  test('merges neighbours and accepts partial frees', () => {
    const r = new RangeAllocator(300);
    r.allocate(300);
    r.free(0, 100);
    r.free(200, 100);
    expect(r.blocks()).toEqual([[0, 100], [200, 300]]);
    r.free(150, 20); // partial, in the middle of allocated space
    expect(r.blocks()).toEqual([[0, 100], [150, 170], [200, 300]]);
    r.free(100, 50);
    r.free(170, 30);
    expect(r.blocks()).toEqual([[0, 300]]);
    expect(r.freeSize).toBe(300);
  });

  test('double and overlapping frees throw ERR_POOLMEM_DOUBLE_FREE and change nothing', () => {
    const r = new RangeAllocator(100);
    r.allocate(50);
    const before = snapshot(r);
    const err = expectCode(() => r.free(50, 10), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
    expect(err).toBeInstanceOf(PoolError);
    expectCode(() => r.free(40, 20), 'ERR_POOLMEM_DOUBLE_FREE');
    expect(snapshot(r)).toEqual(before);
  });

  test('out-of-range frees throw ERR_OUT_OF_RANGE and change nothing', () => {
    const r = new RangeAllocator(100);
    r.allocate(100);
    const before = snapshot(r);
    expectCode(() => r.free(90, 20), 'ERR_OUT_OF_RANGE', 'RangeError');
    expectCode(() => r.free(-1, 1), 'ERR_OUT_OF_RANGE');
    expectCode(() => r.free(2 ** 53, 1), 'ERR_OUT_OF_RANGE');
    expectCode(() => r.free('0', 1), 'ERR_INVALID_ARG_TYPE');
    expectCode(() => r.free(0), 'ERR_INVALID_ARG_TYPE');
    expect(snapshot(r)).toEqual(before);
  });

  test('a zero-length free inside the range does nothing', () => {
    const r = new RangeAllocator(100);
    r.allocate(100);
    r.free(10, 0);
    expect(r.freeSize).toBe(0);
  });
});

describe('RangeAllocator#reset()', () => {
  test('frees everything, optionally over a new size', () => {
    const r = new RangeAllocator(100);
    r.allocate(70);
    r.reset();
    expect(r.blocks()).toEqual([[0, 100]]);
    r.reset(50);
    expect(r.size).toBe(50);
    expect(r.blocks()).toEqual([[0, 50]]);
    expectCode(() => r.reset(-5), 'ERR_OUT_OF_RANGE');
    expect(r.size).toBe(50);
  });
});

describe('RangeAllocator receivers', () => {
  test.each(['allocate', 'find', 'free', 'blocks', 'reset'])('%s() on a foreign receiver throws ERR_INVALID_THIS', (method) => {
    expectCode(() => RangeAllocator.prototype[method].call({}, 1, 1), 'ERR_INVALID_THIS', 'TypeError');
    expectCode(() => RangeAllocator.prototype[method].call(undefined, 1, 1), 'ERR_INVALID_THIS');
  });

  test.each(['size', 'freeSize'])('%s getter on a foreign receiver throws ERR_INVALID_THIS', (name) => {
    const getter = Object.getOwnPropertyDescriptor(RangeAllocator.prototype, name).get;
    expectCode(() => getter.call(Object.create(RangeAllocator.prototype)), 'ERR_INVALID_THIS');
  });

  test('native handle methods refuse foreign receivers', () => {
    const handle = handleOf(new RangeAllocator(10));
    expect(() => handle.allocate.call({}, 1)).toThrow(expect.objectContaining({ name: 'TypeError' }));
  });
});

describe('RangeAllocator model', () => {
  test('5000 seeded random steps agree with a byte model', () => {
    const rand = seededRandom(12345).int;
    const size = 4096;
    const r = new RangeAllocator(size);
    const used = new Uint8Array(size);
    const live = [];
    for (let step = 0; step < 5000; step++) {
      if (live.length === 0 || rand(10) < 5) {
        const want = 1 + rand(256);
        const off = r.allocate(want);
        if (off === -1) continue;
        for (let i = off; i < off + want; i++) {
          expect(used[i]).toBe(0);
          used[i] = 1;
        }
        live.push([off, want]);
      } else {
        const idx = rand(live.length);
        const [off, len] = live[idx];
        const part = rand(2) === 0 || len === 1 ? len : len >> 1;
        r.free(off + len - part, part);
        used.fill(0, off + len - part, off + len);
        if (part === len) live.splice(idx, 1);
        else live[idx] = [off, len - part];
      }
      let free = 0;
      for (let i = 0; i < size; i++) free += used[i] === 0 ? 1 : 0;
      expect(r.freeSize).toBe(free);
    }
    expect(handleOf(r).validate()).toBe(true);
  });
});
