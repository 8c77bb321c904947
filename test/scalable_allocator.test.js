'use strict';
// ScalableAllocator: GoMem's observed behaviour where intended (growth,
// first fit across chunks, partial frees, borrow, freeRest), the fixed bugs
// (tracked oversize requests, validated frees, exact counters, no stale
// growth after recycle), bad input with unchanged stats, safe mode, leak
// detection and its GC fallback, and a seeded model test.

const { Arena, SAFE_POISON, ScalableAllocator, PoolError } = require('..');
const binding = require('../lib/binding');
const { internals } = require('../lib/scalable_allocator');
const { expectCode } = require('./helpers/expect_error');
const { collect, collectUntil, tick, until, settled } = require('./helpers/gc');

const KiB = 1024;
const MiB = 1024 * 1024;
const validate = (a) => internals().handleOf(a).validate();
const chunkSizes = (a) => internals().handleOf(a).chunks().map((c) => c[1]);
const statsKey = (a) => JSON.stringify(a.stats());

// Jest's sandboxed `process` does not receive the real process's 'warning'
// events, so the reports are caught at process.emitWarning itself.
function captureWarnings() {
  const seen = [];
  const spy = jest.spyOn(process, 'emitWarning').mockImplementation((message, options) => {
    if (options?.code === 'POOLMEM_LEAK') seen.push({ message, name: options.type, ...options });
  });
  return { seen, stop: () => spy.mockRestore() };
}

describe('new ScalableAllocator()', () => {
  test('starts with no chunk and the documented defaults', () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    expect(a.stats()).toEqual({
      chunks: 0, size: 0, usedSize: 0, freeSize: 0, totalMalloc: 0, totalFree: 0, allocations: 0, leaks: 0, heldSize: 0,
    });
    expect(a.leakDetection).toBe('disabled');
    expect(new ScalableAllocator().leakDetection).toBe('sample');
    a.malloc(1);
    expect(chunkSizes(a)).toEqual([64 * KiB]);
  });

  test.each([
    [{ chunkSize: 0 }, 'ERR_OUT_OF_RANGE'],
    [{ chunkSize: 1.5 }, 'ERR_OUT_OF_RANGE'],
    [{ chunkSize: '1' }, 'ERR_INVALID_ARG_TYPE'],
    [{ chunkSize: 2 ** 32 + 1 }, 'ERR_OUT_OF_RANGE'],
    [{ chunkSize: 8192, maxChunkSize: 4096 }, 'ERR_OUT_OF_RANGE'],
    [{ maxSize: 0 }, 'ERR_OUT_OF_RANGE'],
    [{ maxSize: NaN }, 'ERR_OUT_OF_RANGE'],
    [{ strategy: 'nope' }, 'ERR_INVALID_ARG_VALUE'],
    [{ safe: 1 }, 'ERR_INVALID_ARG_TYPE'],
    [{ leakDetection: 'always' }, 'ERR_INVALID_ARG_VALUE'],
    ['options', 'ERR_INVALID_ARG_TYPE'],
  ])('rejects %p with %s', (options, code) => {
    expectCode(() => new ScalableAllocator(options), code);
  });
});

