'use strict';
// RecyclableMemory: nextN / addRecycleBytes / recycle / dispose, the GoMem
// bugs it fixes (recycle frees only what it allocated or was given, stale
// entries after an allocator-wide recycle), clipFront freeing early, bad
// input with unchanged state, and the GC fallback for a dropped memory.

const { Memory, RecyclableMemory, SAFE_POISON, ScalableAllocator } = require('..');
const { expectCode } = require('./helpers/expect_error');
const { captureLeakWarnings } = require('./helpers/leak_warnings');
const { collect, collectUntil } = require('./helpers/gc');

const state = (a, rm) => JSON.stringify([a.stats(), rm.size, rm.count]);

describe('ScalableAllocator#recyclable()', () => {
  test('returns a RecyclableMemory, which is a Memory, over this allocator', () => {
    const a = new ScalableAllocator();
    const rm = a.recyclable();
    expect(rm).toBeInstanceOf(RecyclableMemory);
    expect(rm).toBeInstanceOf(Memory);
    expect(rm.allocator).toBe(a);
    expect(new RecyclableMemory(a).allocator).toBe(a);
    expectCode(() => new RecyclableMemory({}), 'ERR_INVALID_ARG_TYPE');
  });
});

describe('RecyclableMemory#nextN()', () => {
  test('allocates, pushes and returns a Buffer', () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    const rm = a.recyclable();
    const b = rm.nextN(100);
    expect(Buffer.isBuffer(b)).toBe(true);
    expect(b.length).toBe(100);
    rm.nextN(0);
    expect([rm.size, rm.count]).toEqual([100, 2]);
    expect(rm.buffers[0]).toBe(b);
    expect(a.stats()).toMatchObject({ usedSize: 100, allocations: 1 });
  });

  test.each([['1', 'ERR_INVALID_ARG_TYPE'], [NaN, 'ERR_OUT_OF_RANGE'], [-1, 'ERR_OUT_OF_RANGE'], [2 ** 33, 'ERR_OUT_OF_RANGE']])(
    'nextN(%p) throws %s and changes nothing', (size, code) => {
      const a = new ScalableAllocator();
      const rm = a.recyclable();
      rm.nextN(8);
      const before = state(a, rm);
      expectCode(() => rm.nextN(size), code);
      expect(state(a, rm)).toBe(before);
    });

  test('OUT_OF_MEMORY from the allocator changes nothing', () => {
    const a = new ScalableAllocator({ chunkSize: 4096, maxSize: 4096 });
    const rm = a.recyclable();
    rm.nextN(4000);
    const before = state(a, rm);
    expectCode(() => rm.nextN(200), 'ERR_POOLMEM_OUT_OF_MEMORY');
    expect(state(a, rm)).toBe(before);
  });
});

describe('RecyclableMemory#addRecycleBytes()', () => {
  test('pushes a buffer of the same allocator and frees it on recycle', () => {
    const a = new ScalableAllocator({ leakDetection: 'paranoid' });
    const rm = a.recyclable();
    const b = a.malloc(64);
    rm.addRecycleBytes(b);
    expect(rm.count).toBe(1);
    rm.recycle();
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
  });

  test('rejects foreign buffers and other types, changing nothing', () => {
    const a = new ScalableAllocator();
    const rm = a.recyclable();
    rm.nextN(8);
    const before = state(a, rm);
    expectCode(() => rm.addRecycleBytes(Buffer.alloc(8)), 'ERR_POOLMEM_FOREIGN_BUFFER');
    expectCode(() => rm.addRecycleBytes(new ScalableAllocator().malloc(8)), 'ERR_POOLMEM_FOREIGN_BUFFER');
    expectCode(() => rm.addRecycleBytes('x'), 'ERR_INVALID_ARG_TYPE');
    expect(state(a, rm)).toBe(before);
  });
});

