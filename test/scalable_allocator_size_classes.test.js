'use strict';
// ScalableAllocator's size-class cache (lib/internal/block_cache.js): a whole free of
// a block puts it on its class's stack in JS for the next malloc of that
// class; every other operation must see the pool as if the free had reached
// native code (counters, double frees, borrow, freeRest, trim, recycle,
// RecyclableMemory, leak detection, seeded churn).

const { ScalableAllocator, PoolError } = require('..');
const { handleOf, spaceOf } = require('../lib/scalable_allocator');
const { expectCode } = require('./helpers/expect_error');
const { seededRandom } = require('./helpers/random');

const KiB = 1024;
const validate = (a) => handleOf(a).validate();

describe('ScalableAllocator: the size-class cache', () => {
  // A whole free of a block up to 16 MiB puts it on its size class's stack
  // in JS; the next malloc of that class takes it back without a native call.
  // Everything else must see the pool as if the free had gone straight to
  // native code.
  const plain = () => new ScalableAllocator({ leakDetection: 'disabled' });

  test('a malloc/free loop reuses the same range and keeps counters exact', () => {
    const a = plain();
    const first = a.malloc(1000);
    a.free(first);
    for (let i = 0; i < 5; i++) {
      const b = a.malloc(1000);
      expect(b.buffer).toBe(first.buffer);
      expect(b.byteOffset).toBe(first.byteOffset);
      a.free(b);
    }
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0, totalMalloc: 6000, totalFree: 6000 });
    expect(validate(a)).toBe(true);
  });

  test('stats() between malloc and free counts the reused allocation as live', () => {
    const a = plain();
    a.free(a.malloc(64));
    const b = a.malloc(64);
    expect(a.stats()).toMatchObject({ usedSize: 64, allocations: 1, totalMalloc: 128, totalFree: 64 });
    a.free(b);
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0, totalMalloc: 128, totalFree: 128 });
  });

  test('freeing a cached buffer again, or any view of it, is a double free and changes nothing', () => {
    const a = plain();
    const keep = a.malloc(100); // so the cached block is not at offset 0
    const b = a.malloc(200);
    const sub = b.subarray(50, 60);
    a.free(b); // cached (no stats() here: it would return the block to native code)
    expectCode(() => a.free(b), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
    expectCode(() => a.free(sub), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
    expectCode(() => a.free(Buffer.from(b.buffer, b.byteOffset + 199, 1)), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
    // a view spanning the live neighbour and the cached range: nothing of it is freed
    expectCode(() => a.free(Buffer.from(keep.buffer, keep.byteOffset, 300)), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
    // The failed frees returned the cache to native code; keep's bytes are still its own.
    expect(a.malloc(200).byteOffset).toBeGreaterThanOrEqual(keep.byteOffset + 100);
    expect(a.stats()).toMatchObject({ usedSize: 300, allocations: 2, totalMalloc: 500, totalFree: 200 });
    expect(validate(a)).toBe(true);
  });

  test('a partial free of the last malloc is a normal partial free; the rest frees normally', () => {
    const a = plain();
    const b = a.malloc(256);
    a.free(b.subarray(0, 100));
    expect(a.stats()).toMatchObject({ usedSize: 156, allocations: 1 });
    expectCode(() => a.free(b), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
    a.free(b.subarray(100));
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0, totalFree: 256 });
    expect(validate(a)).toBe(true);
  });

  test('cached blocks go back when the allocator is full, and to borrow; freeRest of one is a double free', () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled', chunkSize: 4096, maxChunkSize: 4096, maxSize: 4096 });
    const low = a.malloc(2000);
    const b = a.malloc(2000);
    a.free(low);
    a.free(b); // both cached: native code still holds the whole chunk allocated
    expect(a.malloc(4000).byteOffset).toBe(low.byteOffset); // full: the cache went back, merged

    const c = plain();
    const d = c.malloc(4096);
    c.free(d);
    expect(c.borrow(4096).byteOffset).toBe(d.byteOffset);
    expect(c.malloc(4096).byteOffset).toBe(d.byteOffset); // the borrowed range, as GoMem does

    const e = plain();
    const f = e.malloc(50);
    const g = e.malloc(50);
    e.free(g);
    expectCode(() => e.freeRest(g, 10), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
    e.freeRest(f, 10);
    expect(e.stats()).toMatchObject({ usedSize: 10, allocations: 1 });
    expect(validate(e)).toBe(true);
  });

  test('trim() and recycle() with a cached range release and count it', () => {
    const a = plain();
    a.free(a.malloc(1000));
    expect(a.trim()).toBe(64 * KiB); // the cached range went back first: the chunk was fully free
    expect(a.stats()).toMatchObject({ chunks: 0, usedSize: 0, totalMalloc: 1000, totalFree: 1000 });
    a.free(a.malloc(1000));
    a.recycle();
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0, totalMalloc: 2000, totalFree: 2000 });
    expect(validate(a)).toBe(true);
  });

  test('a cached buffer handed to a RecyclableMemory is freed once: recycle() reports the double free', () => {
    const a = plain();
    const b = a.malloc(128);
    a.free(b);
    const rm = a.recyclable();
    rm.addRecycleBytes(b);
    expectCode(() => rm.recycle(), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0, totalFree: 128 });
    expect(validate(a)).toBe(true);
  });

  test('a buffer given to a RecyclableMemory and recycled cannot be cached by a later free', () => {
    const a = plain();
    const b = a.malloc(128);
    const rm = a.recyclable();
    rm.addRecycleBytes(b);
    rm.recycle();
    expectCode(() => a.free(b), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
    const c = a.malloc(128);
    const d = a.malloc(128);
    expect(c.byteOffset).not.toBe(d.byteOffset);
    expect(a.stats()).toMatchObject({ usedSize: 256, allocations: 2 });
  });

  test('a cached buffer a RecyclableMemory frees early (clipFront) is not handed out twice', () => {
    const a = plain();
    const b = a.malloc(10);
    a.free(b);
    const rm = a.recyclable();
    rm.addRecycleBytes(b);
    const reader = rm.reader();
    reader.skip(10);
    reader.clipFront(); // frees b's range again: already free, nothing happens
    const c = a.malloc(10);
    const d = a.malloc(10);
    expect(c.byteOffset).not.toBe(d.byteOffset);
    expect(a.stats()).toMatchObject({ usedSize: 20, allocations: 2, totalFree: 10 });
    expect(validate(a)).toBe(true);
  });

  test.each(['sample', 'paranoid'])('leak detection %s: tracked mallocs leave the cached range alone', (level) => {
    const a = new ScalableAllocator({ leakDetection: level });
    const live = [];
    for (let i = 0; i < 600; i++) {
      const b = a.malloc(64);
      b.fill(i & 255);
      if (i % 3 === 0) live.push([b, i & 255]);
      else a.free(b);
    }
    for (const [b, v] of live) expect(b.every((x) => x === v)).toBe(true);
    expect(a.stats()).toMatchObject({ usedSize: 64 * live.length, allocations: live.length });
    for (const [b] of live) a.free(b);
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0, totalMalloc: 600 * 64, totalFree: 600 * 64 });
  });

  // freeRest() of a buffer malloc() returned whole (the parser recipe) knows
  // its block: one native free of the rest, and no search for the blocks the
  // tail touches (the index such searches build stays unbuilt). The same for
  // the whole free of a block that left the cache (settled by stats()).
  describe('freeRest() and frees of settled blocks search nothing', () => {
    const index = (a) => spaceOf(a).cache.index;

    test.each([
      ['a class block', {}, 256, 100],
      ['an exact block (alignment 1: no classes)', { alignment: 1 }, 256, 100],
      ['a block above the classes', {}, 17 * 1024 * 1024, 1000],
    ])('%s: the kept bytes keep the block; the old view is a double free', (name, options, size, keep) => {
      const a = new ScalableAllocator({ leakDetection: 'disabled', ...options });
      const other = a.malloc(64);
      const b = a.malloc(size);
      b.fill(3, 0, keep);
      const kept = a.freeRest(b, keep);
      expect(Buffer.isBuffer(kept)).toBe(true);
      expect([kept.buffer, kept.byteOffset, kept.length]).toEqual([b.buffer, b.byteOffset, keep]);
      expect(kept.every((x) => x === 3)).toBe(true);
      expect(a.stats()).toMatchObject({ usedSize: 64 + keep, allocations: 2, totalFree: size - keep });
      const before = a.stats();
      expectCode(() => a.free(b), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
      expectCode(() => a.freeRest(b, 1), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
      expect(a.stats()).toEqual(before);
      const again = a.freeRest(kept, 10); // a kept view is its block's too
      a.free(again);
      expectCode(() => a.free(kept), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
      a.free(other);
      expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0, totalMalloc: size + 64, totalFree: size + 64 });
      expect(index(a) === null).toBe(true);
      expect(validate(a)).toBe(true);
    });

    test('freeRest() keeping everything returns a view with the same record: one free, then a double free', () => {
      const a = plain();
      const b = a.malloc(256);
      const all = a.freeRest(b, 1000); // frees nothing
      expect([all.buffer, all.byteOffset, all.length]).toEqual([b.buffer, b.byteOffset, 256]);
      a.free(all);
      const owner = a.malloc(256); // the same block, the next handout
      expect(owner.byteOffset).toBe(b.byteOffset);
      const before = a.stats();
      expectCode(() => a.free(all), 'ERR_POOLMEM_DOUBLE_FREE', PoolError); // was: freed owner's bytes
      expectCode(() => a.free(b), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
      expect(a.stats()).toEqual(before);
      a.free(owner);
      expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
      expect(validate(a)).toBe(true);
    });

    test('freeRest() of a view whose block was handed out again is a double free and frees nothing', () => {
      for (const keep of [0, 100, 256, 1000]) {
        const a = plain();
        const old = a.malloc(256);
        a.free(old);
        const owner = a.malloc(256); // the same block, the next handout
        expect([owner.buffer, owner.byteOffset]).toEqual([old.buffer, old.byteOffset]);
        const before = a.stats();
        expectCode(() => a.freeRest(old, keep), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
        expect(a.stats()).toEqual(before);
        const next = a.malloc(100); // must not land in the owner's bytes
        expect(next.byteOffset >= owner.byteOffset + 256 || next.byteOffset + 100 <= owner.byteOffset).toBe(true);
        a.free(next);
        a.free(owner);
        expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
        expect(validate(a)).toBe(true);
      }
    });

    test('the parser recipe in a loop reuses the same bytes and counts them exactly', () => {
      const a = plain();
      const first = a.freeRest(a.malloc(256), 100);
      a.free(first);
      for (let i = 0; i < 50; i++) {
        const head = a.freeRest(a.malloc(256), 100);
        expect(head.byteOffset).toBe(first.byteOffset);
        a.free(head);
      }
      expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0, totalMalloc: 51 * 256, totalFree: 51 * 256 });
      expect(index(a) === null).toBe(true);
      expect(validate(a)).toBe(true);
    });

    test('buffers settled by stats() free whole with no search; a stale view of one is a double free', () => {
      const a = plain();
      const bufs = Array.from({ length: 100 }, () => a.malloc(100));
      a.free(bufs[0]);
      expect(a.stats()).toMatchObject({ usedSize: 99 * 100, allocations: 99 }); // settles every block
      const reused = a.malloc(100);
      for (const b of bufs.slice(1)) a.free(b);
      expectCode(() => a.free(bufs[0]), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
      a.free(reused);
      expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0, totalMalloc: 101 * 100, totalFree: 101 * 100 });
      expect(index(a) === null).toBe(true);
      expect(validate(a)).toBe(true);
    });

    test('a block with a piece freed goes the general way: its rest, then its pieces, are judged natively', () => {
      const a = new ScalableAllocator({ leakDetection: 'disabled', alignment: 1 });
      const b = a.malloc(256);
      a.free(b.subarray(200)); // a piece: the strategy judges this block from now on
      expectCode(() => a.freeRest(b, 100), 'ERR_POOLMEM_DOUBLE_FREE', PoolError); // [100, 256) reaches the freed piece
      const kept = a.freeRest(b.subarray(0, 200), 100);
      a.free(kept);
      expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
      expect(validate(a)).toBe(true);
    });
  });

  test('a seeded LIFO-heavy model: live buffers never overlap and counters stay exact', () => {
    const rand = seededRandom(777).int;
    const a = new ScalableAllocator({ chunkSize: 4 * KiB, maxChunkSize: 64 * KiB, leakDetection: 'disabled' });
    const live = [];
    let used = 0;
    let total = 0;
    const overlaps = (x, y) => x.buffer === y.buffer && x.byteOffset < y.byteOffset + y.length
      && y.byteOffset < x.byteOffset + x.length;
    for (let step = 0; step < 3000; step++) {
      const op = rand(10);
      if (op < 5 || live.length === 0) {
        const size = [16, 100, 1000, 5000][rand(4)];
        const b = a.malloc(size);
        expect(live.some((other) => overlaps(b, other.b))).toBe(false);
        b.fill(step & 255);
        live.push({ b, v: step & 255 });
        used += size;
        total += size;
      } else if (op < 9) {
        const i = op < 8 ? live.length - 1 : rand(live.length); // mostly the last malloc
        const { b, v } = live[i];
        expect(b[0]).toBe(v);
        expect(b[b.length - 1]).toBe(v);
        used -= b.length;
        a.free(b);
        if (rand(4) === 0) expectCode(() => a.free(b), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
        live.splice(i, 1);
      } else {
        expect(a.stats()).toMatchObject({ usedSize: used, allocations: live.length, totalMalloc: total });
        expect(validate(a)).toBe(true);
      }
    }
    for (const { b } of live) a.free(b);
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0, totalMalloc: total, totalFree: total });
    expect(validate(a)).toBe(true);
  });

  // Every public operation interleaved with malloc/free pairs that park: no
  // byte is ever handed out twice (canaries), and usedSize/allocations match.
  test.each([1, 2, 3])('seed %i: every operation around a cached range keeps the pool consistent', (seedArg) => {
    const rand = seededRandom(seedArg * 7919).int;
    const a = new ScalableAllocator({ chunkSize: 2 * KiB, maxChunkSize: 16 * KiB, leakDetection: 'disabled' });
    let rm = a.recyclable();
    let live = []; // { b, v }: freed through the allocator
    let held = []; // { b, v }: freed by rm.recycle()
    let stamp = 0;
    const sizes = [1, 24, 100, 700, 3000, 20000];
    const fill = (b) => {
      const v = ++stamp & 255;
      b.fill(v);
      return { b, v };
    };
    const intact = ({ b, v }) => b.length === 0 || (b[0] === v && b[b.length - 1] === v && b[b.length >> 1] === v);
    const bytes = (list) => list.reduce((n, e) => n + e.b.length, 0);
    for (let step = 0; step < 1500; step++) {
      const op = rand(16);
      if (op < 6) { // malloc, often freed at once (cached), often the same size again
        const entry = fill(a.malloc(sizes[rand(sizes.length)]));
        if (rand(2) === 0) a.free(entry.b);
        else live.push(entry);
      } else if (op < 8 && live.length > 0) { // whole free, last or any, sometimes twice
        const i = rand(2) === 0 ? live.length - 1 : rand(live.length);
        const [{ b }] = live.splice(i, 1);
        a.free(b);
        // freed already, whether or not that free released its chunk (a second fully free one)
        if (rand(3) === 0) expectCode(() => a.free(b), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
      } else if (op === 8 && live.length > 0) { // front trim through free(subarray)
        const e = live[rand(live.length)];
        if (e.b.length > 1) {
          const k = 1 + rand(e.b.length - 1);
          a.free(e.b.subarray(0, k));
          e.b = e.b.subarray(k);
        }
      } else if (op === 9 && live.length > 0) { // tail trim through freeRest
        const e = live[rand(live.length)];
        if (e.b.length > 1) e.b = a.freeRest(e.b, 1 + rand(e.b.length - 1));
      } else if (op === 10) {
        a.borrow(sizes[rand(sizes.length)]).fill(0xEE); // lent bytes are free bytes: no live canary there
      } else if (op === 11) {
        held.push(fill(rm.nextN(sizes[rand(sizes.length)])));
      } else if (op === 12) {
        rm.recycle();
        held = [];
        if (rand(2) === 0) rm = a.recyclable();
      } else if (op === 13) {
        a.trim();
      } else if (op === 14 && rand(8) === 0) {
        a.recycle(); // frees everything; rm's ledger is void from here
        live = [];
        held = [];
      } else {
        expect(live.every(intact) && held.every(intact)).toBe(true);
        expect(a.stats()).toMatchObject({ usedSize: bytes(live) + bytes(held), allocations: live.length + held.length });
        expect(validate(a)).toBe(true);
      }
    }
    expect(live.every(intact) && held.every(intact)).toBe(true);
    for (const { b } of live) a.free(b);
    rm.recycle();
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
    expect(validate(a)).toBe(true);
  });
});