describe('ScalableAllocator#malloc()', () => {
  test('returns real Buffers of the requested size, not zeroed on reuse', () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    const b = a.malloc(100);
    expect(Buffer.isBuffer(b)).toBe(true);
    expect(b.length).toBe(100);
    b.fill(7);
    a.free(b);
    expect(a.malloc(100)[99]).toBe(7);
  });

  test('grows by doubling chunks: 40 x 1 KiB from 1 KiB (GoMem 3.4)', () => {
    const a = new ScalableAllocator({ chunkSize: KiB, leakDetection: 'disabled' });
    for (let i = 0; i < 40; i++) a.malloc(KiB);
    expect(chunkSizes(a)).toEqual([1, 2, 4, 8, 16, 32].map((k) => k * KiB));
    expect(a.stats()).toMatchObject({ chunks: 6, size: 64512, usedSize: 40 * KiB, allocations: 40 });
    expect(validate(a)).toBe(true);
  });

  test('first fit across chunks, and a dedicated chunk above maxChunkSize (GoMem 3.4 trace)', () => {
    const a = new ScalableAllocator({ chunkSize: KiB, leakDetection: 'disabled', alignment: 1 }); // GoMem is byte-exact
    const m1 = a.malloc(1024);
    const m2 = a.malloc(1);
    const m3 = a.malloc(3000);
    const m4 = a.malloc(4 * MiB + 1);
    const m5 = a.malloc(2047);
    expect(m2.buffer).not.toBe(m1.buffer);
    expect(m3.buffer).not.toBe(m2.buffer);
    expect(m5.buffer).toBe(m2.buffer);
    expect(m5.byteOffset).toBe(1);
    expect(m4.length).toBe(4 * MiB + 1);
    expect(chunkSizes(a)).toEqual([1024, 2048, 4096, 4 * MiB + 1]);
    expect(a.stats()).toMatchObject({ chunks: 4, usedSize: 1024 + 1 + 3000 + 4 * MiB + 1 + 2047, allocations: 5 });
  });

  test('malloc(0) is an empty Buffer that owns nothing', () => {
    const a = new ScalableAllocator();
    const e = a.malloc(0);
    expect(Buffer.isBuffer(e)).toBe(true);
    expect(e.length).toBe(0);
    a.free(e);
    expect(a.stats().totalMalloc).toBe(0);
    expectCode(() => new ScalableAllocator().free(e), 'ERR_POOLMEM_FOREIGN_BUFFER');
  });

  test.each([
    ['1', 'ERR_INVALID_ARG_TYPE'], [NaN, 'ERR_OUT_OF_RANGE'], [-1, 'ERR_OUT_OF_RANGE'],
    [1.5, 'ERR_OUT_OF_RANGE'], [2 ** 32 + 1, 'ERR_OUT_OF_RANGE'], [undefined, 'ERR_INVALID_ARG_TYPE'],
  ])('malloc(%p) throws %s and changes nothing', (size, code) => {
    const a = new ScalableAllocator();
    a.malloc(10);
    const before = statsKey(a);
    expectCode(() => a.malloc(size), code);
    expect(statsKey(a)).toBe(before);
  });

  test('maxSize caps reserved bytes with ERR_POOLMEM_OUT_OF_MEMORY and changes nothing', () => {
    const a = new ScalableAllocator({ chunkSize: 4 * KiB, maxSize: 12 * KiB, leakDetection: 'disabled' });
    a.malloc(4 * KiB);
    a.malloc(8 * KiB);
    const before = statsKey(a);
    const err = expectCode(() => a.malloc(1), 'ERR_POOLMEM_OUT_OF_MEMORY', 'PoolError');
    expect(err).toBeInstanceOf(PoolError);
    expect(err.message).toMatch(/maxSize \(12288 bytes\)/);
    expectCode(() => a.borrow(1), 'ERR_POOLMEM_OUT_OF_MEMORY');
    expect(statsKey(a)).toBe(before);
  });

  test('a malloc/free loop at a chunk boundary maps one chunk, once', () => {
    const a = new ScalableAllocator({ chunkSize: 4 * KiB, leakDetection: 'disabled' });
    a.malloc(4 * KiB);
    const regions = binding.liveRegions();
    for (let i = 0; i < 1000; i++) a.free(a.malloc(100));
    expect(binding.liveRegions()).toBe(regions + 1);
    expect(a.stats().chunks).toBe(2);
    expect(a.trim()).toBe(8 * KiB);
    expect(a.stats().chunks).toBe(1);
  });
});

describe('ScalableAllocator#malloc() above maxChunkSize, every strategy', () => {
  // Rounding strategies (buddy's aligned blocks, first-fit's granules) cannot
  // always fit a request as large as its chunk: growth must pick a chunk that
  // does, and a growth that fails must leave nothing behind.
  const { STRATEGIES } = require('..');
  test.each(STRATEGIES)('%s: a dedicated chunk holds the whole request', (strategy) => {
    const a = new ScalableAllocator({ strategy, maxChunkSize: 1 << 20, leakDetection: 'disabled' });
    for (const n of [(1 << 20) + 1, 5 << 20, 3 << 20]) {
      const buf = a.malloc(n);
      expect(buf.length).toBe(n);
      buf[n - 1] = 7;
      expect(buf[n - 1]).toBe(7);
    }
    expect(a.stats().chunks).toBe(3);
    expect(validate(a)).toBe(true);
    a.close();
  });

  test.each(STRATEGIES)('%s: a request maxSize cannot hold fails and changes nothing', (strategy) => {
    const a = new ScalableAllocator({ strategy, maxChunkSize: 1 << 20, maxSize: 6 << 20, leakDetection: 'disabled' });
    a.malloc(100);
    const before = a.stats();
    expectCode(() => a.malloc((6 << 20) + 1), 'ERR_POOLMEM_OUT_OF_MEMORY', PoolError);
    expect(a.stats()).toEqual(before);
    a.close();
  });
});

