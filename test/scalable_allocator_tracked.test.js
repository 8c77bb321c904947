'use strict';
// ScalableAllocator#free() never frees a leak-tracked allocation's bytes
// through any view but that allocation's own: a too-long view over a chunk
// that reaches into a tracked block is refused and changes nothing, so the
// block's own free() and its GC fallback never free bytes twice.

const { ScalableAllocator } = require('..');
const { handleOf } = require('../lib/scalable_allocator');
const { collectUntil } = require('./helpers/gc');
const { expectCode } = require('./helpers/expect_error');

const SIZE = 64;

// An untracked buffer directly followed in its chunk by a tracked one:
// leakDetection 'sample' tracks about one malloc in 1024.
function neighbours(pool) {
  let prev = pool.malloc(SIZE);
  for (let i = 0; i < 100000; i++) {
    const next = pool.malloc(SIZE);
    if (next.buffer.byteLength === SIZE && prev.buffer.byteLength !== SIZE) {
      next.fill(0xc3);
      // Where the tracked block sits: its bytes seen through the chunk.
      const chunk = new Uint8Array(prev.buffer);
      const at = prev.byteOffset + SIZE;
      if (chunk.subarray(at, at + SIZE).every((x) => x === 0xc3)) return { untracked: prev, tracked: next, at };
    }
    prev = next;
  }
  throw new Error('no tracked allocation next to an untracked one');
}

describe('ScalableAllocator#free() of a view reaching into a tracked allocation', () => {
  test('is refused with ERR_POOLMEM_FOREIGN_BUFFER and changes nothing', () => {
    const pool = new ScalableAllocator({ chunkSize: 1 << 20, leakDetection: 'sample' });
    const { untracked, tracked } = neighbours(pool);
    untracked.fill(0x11);
    const before = pool.stats();
    const tooLong = new Uint8Array(untracked.buffer, untracked.byteOffset, 2 * SIZE);
    expectCode(() => pool.free(tooLong), 'ERR_POOLMEM_FOREIGN_BUFFER', 'PoolError');
    const oneByte = new Uint8Array(untracked.buffer, untracked.byteOffset + SIZE, 1);
    expectCode(() => pool.free(oneByte), 'ERR_POOLMEM_FOREIGN_BUFFER', 'PoolError');
    expect(pool.stats()).toEqual(before);
    // Both owners still free exactly their own bytes, once.
    pool.free(tracked);
    pool.free(untracked);
    expectCode(() => pool.free(tracked), 'ERR_POOLMEM_DOUBLE_FREE');
    expect(handleOf(pool).validate()).toBe(true);
    pool.close();
  });

  test('the GC fallback of the tracked block returns only its own bytes', async () => {
    const pool = new ScalableAllocator({ chunkSize: 1 << 20, leakDetection: 'sample' });
    let untracked;
    let leaked = 0;
    (() => {
      const pair = neighbours(pool);
      untracked = pair.untracked;
      expect(() => pool.free(new Uint8Array(untracked.buffer, untracked.byteOffset, 2 * SIZE))).toThrow();
    })();
    untracked.fill(0x5a);
    const used = pool.stats().usedSize;
    const warn = process.emitWarning;
    process.emitWarning = () => { leaked++; };
    try {
      expect(await collectUntil(() => pool.stats().leaks === 1)).toBe(true);
    } finally {
      process.emitWarning = warn;
    }
    expect(pool.stats().usedSize).toBe(used - SIZE);
    // Nothing else can be handed the untracked buffer's bytes.
    const others = [];
    for (let i = 0; i < 64; i++) others.push(pool.malloc(SIZE).fill(0xee));
    expect(untracked.every((x) => x === 0x5a)).toBe(true);
    pool.free(untracked);
    expect(handleOf(pool).validate()).toBe(true);
    expect(leaked).toBeGreaterThanOrEqual(0);
    pool.close();
  });

  // A partial free gives part of a tracked block back: those bytes are the
  // next owner's, and only the block's live bytes stay guarded.
  const HALF = SIZE / 2;
  const chunkBytes = (view, at, n) => new Uint8Array(view.buffer, at, n);

  // Mallocs HALF bytes until one lands at `at` with the wanted tracking;
  // others are kept (they stay out of the hole), returned for freeing.
  function landAt(pool, probe, at, tracked) {
    const kept = [];
    for (let i = 0; i < 200000; i++) {
      const b = pool.malloc(HALF);
      const mark = 1 + (i % 250); // a freed buffer's bytes stay behind: each try marks its own
      b.fill(mark);
      const isTracked = b.buffer.byteLength === HALF;
      if (chunkBytes(probe, at, HALF).every((x) => x === mark)) {
        if (isTracked === tracked) return { b, kept };
        // Through a view the pool did not make: back to native code, not onto
        // the size-class cache (which would hand the hole straight back).
        pool.free(b.subarray(0));
      } else {
        kept.push(b);
      }
    }
    throw new Error('nothing landed in the hole');
  }

  test('an untracked allocation in the freed part of a tracked block frees normally', () => {
    const pool = new ScalableAllocator({ chunkSize: 1 << 20, leakDetection: 'sample' });
    const { untracked, tracked, at } = neighbours(pool);
    const live = pool.stats().allocations;
    pool.free(tracked.subarray(0, HALF));
    const { b, kept } = landAt(pool, untracked, at, false);
    kept.push(pool.malloc(8)); // b is no longer the last malloc: its free goes to native code
    pool.free(b); // its own bytes, no tracked byte among them
    pool.free(tracked.subarray(HALF));
    for (const k of kept) pool.free(k);
    pool.free(untracked);
    expect(pool.stats().allocations).toBe(live - 2);
    expect(handleOf(pool).validate()).toBe(true);
    pool.close();
  });

  test('a tracked allocation in the freed part of another stays guarded after that one is freed', () => {
    const pool = new ScalableAllocator({ chunkSize: 1 << 20, leakDetection: 'sample' });
    const { untracked, tracked, at } = neighbours(pool);
    const live = pool.stats().allocations;
    pool.free(tracked.subarray(0, HALF));
    const { b: inner, kept } = landAt(pool, untracked, at, true);
    pool.free(tracked.subarray(HALF)); // the first block is gone; the second starts where it did
    const before = pool.stats();
    const tooLong = new Uint8Array(untracked.buffer, untracked.byteOffset, SIZE + 8);
    expectCode(() => pool.free(tooLong), 'ERR_POOLMEM_FOREIGN_BUFFER', 'PoolError');
    expect(pool.stats()).toEqual(before);
    pool.free(inner);
    for (const k of kept) pool.free(k);
    pool.free(untracked);
    expect(pool.stats().allocations).toBe(live - 2);
    expect(handleOf(pool).validate()).toBe(true);
    pool.close();
  });
});
