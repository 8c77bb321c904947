'use strict';
// Every strategy through RangeAllocator and Arena (fast and safe mode): one
// seeded random model (allocate, head/tail/middle partial free, whole free,
// double free) checked after every step: no live ranges overlap, freeSize is
// exact, blocks() is sorted and merged and equals the model's free ranges,
// bytes written into Arena buffers survive. Plus minBlock validation.
// The model: one live flag per byte; a strategy with a granule g (buddy:
// minBlock, first-fit: 16) holds a granule exactly while it has a live byte.

const { Arena, RangeAllocator, STRATEGIES } = require('../lib');
const { handleOf } = require('../lib/arena');
const { handleOf: rangeHandleOf } = require('../lib/range_allocator');
const { until } = require('./helpers/gc');
const { seededRandom } = require('./helpers/random');

const GRANULE = { treap: 1, avl: 1, buddy: 64, 'first-fit': 16 };
// Arena's default alignment (8) is a floor on every strategy's granule.
const granuleAt = (strategy, alignment) => Math.max(GRANULE[strategy], alignment);

class Model {
  constructor(size, granule) {
    this.granule = granule;
    this.granules = Math.floor(size / granule);
    this.live = new Uint8Array(size);
    this.liveIn = new Uint32Array(this.granules);
  }

  mark(offset, n, live) {
    for (let i = offset; i < offset + n; i++) {
      if (this.live[i] === live) continue;
      this.live[i] = live;
      const g = Math.floor(i / this.granule);
      if (g < this.granules) this.liveIn[g] += live ? 1 : -1;
    }
  }

  canPlace(offset, n) {
    if (offset % this.granule !== 0) return false;
    const end = Math.ceil((offset + n) / this.granule);
    if (end > this.granules) return false;
    for (let g = offset / this.granule; g < end; g++) if (this.liveIn[g] !== 0) return false;
    return true;
  }

  ranges() {
    const out = [];
    for (let g = 0; g < this.granules;) {
      if (this.liveIn[g] !== 0) { g++; continue; }
      let h = g;
      while (h < this.granules && this.liveIn[h] === 0) h++;
      out.push([g * this.granule, h * this.granule]);
      g = h;
    }
    return out;
  }

  freeSize() {
    return this.ranges().reduce((sum, [s, e]) => sum + e - s, 0);
  }

  // Exact offsets for the best-fit and first-fit strategies; buddy is checked
  // for alignment and placement only (the C++ model test pins its offsets).
  expected(strategy, n) {
    const need = Math.ceil(n / this.granule);
    let best = -1;
    let bestLen = Infinity;
    for (const [s, e] of this.ranges()) {
      const len = (e - s) / this.granule;
      if (len < need) continue;
      if (strategy === 'first-fit') return s;
      if (len < bestLen) { best = s; bestLen = len; }
    }
    return best;
  }
}

// Drives `ops` (allocate / free / state) through the model for `steps` steps.
// `placed`: offsets are the strategy's own (false where a size-class cache
// sits in front of it: then only overlap, contents and free bytes are checked).
function runModel(strategy, size, seed, steps, ops, granule = GRANULE[strategy], placed = true) {
  const model = new Model(size, granule);
  const rand = seededRandom(seed).between;
  const live = []; // { offset, size, tag, handle }
  const check = () => {
    expect(ops.freeSize()).toBe(model.freeSize());
    const blocks = ops.blocks?.();
    if (blocks) expect(blocks).toEqual(model.ranges());
  };
  for (let step = 0; step < steps; step++) {
    const choice = rand(0, 9);
    if (live.length === 0 || choice < 5) {
      const n = rand(0, 3) === 0 ? rand(1, 1024) : rand(1, 128);
      const got = ops.allocate(n);
      if (strategy !== 'buddy' && placed) expect(got?.offset ?? -1).toBe(model.expected(strategy, n));
      if (got === null) continue;
      if (strategy === 'buddy') {
        let block = GRANULE.buddy;
        while (block < n) block *= 2;
        expect(got.offset % block).toBe(0);
      }
      expect(model.canPlace(got.offset, n)).toBe(true); // no overlap with any live byte
      model.mark(got.offset, n, 1);
      const tag = rand(1, 255);
      ops.write(got, tag);
      live.push({ offset: got.offset, size: n, tag, handle: got });
    } else {
      const i = rand(0, live.length - 1);
      const b = live[i];
      ops.verify(b, 0, b.size);
      if (choice < 8 || b.size < 3) {
        ops.free(b, 0, b.size);
        model.mark(b.offset, b.size, 0);
        const before = ops.freeSize();
        if (b.handle.buf?.byteLength === 0) {
          expect(b.handle.buf.byteLength).toBe(0); // safe mode: a stale view reads nothing
        } else {
          expect(() => ops.free(b, 0, b.size)).toThrow(expect.objectContaining({ code: 'ERR_POOLMEM_DOUBLE_FREE' }));
        }
        expect(ops.freeSize()).toBe(before);
        live.splice(i, 1);
      } else {
        const a = rand(1, b.size - 2);
        const c = rand(a + 1, b.size - 1);
        const kind = rand(0, 2);
        if (kind === 0) { // head
          ops.free(b, 0, a);
          model.mark(b.offset, a, 0);
          live[i] = { ...b, offset: b.offset + a, size: b.size - a, base: (b.base ?? 0) + a };
        } else if (kind === 1) { // tail
          ops.free(b, a, b.size);
          model.mark(b.offset + a, b.size - a, 0);
          live[i] = { ...b, size: a };
        } else { // middle
          ops.free(b, a, c);
          model.mark(b.offset + a, c - a, 0);
          live[i] = { ...b, size: a };
          live.push({ ...b, offset: b.offset + c, size: b.size - c, base: (b.base ?? 0) + c });
        }
      }
    }
    check();
  }
  for (const b of live) {
    ops.verify(b, 0, b.size);
    ops.free(b, 0, b.size);
    model.mark(b.offset, b.size, 0);
  }
  check();
  expect(ops.freeSize()).toBe(model.granules * model.granule);
}