describe('ScalableAllocator#free()', () => {
  test('whole and partial frees in any order merge and keep counters exact', () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    const b = a.malloc(300);
    a.free(b.subarray(100, 200)); // a hole in the middle: two live pieces
    expect(a.stats()).toMatchObject({ usedSize: 200, allocations: 2 });
    a.free(b.subarray(0, 100));
    a.free(b.subarray(200));
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0, totalMalloc: 300, totalFree: 300 });
    expect(a.malloc(300).byteOffset).toBe(b.byteOffset);
    expect(validate(a)).toBe(true);
  });

  test('a double free, whole or partial, throws and changes nothing', () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    const b = a.malloc(100);
    a.malloc(100);
    a.free(b.subarray(50));
    const before = statsKey(a);
    expectCode(() => a.free(b), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
    expectCode(() => a.free(b.subarray(60, 70)), 'ERR_POOLMEM_DOUBLE_FREE');
    expect(statsKey(a)).toBe(before);
  });

  test("foreign buffers, other allocators' and Node's pool slab are rejected, never detached", () => {
    const a = new ScalableAllocator();
    a.malloc(10);
    const before = statsKey(a);
    const slab = Buffer.allocUnsafe(16);
    const arena = new Arena(4096);
    for (const foreign of [slab, Buffer.alloc(16), new Uint8Array(8), new ScalableAllocator().malloc(8), arena.malloc(8)]) {
      expectCode(() => a.free(foreign), 'ERR_POOLMEM_FOREIGN_BUFFER');
      expectCode(() => a.freeRest(foreign, 1), 'ERR_POOLMEM_FOREIGN_BUFFER');
    }
    expect(slab.buffer.byteLength).toBeGreaterThan(0);
    expect(Buffer.from('still works').toString()).toBe('still works');
    expect(statsKey(a)).toBe(before);
    expectCode(() => a.free('buf'), 'ERR_INVALID_ARG_TYPE');
    expectCode(() => a.free(new DataView(new ArrayBuffer(4))), 'ERR_INVALID_ARG_TYPE');
  });

  test('a buffer of a released chunk reads length 0 and is foreign', () => {
    const a = new ScalableAllocator({ chunkSize: 4 * KiB, leakDetection: 'disabled' });
    const b = a.malloc(4 * KiB);
    a.free(b);
    a.trim();
    expect(b.length).toBe(0);
    expectCode(() => a.free(b), 'ERR_POOLMEM_FOREIGN_BUFFER');
  });
});

describe('ScalableAllocator#borrow()', () => {
  test('lends free memory the next malloc returns, without counting it', () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    a.malloc(100);
    const lent = a.borrow(512);
    expect(lent.length).toBe(512);
    expect(a.stats()).toMatchObject({ usedSize: 100, totalMalloc: 100, allocations: 1 });
    const m = a.malloc(512);
    expect(m.buffer).toBe(lent.buffer);
    expect(m.byteOffset).toBe(lent.byteOffset);
    expectCode(() => a.free(a.borrow(16).subarray(0, 8)), 'ERR_POOLMEM_DOUBLE_FREE');
    expect(a.borrow(0).length).toBe(0);
    expectCode(() => a.borrow(-1), 'ERR_OUT_OF_RANGE');
  });

  test('a borrow that fits nowhere grows a chunk that stays free', () => {
    const a = new ScalableAllocator({ chunkSize: KiB, leakDetection: 'disabled' });
    a.malloc(KiB);
    const lent = a.borrow(2000);
    expect(a.stats()).toMatchObject({ chunks: 2, usedSize: KiB });
    expect(a.malloc(2000).buffer).toBe(lent.buffer);
  });
});