// An allocate-then-free loop takes malloc()'s and free()'s lanes: the block
// freed last waits in the cache's park and the next malloc of its length
// takes it back, through a few small functions V8 inlines whole. The lanes
// must decide exactly what the general way would.
describe('ScalableAllocator: the allocate-then-free lane', () => {
  const MiB = 1024 * KiB;
  const plain = () => new ScalableAllocator({ leakDetection: 'disabled' });

  test('the block freed last comes back whole, with no stack touched, and stats() counts every pair', () => {
    const a = plain();
    const cache = spaceOf(a).cache;
    const first = a.malloc(300);
    a.free(first);
    const before = cache.reissued;
    for (let i = 0; i < 100; i++) {
      const b = a.malloc(300);
      expect(b.byteOffset).toBe(first.byteOffset);
      a.free(b);
      expect(cache.parked).toBeGreaterThanOrEqual(0);
      expect(cache.stackedBytes).toBe(0);
    }
    expect(cache.reissued - before).toBe(100 * 300); // all 100 took the lane
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0, totalMalloc: 101 * 300, totalFree: 101 * 300 });
    expect(validate(a)).toBe(true);
  });

  test('a view of an ended handout is a double free; the new owner keeps its bytes', () => {
    const a = plain();
    const x = a.malloc(64);
    a.free(x); // parked
    expectCode(() => a.free(x), 'ERR_POOLMEM_DOUBLE_FREE', PoolError); // parked already
    const y = a.malloc(64).fill(7); // the same block, handed out again
    expect(y.byteOffset).toBe(x.byteOffset);
    expectCode(() => a.free(x), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
    const z = a.malloc(64).fill(9);
    expect(z.byteOffset).not.toBe(y.byteOffset);
    expect(y.every((v) => v === 7)).toBe(true);
    a.free(y);
    a.free(z);
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0, totalMalloc: 192, totalFree: 192 });
  });

  test('sampled mallocs are still sampled, and paranoid ones always', () => {
    // One malloc in 1,024 on average is tracked: it owns an ArrayBuffer of its own.
    const sampled = new ScalableAllocator();
    let tracked = 0;
    for (let i = 0; i < 20000; i++) {
      const b = sampled.malloc(100);
      if (b.buffer.byteLength === 100) tracked++;
      sampled.free(b);
    }
    expect(tracked).toBeGreaterThanOrEqual(4); // about 20 expected
    expect(tracked).toBeLessThanOrEqual(60);
    const paranoid = new ScalableAllocator({ leakDetection: 'paranoid' });
    for (let i = 0; i < 50; i++) {
      const b = paranoid.malloc(100);
      expect(b.buffer.byteLength).toBe(100);
      paranoid.free(b);
    }
    expect(spaceOf(paranoid).cache.reissued).toBe(0);
  });

  test('wrong receivers, other allocators and a closed allocator take the general way', () => {
    const a = plain();
    const other = plain();
    a.free(a.malloc(64)); // a block waits in the park
    for (const self of [null, undefined, 1, {}, other.recyclable()]) {
      expectCode(() => ScalableAllocator.prototype.malloc.call(self, 64), 'ERR_INVALID_THIS');
      expectCode(() => ScalableAllocator.prototype.free.call(self, Buffer.alloc(64)), 'ERR_INVALID_THIS');
    }
    const b = a.malloc(64);
    expectCode(() => other.free(b), 'ERR_POOLMEM_FOREIGN_BUFFER', PoolError);
    a.free(b); // parked again
    for (const bad of [null, 64, 'x', {}, new Uint8Array(64)]) expect(() => a.free(bad)).toThrow();
    a.close();
    expectCode(() => a.malloc(64), 'ERR_POOLMEM_CLOSED', PoolError);
    expectCode(() => a.free(b), 'ERR_POOLMEM_CLOSED', PoolError);
  });

  // The lanes read their block from plain fields copied out of the cache:
  // whatever else changes that block's handout must end the copy.
  describe('a lane handout\'s view, once something else ended or changed that handout, is a double free', () => {
    // y: a block handed out again by the malloc lane.
    function laneHandout(a, n) {
      const x = a.malloc(n);
      a.free(x);
      const before = spaceOf(a).cache.reissued;
      const y = a.malloc(n);
      expect(spaceOf(a).cache.reissued - before).toBe(n);
      expect(y.byteOffset).toBe(x.byteOffset);
      return y;
    }
    function expectRefusedAndClean(a, stale, owner) {
      owner.fill(7);
      expectCode(() => a.free(stale), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
      expect(owner.every((v) => v === 7)).toBe(true);
      a.free(owner);
      expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
      expect(validate(a)).toBe(true);
    }

    test('parked by the free lane, then taken at another length of its class', () => {
      const a = plain();
      const y = laneHandout(a, 100);
      a.free(y); // the free lane parks it
      const z = a.malloc(104); // the same class: take() hands the parked block out
      expect(z.byteOffset).toBe(y.byteOffset);
      expectRefusedAndClean(a, y, z);
    });

    test('parked, pushed onto its stack by a later free, then popped', () => {
      const a = plain();
      const w = a.malloc(100);
      const y = laneHandout(a, 100);
      a.free(y); // parked
      a.free(w); // parked; y's block goes onto the stack
      const z1 = a.malloc(104); // the park: w's block
      const z2 = a.malloc(104); // the stack: y's block
      expect(z2.byteOffset).toBe(y.byteOffset);
      z2.fill(7);
      expectCode(() => a.free(y), 'ERR_POOLMEM_DOUBLE_FREE', PoolError); // the park is empty
      a.free(z1);
      expectRefusedAndClean(a, y, z2);
    });

    test('cut by freeRest()', () => {
      const a = plain();
      const y = laneHandout(a, 100);
      const kept = a.freeRest(y, 16);
      expectRefusedAndClean(a, y, kept);
    });

    test('freed natively past the cap, its id then serving a new block', () => {
      const a = plain();
      const y = laneHandout(a, 64);
      const bufs = Array.from({ length: 17 }, () => a.malloc(MiB));
      for (const b of bufs) a.free(b); // the stacks and the park now hold 16 MiB
      a.free(y); // no room: native code frees it, and its id is free again
      const z = a.malloc(64); // a new block, under y's id
      const big = a.malloc(MiB - 8); // the parked block's class: the park empties
      expectCode(() => a.free(y), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
      a.free(big);
      expectRefusedAndClean(a, y, z);
    });

    test('settled by stats(): its one free goes the general way, a second is refused', () => {
      const a = plain();
      const y = laneHandout(a, 100); // 112-byte class: settling gives back its slack
      expect(a.stats().usedSize).toBe(100);
      a.free(y);
      expectCode(() => a.free(y), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
      const z = a.malloc(100);
      expectRefusedAndClean(a, y, z);
    });
  });

  test('the park counts toward the 16 MiB the cache may hold', () => {
    const a = plain();
    const cache = spaceOf(a).cache;
    const bufs = Array.from({ length: 20 }, () => a.malloc(MiB));
    const big = a.malloc(2 * MiB);
    for (const b of bufs) a.free(b);
    expect(cache.cachedBytes).toBe(16 * MiB); // 15 on the stacks, 1 parked; the other 4 went native
    const t = a.malloc(MiB - 8); // the parked block's class, another length: takes it from the park
    expect(cache.parked).toBe(-1);
    a.free(big); // the park is empty, but 15 + 2 MiB is more than the cache may hold: native
    expect(cache.cachedBytes).toBe(15 * MiB);
    a.free(t);
    expect(a.stats()).toMatchObject({
      usedSize: 0, allocations: 0, totalMalloc: 23 * MiB - 8, totalFree: 23 * MiB - 8,
    });
  });
});