function rangeAllocatorOps(r) {
  return {
    allocate: (n) => {
      const offset = r.allocate(n);
      return offset < 0 ? null : { offset };
    },
    free: (b, from, to) => r.free(b.offset + from, to - from),
    freeSize: () => r.freeSize,
    blocks: () => r.blocks(),
    write: () => {},
    verify: () => {},
  };
}

// Arena: a block's handle is the Buffer malloc returned; `base` is where the
// block's first live byte sits inside it after head frees.
function arenaOps(arena) {
  return {
    allocate: (n) => {
      const buf = arena.malloc(n);
      if (buf === null) return null;
      return { offset: buf.byteOffset, buf };
    },
    free: (b, from, to) => arena.free(b.handle.buf.subarray((b.base ?? 0) + from, (b.base ?? 0) + to)),
    freeSize: () => arena.freeSize,
    write: (got, tag) => got.buf.fill(tag),
    verify: (b, from, to) => {
      const view = b.handle.buf.subarray((b.base ?? 0) + from, (b.base ?? 0) + to);
      for (let i = 0; i < view.length; i++) if (view[i] !== b.tag) throw new Error(`corrupted block at ${b.offset + from + i}`);
    },
  };
}

describe.each(STRATEGIES)('strategy %s', (strategy) => {
  test('RangeAllocator follows the model', () => {
    for (const seed of [1, 2, 3]) {
      const r = new RangeAllocator(8192, { strategy });
      runModel(strategy, 8192, seed, 1500, rangeAllocatorOps(r));
      expect(rangeHandleOf(r).validate()).toBe(true);
    }
  });

  test('RangeAllocator with an alignment follows the model on that granule', () => {
    for (const alignment of [2, 8, 32]) {
      const r = new RangeAllocator(8192 + 5, { strategy, alignment });
      runModel(strategy, 8192 + 5, alignment, 800, rangeAllocatorOps(r), granuleAt(strategy, alignment));
      expect(rangeHandleOf(r).validate()).toBe(true);
    }
  });

  test('Arena follows the model and keeps written bytes', () => {
    for (const seed of [4, 5]) {
      const arena = new Arena(8192, { strategy, safe: false });
      const sizeClasses = strategy === 'treap' || strategy === 'avl'; // lib/internal/block_cache.js
      runModel(strategy, 8192, seed, 1200, arenaOps(arena), granuleAt(strategy, 8), !sizeClasses);
      arena.close();
    }
  });

  // Safe mode never gives freed bytes back to the strategy before their
  // buffer is collected, so a twin that only allocates places every block
  // where the arena does, and the bytes that come back after GC are exactly
  // the blocks handed out (a wrong range would trip the strategy's checks).
  test('Arena in safe mode holds what it frees and returns exactly that once collected', async () => {
    const arena = new Arena(4096, { strategy, safe: true });
    const twin = new RangeAllocator(4096, { strategy, alignment: 8 }); // Arena's default
    const rand = seededRandom(6).between;
    const SAFE_POISON = require('..').SAFE_POISON;
    (() => {
      const kept = [];
      for (let i = 0; i < 200; i++) {
        const n = rand(1, 128);
        const buf = arena.malloc(n);
        if (buf === null) break;
        expect(twin.allocate(n)).toBeGreaterThanOrEqual(0);
        buf.fill(i & 0x7f);
        if (rand(0, 2) !== 0) {
          const from = rand(0, n - 1);
          const to = rand(from + 1, n);
          arena.free(buf.subarray(from, to));
          expect(buf.subarray(from, to).every((x) => x === SAFE_POISON)).toBe(true);
          expect(buf.subarray(0, from).every((x) => x === (i & 0x7f))).toBe(true);
        }
        kept.push(buf);
        expect(arena.freeSize).toBe(twin.freeSize);
        expect(arena.usedSize + arena.freeSize + arena.heldSize).toBe(4096);
      }
      for (const buf of kept) expect(buf.every((x) => x === SAFE_POISON || x < 0x80)).toBe(true);
    })();
    expect(await until(() => arena.freeSize === 4096)).toBe(true);
    expect(arena.heldSize).toBe(0);
    expect(handleOf(arena).validate()).toBe(true);
    arena.close();
  });

  test('a fresh allocator is one free range and refuses out-of-range frees', () => {
    const r = new RangeAllocator(4096, { strategy });
    expect(r.blocks()).toEqual([[0, 4096]]);
    const offset = r.allocate(100);
    expect(offset).toBe(0);
    const before = r.blocks();
    expect(() => r.free(4000, 200)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => r.free(200, 10)).toThrow(expect.objectContaining({ code: 'ERR_POOLMEM_DOUBLE_FREE' }));
    expect(() => r.free(50, 60)).toThrow(expect.objectContaining({ code: 'ERR_POOLMEM_DOUBLE_FREE' }));
    expect(r.blocks()).toEqual(before);
    r.free(0, 100);
    expect(r.blocks()).toEqual([[0, 4096]]);
    r.reset(8192);
    expect(r.freeSize).toBe(8192);
  });
});