describe('ScalableAllocator#freeRest()', () => {
  test('frees buf[keep:] and returns buf.subarray(0, keep) as a Buffer', () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    const b = a.malloc(1024);
    b.fill(1);
    const kept = a.freeRest(b, 256);
    expect(Buffer.isBuffer(kept)).toBe(true);
    expect(kept.length).toBe(256);
    expect(kept.byteOffset).toBe(b.byteOffset);
    expect(a.stats()).toMatchObject({ usedSize: 256, allocations: 1 });
    expect(a.freeRest(kept, 500).length).toBe(256); // keep >= length frees nothing
    expect(a.freeRest(kept, 0).length).toBe(0);
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
  });

  test('bad keep throws and changes nothing', () => {
    const a = new ScalableAllocator();
    const b = a.malloc(64);
    const before = statsKey(a);
    expectCode(() => a.freeRest(b, -1), 'ERR_OUT_OF_RANGE');
    expectCode(() => a.freeRest(b, '1'), 'ERR_INVALID_ARG_TYPE');
    expectCode(() => a.freeRest(b, 1.5), 'ERR_OUT_OF_RANGE');
    expectCode(() => a.freeRest('b', 1), 'ERR_INVALID_ARG_TYPE');
    expect(statsKey(a)).toBe(before);
  });
});

describe('ScalableAllocator#trim() and #recycle()', () => {
  test('trim releases fully free chunks and returns the bytes', () => {
    const a = new ScalableAllocator({ chunkSize: KiB, leakDetection: 'disabled' });
    const bufs = [];
    for (let i = 0; i < 7; i++) bufs.push(a.malloc(KiB)); // 1 + 2 + 4 KiB
    expect(a.trim()).toBe(0);
    for (const b of bufs) a.free(b);
    expect(a.stats().chunks).toBe(1); // the largest free chunk stays as the spare
    expect(a.trim()).toBe(4 * KiB);
    expect(a.stats()).toMatchObject({ chunks: 0, size: 0 });
  });

  test('recycle frees everything, keeps the largest chunk and grows from it', () => {
    const a = new ScalableAllocator({ chunkSize: KiB, leakDetection: 'disabled' });
    for (let i = 0; i < 10; i++) a.malloc(1000);
    a.recycle();
    const s = a.stats();
    expect(s).toMatchObject({ chunks: 1, size: 8 * KiB, usedSize: 0, allocations: 0 });
    expect(s.totalFree).toBe(s.totalMalloc);
    a.malloc(8 * KiB);
    a.malloc(1);
    expect(a.stats().size).toBe(8 * KiB + 16 * KiB);
    expect(validate(a)).toBe(true);
  });
});

describe('ScalableAllocator#close()', () => {
  test('outstanding views read length 0; later calls throw ERR_POOLMEM_CLOSED', () => {
    const a = new ScalableAllocator({ leakDetection: 'paranoid' });
    const fast = new ScalableAllocator({ leakDetection: 'disabled' });
    const b = a.malloc(100);
    const f = fast.malloc(100);
    a.close();
    fast[Symbol.dispose]();
    expect(b.length).toBe(0);
    expect(f.length).toBe(0);
    a.close(); // idempotent
    expect(a.closed).toBe(true);
    for (const call of [() => a.malloc(1), () => a.borrow(1), () => a.free(b), () => a.freeRest(b, 0),
      () => a.trim(), () => a.recycle(), () => a.recyclable()]) {
      expectCode(call, 'ERR_POOLMEM_CLOSED');
    }
    expect(a.stats().chunks).toBe(0);
  });

  test('every method checks its receiver', () => {
    const proto = ScalableAllocator.prototype;
    for (const key of Reflect.ownKeys(proto)) {
      if (key === 'constructor') continue;
      const d = Object.getOwnPropertyDescriptor(proto, key);
      const fn = d.value ?? d.get;
      expectCode(() => fn.call({}, 1), 'ERR_INVALID_THIS');
    }
  });
});