describe('RecyclableMemory#recycle()', () => {
  test('frees in one call exactly what nextN and addRecycleBytes added, then resets', () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    const rm = a.recyclable();
    for (let i = 0; i < 100; i++) rm.nextN(10 + i);
    const live = a.malloc(300);
    rm.pushOne(live.subarray(0, 100)); // pushed by hand: GoMem freed it, we must not
    rm.pushOne(Buffer.from('not pooled'));
    rm.recycle();
    expect([rm.size, rm.count]).toEqual([0, 0]);
    expect(a.stats()).toMatchObject({ usedSize: 300, allocations: 1 });
    a.free(live); // still whole: nothing of it was freed
    rm.recycle(); // empty: nothing to do
    expect(a.stats().usedSize).toBe(0);
  });

  test('more entries than one native batch holds are all freed, failures counted across batches', () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    const rm = a.recyclable();
    const bufs = [];
    for (let i = 0; i < 700; i++) bufs.push(rm.nextN(1 + (i % 50)));
    a.free(bufs[3]); // in the first batch of 256
    a.free(bufs[600]); // in the third
    expect(a.stats().allocations).toBe(698);
    const err = expectCode(() => rm.recycle(), 'ERR_POOLMEM_DOUBLE_FREE');
    expect(err.message).toMatch(/: 2 of the buffers/);
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
  });

  test('entries from before the allocator recycled everything are void', () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    const rm = a.recyclable();
    rm.nextN(100);
    a.recycle();
    const fresh = a.malloc(100); // may reuse the same bytes
    rm.recycle();
    expect(a.stats()).toMatchObject({ usedSize: 100, allocations: 1 });
    a.free(fresh);
  });

  test('ranges freed elsewhere are reported after everything else is freed', () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    const rm = a.recyclable();
    const b = rm.nextN(100);
    rm.nextN(100);
    a.free(b);
    expectCode(() => rm.recycle(), 'ERR_POOLMEM_DOUBLE_FREE');
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
    expect(rm.count).toBe(0);
  });

  test('after the allocator closed it only resets; dispose recycles', () => {
    const a = new ScalableAllocator();
    const rm = a.recyclable();
    rm.nextN(10);
    const rm2 = a.recyclable();
    rm2.nextN(10);
    rm2[Symbol.dispose]();
    expect(a.stats().usedSize).toBe(10);
    a.close();
    rm.recycle();
    expect(rm.count).toBe(0);
    expectCode(() => rm.nextN(1), 'ERR_POOLMEM_CLOSED');
  });

  test('MemoryReader#clipFront frees consumed buffers at once', () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    const rm = a.recyclable();
    for (let i = 0; i < 5; i++) rm.nextN(10).fill(i);
    const reader = rm.reader();
    reader.skip(25);
    reader.clipFront();
    expect(rm.count).toBe(3);
    expect(a.stats()).toMatchObject({ usedSize: 30, allocations: 3 });
    rm.recycle();
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
  });

  test('every method checks its receiver', () => {
    const proto = RecyclableMemory.prototype;
    for (const key of ['nextN', 'addRecycleBytes', 'recycle', Symbol.dispose, 'allocator']) {
      const d = Object.getOwnPropertyDescriptor(proto, key);
      expectCode(() => (d.value ?? d.get).call({}, 1), 'ERR_INVALID_THIS');
    }
  });
});

describe('RecyclableMemory with tracking (safe mode and paranoid leak detection)', () => {
  test.each([[{ safe: true }], [{ leakDetection: 'paranoid' }]])('%p: nextN, clipFront and recycle', (options) => {
    const a = new ScalableAllocator(options);
    const rm = a.recyclable();
    const bufs = [];
    for (let i = 0; i < 5; i++) bufs.push(rm.nextN(10).fill(i));
    const reader = rm.reader();
    reader.skip(10);
    reader.clipFront();
    // freed: detached (a leak-tracked sample) or poisoned and held (safe mode)
    const freed = (b) => (options.safe ? b.every((x) => x === SAFE_POISON) : b.length === 0);
    expect(freed(bufs[0])).toBe(true);
    rm.recycle();
    expect(bufs.every(freed)).toBe(true);
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
  });

  test('a RecyclableMemory dropped without recycle() is recycled once unreachable and reported once', async () => {
    const a = new ScalableAllocator({ leakDetection: 'paranoid' });
    const w = captureLeakWarnings();
    try {
      let kept = (() => {
        const rm = a.recyclable();
        for (let i = 0; i < 4; i++) rm.nextN(100).fill(0x5a);
        return rm.buffers[2].subarray(10, 20); // one buffer stays reachable
      })();
      // stats() reports what the finalizers found so far, once per RecyclableMemory:
      // let a full collection and its finalizers run before the first one (a slow
      // run, under ASan, finalized the three buffers across two turns).
      await collect();
      await collect();
      expect(await collectUntil(() => a.stats().leaks === 3)).toBe(true);
      await collect();
      expect(a.stats()).toMatchObject({ leaks: 3, usedSize: 100, allocations: 1 });
      expect(kept.every((x) => x === 0x5a)).toBe(true);
      expect(w.seen).toHaveLength(1);
      expect(w.seen[0].message).toMatch(/RecyclableMemory became unreachable without recycle\(\) \(3 buffers, 300 bytes\)/);
      kept = null;
      expect(await collectUntil(() => a.stats().leaks === 4)).toBe(true);
      expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
      expect(w.seen).toHaveLength(1); // the same memory is not reported twice
    } finally {
      await w.stop();
    }
  });
});

describe('Memory.from() with a ScalableAllocator', () => {
  test('collects a stream into a RecyclableMemory', async () => {
    const { Readable } = require('node:stream');
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    const mem = await Memory.from(Readable.from([Buffer.from('ab'), Buffer.from('cde')]), { allocator: a });
    expect(mem).toBeInstanceOf(RecyclableMemory);
    expect(mem.toBytes().toString()).toBe('abcde');
    expect(a.stats().usedSize).toBe(5);
    mem.recycle();
    expect(a.stats().usedSize).toBe(0);
  });
});