describe('minBlock', () => {
  test('buddy rounds to minBlock and aligns to the block size', () => {
    const r = new RangeAllocator(65536, { strategy: 'buddy', minBlock: 4096 });
    expect(r.allocate(1)).toBe(0);
    expect(r.allocate(4097)).toBe(8192); // two blocks, aligned to 8192
    expect(r.allocate(1)).toBe(4096);
    expect(r.freeSize).toBe(65536 - 4 * 4096);
    r.free(8192 + 4000, 97); // the second block's last live bytes: its granule returns
    expect(r.freeSize).toBe(65536 - 3 * 4096);
  });

  test('first-fit aligns to minBlock', () => {
    const r = new RangeAllocator(4096, { strategy: 'first-fit', minBlock: 256 });
    expect([r.allocate(1), r.allocate(257), r.allocate(1)]).toEqual([0, 256, 768]);
    expect(new RangeAllocator(4096, { strategy: 'first-fit' }).allocate(1)).toBe(0);
  });

  test('a non-power-of-two arena keeps its usable whole blocks', () => {
    const r = new RangeAllocator(1000, { strategy: 'buddy' });
    expect(r.freeSize).toBe(960);
    expect(r.blocks()).toEqual([[0, 960]]);
    expect(r.allocate(961)).toBe(-1);
  });

  test.each([
    ['buddy', 48, 'ERR_OUT_OF_RANGE'],
    ['buddy', 8, 'ERR_OUT_OF_RANGE'],
    ['buddy', 2 ** 31, 'ERR_OUT_OF_RANGE'],
    ['first-fit', 24, 'ERR_OUT_OF_RANGE'],
    ['buddy', 64.5, 'ERR_OUT_OF_RANGE'],
    ['buddy', '64', 'ERR_INVALID_ARG_TYPE'],
    ['treap', 64, 'ERR_INVALID_ARG_VALUE'],
    ['avl', 16, 'ERR_INVALID_ARG_VALUE'],
  ])('%s with minBlock %p throws %s', (strategy, minBlock, code) => {
    expect(() => new RangeAllocator(4096, { strategy, minBlock })).toThrow(expect.objectContaining({ code }));
    expect(() => new Arena(4096, { strategy, minBlock })).toThrow(expect.objectContaining({ code }));
  });

  test('minBlock 0 picks the default for every strategy', () => {
    for (const strategy of STRATEGIES) expect(new RangeAllocator(4096, { strategy, minBlock: 0 }).allocate(1)).toBe(0);
  });

  test('sizes that would need more than 2 ** 28 blocks are refused, with the limit in the message', () => {
    expect(() => new RangeAllocator(2 ** 40, { strategy: 'first-fit' })).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE', message: expect.stringContaining('2 ** 28 blocks of minBlock 16') }),
    );
    const r = new RangeAllocator(2 ** 40, { strategy: 'buddy', minBlock: 2 ** 20 });
    expect(r.allocate(1)).toBe(0);
    expect(() => r.reset(2 ** 50)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(r.size).toBe(2 ** 40);
    expect(new RangeAllocator(2 ** 50, { strategy: 'treap' }).allocate(2 ** 49)).toBe(0);
  });
});

describe('STRATEGIES', () => {
  test('is frozen, and validation does not read it: changing it cannot break new Arena', () => {
    expect(Object.isFrozen(STRATEGIES)).toBe(true);
    expect(() => { STRATEGIES.length = 0; }).toThrow(TypeError);
    expect(() => { STRATEGIES.push('bogus'); }).toThrow(TypeError);
    expect(STRATEGIES).toContain('treap');
    const arena = new Arena(64, { strategy: 'treap' });
    expect(arena.malloc(8).length).toBe(8);
    arena.close();
    expect(() => new RangeAllocator(64, { strategy: 'bogus' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
  });
});