describe('ScalableAllocator (safe mode)', () => {
  test('each allocation has its own ArrayBuffer, poisoned (not detached) when freed', () => {
    const a = new ScalableAllocator({ safe: true, leakDetection: 'disabled' });
    const b = a.malloc(100).fill(1);
    const c = a.malloc(100).fill(1);
    expect(b.buffer).not.toBe(c.buffer);
    expect(b.byteOffset).toBe(0);
    a.free(b.subarray(0, 40));
    expect(b.length).toBe(100);
    a.free(b.subarray(40));
    expect(b.length).toBe(100);
    expect(b.every((x) => x === SAFE_POISON)).toBe(true);
    expectCode(() => a.free(b), 'ERR_POOLMEM_DOUBLE_FREE');
    a.free(c.subarray(10, 20));
    expectCode(() => a.free(c.subarray(15, 25)), 'ERR_POOLMEM_DOUBLE_FREE');
    expect(a.stats()).toMatchObject({ usedSize: 90, allocations: 2, heldSize: 110 });
    expect(b.buffer.byteLength).toBe(100);
  });

  test('a borrow is freed (poisoned, not detached) by the next call, and not counted', () => {
    const a = new ScalableAllocator({ safe: true });
    const lent = a.borrow(64).fill(1);
    expect(lent.length).toBe(64);
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0, totalMalloc: 0, heldSize: 0 });
    a.malloc(8);
    expect(lent.length).toBe(64);
    expect(lent.every((x) => x === SAFE_POISON)).toBe(true);
    expect(a.stats()).toMatchObject({ usedSize: 8, allocations: 1, totalMalloc: 8, totalFree: 0, heldSize: 64 });
  });
});

describe('ScalableAllocator leak detection', () => {
  test('paranoid: an unreachable allocation is returned, counted and reported once with its stack', async () => {
    const a = new ScalableAllocator({ leakDetection: 'paranoid' });
    const w = captureWarnings();
    try {
      (function leakHere() { a.malloc(1000); })();
      expect(await collectUntil(() => a.stats().leaks === 1)).toBe(true);
      expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0, leaks: 1 });
      await collect();
      a.stats();
      expect(w.seen).toHaveLength(1);
      expect(w.seen[0].name).toBe('PoolmemLeakWarning');
      expect(w.seen[0].message).toMatch(/1000 bytes/);
      expect(w.seen[0].detail).toMatch(/scalable_allocator\.test\.js:\d+/);
    } finally {
      w.stop();
    }
  });

  test.each(['subarray', 'slice'])('a live %s() keeps the bytes: they are never returned or handed out again', async (how) => {
    const a = new ScalableAllocator({ leakDetection: 'paranoid', chunkSize: 4 * KiB });
    let part = (() => {
      const b = a.malloc(4000);
      b.fill(0xab);
      return b[how](100, 200); // the Buffer itself becomes garbage
    })();
    for (let round = 0; round < 5; round++) {
      await collect();
      expect(a.stats()).toMatchObject({ leaks: 0, usedSize: 4000 });
    }
    const others = [];
    for (let i = 0; i < 50; i++) others.push(a.malloc(512).fill(0xcd));
    expect(part.every((x) => x === 0xab)).toBe(true);
    expect(part.length).toBe(100);
    for (const o of others) a.free(o);
    part = null;
    expect(await collectUntil(() => a.stats().leaks === 1)).toBe(true);
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
  });

  test('sample: about one allocation in 128 is tracked', async () => {
    const a = new ScalableAllocator({ leakDetection: 'sample' });
    const w = captureWarnings();
    try {
      for (let i = 0; i < 2000; i++) a.malloc(16);
      expect(await until(() => a.stats().leaks > 0)).toBe(true);
      await collect(); // the rest of that collection's finalizers
      const { leaks, allocations } = a.stats();
      expect(leaks).toBeGreaterThan(0);
      expect(leaks).toBeLessThan(200);
      expect(allocations).toBe(2000 - leaks);
      expect(w.seen.length).toBe(leaks);
      expect(w.seen[0].detail).toMatch(/paranoid/);
    } finally {
      w.stop();
    }
  });

  test('a chunk the GC fallback frees entirely is released later, and its id can be reused', async () => {
    const a = new ScalableAllocator({ leakDetection: 'paranoid', chunkSize: 4 * KiB, maxChunkSize: 4 * KiB });
    const keepFirst = a.malloc(4 * KiB);
    const spare = a.malloc(4 * KiB);
    a.free(spare); // chunk 1 is now the spare
    (() => { a.malloc(4 * KiB); })(); // chunk 1 again, dropped without free()
    const chunkAb = internals().chunksOf(a)[1];
    const stale = new Uint8Array(chunkAb, 0, 16); // a user's own view of the chunk
    const second = a.malloc(4 * KiB); // chunk 2
    const third = a.malloc(4 * KiB);
    a.free(third); // chunk 3 is the spare: when chunk 1 comes back, one of them goes
    expect(await collectUntil(() => a.stats().leaks === 1)).toBe(true);
    expect(a.stats()).toMatchObject({ chunks: 3, allocations: 2 });
    expect(stale.length).toBe(0); // the released chunk's ArrayBuffer is detached
    const again = a.malloc(4 * KiB).fill(1); // reuses the free id with a new chunk
    expect(again.length).toBe(4 * KiB);
    a.free(again);
    expect(keepFirst.length + second.length).toBe(8 * KiB);
    expect(validate(a)).toBe(true);
  });

  test('a dropped allocator unmaps its chunks once its views are gone', async () => {
    const before = await settled(() => binding.liveRegions());
    (() => {
      const a = new ScalableAllocator({ chunkSize: 4 * KiB, leakDetection: 'paranoid' });
      for (let i = 0; i < 20; i++) a.malloc(3 * KiB);
    })();
    expect(binding.liveRegions()).toBeGreaterThan(before);
    expect(await collectUntil(() => binding.liveRegions() <= before)).toBe(true);
  });

  test('disabled: nothing is tracked, an unfreed allocation stays allocated', async () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    for (let i = 0; i < 300; i++) a.malloc(16);
    await collect();
    expect(a.stats()).toMatchObject({ leaks: 0, allocations: 300 });
  });
});

describe('ScalableAllocator: the parked last malloc', () => {
  // A whole free of the last malloc parks its range in JS; the next malloc of
  // the same size takes it back without a native call. Everything else must
  // see the pool as if the free had gone straight to native code.
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

  test('freeing a parked buffer again, or any view of it, is a double free and changes nothing', () => {
    const a = plain();
    const keep = a.malloc(100); // so the parked range is not at offset 0
    const b = a.malloc(200);
    const sub = b.subarray(50, 60);
    a.free(b); // parked (no stats() here: it would return the range to native code)
    expectCode(() => a.free(b), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
    expectCode(() => a.free(sub), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
    expectCode(() => a.free(Buffer.from(b.buffer, b.byteOffset + 199, 1)), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
    // a view spanning the live neighbour and the parked range: nothing of it is freed
    expectCode(() => a.free(Buffer.from(keep.buffer, keep.byteOffset, 300)), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
    expect(a.malloc(200).byteOffset).toBe(b.byteOffset); // still parked, still reused
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

  test('a malloc of another size and borrow see the parked range as free; freeRest of it is a double free', () => {
    const a = plain();
    const low = a.malloc(100);
    const b = a.malloc(100);
    a.free(low);
    a.free(b); // parked; native code has merged nothing yet
    expect(a.malloc(200).byteOffset).toBe(low.byteOffset); // first fit over both, merged

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

  test('trim() and recycle() with a parked range release and count it', () => {
    const a = plain();
    a.free(a.malloc(1000));
    expect(a.trim()).toBe(64 * KiB); // the parked range went back first: the chunk was fully free
    expect(a.stats()).toMatchObject({ chunks: 0, usedSize: 0, totalMalloc: 1000, totalFree: 1000 });
    a.free(a.malloc(1000));
    a.recycle();
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0, totalMalloc: 2000, totalFree: 2000 });
    expect(validate(a)).toBe(true);
  });

  test('a parked buffer handed to a RecyclableMemory is freed once: recycle() reports the double free', () => {
    const a = plain();
    const b = a.malloc(128);
    a.free(b);
    const rm = a.recyclable();
    rm.addRecycleBytes(b);
    expectCode(() => rm.recycle(), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0, totalFree: 128 });
    expect(validate(a)).toBe(true);
  });

  test('the last malloc given to a RecyclableMemory and recycled cannot be parked by a later free', () => {
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

  test('a parked buffer a RecyclableMemory frees early (clipFront) is not handed out twice', () => {
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

  test.each(['sample', 'paranoid'])('leak detection %s: tracked mallocs leave the parked range alone', (level) => {
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

  test('a seeded LIFO-heavy model: live buffers never overlap and counters stay exact', () => {
    let seed = 777;
    const rand = (n) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
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
  test.each([1, 2, 3])('seed %i: every operation around a parked range keeps the pool consistent', (seedArg) => {
    let seed = seedArg * 7919;
    const rand = (n) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
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
      if (op < 6) { // malloc, often freed at once (parked), often the same size again
        const entry = fill(a.malloc(sizes[rand(sizes.length)]));
        if (rand(2) === 0) a.free(entry.b);
        else live.push(entry);
      } else if (op < 8 && live.length > 0) { // whole free, last or any, sometimes twice
        const i = rand(2) === 0 ? live.length - 1 : rand(live.length);
        const [{ b }] = live.splice(i, 1);
        a.free(b);
        // a chunk released by the free (a second fully free one) is detached: its views are foreign
        const code = b.length === 0 ? 'ERR_POOLMEM_FOREIGN_BUFFER' : 'ERR_POOLMEM_DOUBLE_FREE';
        if (rand(3) === 0) expectCode(() => a.free(b), code, PoolError);
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

describe('ScalableAllocator model test', () => {
  // Seeded random malloc / whole and partial free / freeRest / borrow over many
  // chunks and sizes up to 3 MiB, with a reserved-bytes cap keeping it bounded.
  // Safe mode holds freed bytes until their buffers are collected, so that run
  // yields to the GC now and then, and a borrow (a real allocation there) may
  // find the cap reached.
  const { STRATEGIES } = require('..');
  test.each(STRATEGIES.flatMap((s) => [[s, false], [s, true]]))('%s (safe: %p) matches a model', async (strategy, safe) => {
    let seed = 12345;
    const rand = (n) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const a = new ScalableAllocator({
      chunkSize: 16 * KiB, maxChunkSize: MiB, maxSize: 48 * MiB, strategy, safe, leakDetection: 'disabled',
    });
    const live = [];
    let used = 0;
    for (let step = 0; step < 2500; step++) {
      if (safe && step % 100 === 99) {
        global.gc();
        await tick();
        await tick();
      }
      const op = rand(10);
      if (op < 5) {
        const size = rand(20) === 0 ? 1 + rand(3 * MiB) : 1 + rand(4096);
        let b;
        try {
          b = a.malloc(size);
        } catch (err) {
          expect(err.code).toBe('ERR_POOLMEM_OUT_OF_MEMORY');
          continue;
        }
        const canary = rand(256);
        b[0] = canary;
        b[size - 1] = canary;
        live.push({ b, canary });
        used += size;
      } else if (op < 9 && live.length > 0) {
        const i = rand(live.length);
        const { b, canary } = live[i];
        expect(b[0]).toBe(canary);
        expect(b[b.length - 1]).toBe(canary);
        const length = b.length; // before the free: a full free may detach b
        if (length > 2 && op === 8) {
          const keep = 1 + rand(length - 2);
          live[i].b = a.freeRest(b, keep);
          live[i].b[keep - 1] = canary;
          used -= length - keep;
        } else {
          a.free(b);
          used -= length;
          live[i] = live[live.length - 1];
          live.pop();
        }
      } else {
        try {
          a.borrow(1 + rand(8192));
        } catch (err) {
          if (!safe) throw err;
          expect(err.code).toBe('ERR_POOLMEM_OUT_OF_MEMORY');
        }
      }
      if (step % 250 === 0) expect(validate(a)).toBe(true);
      const s = a.stats();
      expect(s.usedSize).toBe(used);
      expect(s.allocations).toBe(live.length);
      expect(s.size).toBeLessThanOrEqual(48 * MiB);
    }
    expect(a.stats().chunks).toBeGreaterThan(5);
    for (const { b } of live) a.free(b);
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
    expect(validate(a)).toBe(true);
    a.close();
  });
});
