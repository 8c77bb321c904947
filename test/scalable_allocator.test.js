'use strict';
// ScalableAllocator: GoMem's observed behaviour where intended (growth,
// first fit across chunks, partial frees, borrow, freeRest), the fixed bugs
// (tracked oversize requests, validated frees, exact counters, no stale
// growth after recycle), bad input with unchanged stats, and safe mode. Leak
// detection, the parked last malloc and the model test have files of their own.

const { Arena, SAFE_POISON, ScalableAllocator, PoolError } = require('..');
const binding = require('../lib/internal/binding');
const { handleOf } = require('../lib/scalable_allocator');
const { expectCode } = require('./helpers/expect_error');

const KiB = 1024;
const MiB = 1024 * 1024;
const validate = (a) => handleOf(a).validate();
const chunkSizes = (a) => handleOf(a).chunks().map((c) => c[1]);
const statsKey = (a) => JSON.stringify(a.stats());

describe('new ScalableAllocator()', () => {
  test('starts with no chunk and the documented defaults', () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    expect(a.stats()).toEqual({
      chunks: 0, size: 0, usedSize: 0, freeSize: 0, totalMalloc: 0, totalFree: 0, allocations: 0, leaks: 0,
      transferred: 0, heldSize: 0,
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

  test('a buffer of a released chunk reads length 0, and freeing it again is a double free', () => {
    const a = new ScalableAllocator({ chunkSize: 4 * KiB, leakDetection: 'disabled' });
    const b = a.malloc(4 * KiB);
    a.free(b);
    a.trim();
    expect(b.length).toBe(0);
    expectCode(() => a.free(b), 'ERR_POOLMEM_DOUBLE_FREE');
  });
});

describe('ScalableAllocator#borrow()', () => {
  test('lends free memory the next malloc returns, without counting it', () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    a.malloc(100);
    const lent = a.borrow(512);
    expect(lent.length).toBe(512);
    const m = a.malloc(512);
    expect(m.buffer).toBe(lent.buffer);
    expect(m.byteOffset).toBe(lent.byteOffset);
    expect(a.stats()).toMatchObject({ usedSize: 612, totalMalloc: 612, allocations: 2 }); // the borrow counted nowhere
    expectCode(() => a.free(a.borrow(16).subarray(0, 8)), 'ERR_POOLMEM_DOUBLE_FREE');
    expect(a.borrow(0).length).toBe(0);
    expectCode(() => a.borrow(-1), 'ERR_OUT_OF_RANGE');
  });

  // Lent bytes were never allocated: the next malloc may hold them, so
  // freeing the lent buffer would free that malloc's bytes.
  test.each([false, true])('a lent buffer cannot be freed, even once a malloc holds its bytes (safe: %s)', (safe) => {
    const a = new ScalableAllocator({ leakDetection: 'disabled', safe });
    const lent = a.borrow(128);
    const owner = a.malloc(128);
    const rm = a.recyclable();
    const before = a.stats();
    expectCode(() => a.free(lent), 'ERR_POOLMEM_DOUBLE_FREE');
    expectCode(() => a.freeRest(lent, 10), 'ERR_POOLMEM_DOUBLE_FREE');
    expectCode(() => rm.addRecycleBytes(lent), 'ERR_POOLMEM_DOUBLE_FREE');
    expect(a.stats()).toEqual(before);
    const next = a.malloc(128);
    expect(next.buffer !== owner.buffer || next.byteOffset >= owner.byteOffset + 128 ||
      next.byteOffset + 128 <= owner.byteOffset).toBe(true);
    a.free(next);
    a.free(owner);
    rm.recycle();
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
  });

  // The lent mark is the view's; whose it is comes from its ArrayBuffer.
  test.each([false, true])('a lent buffer is foreign to another allocator, and stays refused after trim() (safe: %s)',
    (safe) => {
      const a = new ScalableAllocator({ chunkSize: 4 * KiB, leakDetection: 'disabled', safe });
      const b = new ScalableAllocator({ leakDetection: 'disabled', safe });
      const lent = a.borrow(100);
      expectCode(() => b.free(lent), 'ERR_POOLMEM_FOREIGN_BUFFER');
      expectCode(() => b.freeRest(lent, 1), 'ERR_POOLMEM_FOREIGN_BUFFER');
      expectCode(() => b.recyclable().addRecycleBytes(lent), 'ERR_POOLMEM_FOREIGN_BUFFER');
      const fill = a.malloc(4000);
      const lentInGrown = a.borrow(3000); // fits no chunk: a second one, free, which trim() releases
      expect(a.stats().chunks).toBe(2);
      a.trim();
      if (!safe) expect(a.stats().chunks).toBe(1); // the lent view's chunk is gone
      expectCode(() => a.free(lent), 'ERR_POOLMEM_DOUBLE_FREE');
      expectCode(() => a.free(lentInGrown), 'ERR_POOLMEM_DOUBLE_FREE');
      a.free(fill);
      expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
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

  test('a view over a chunk released since (by trim() or a free) is a double free, not a foreign buffer', () => {
    const a = new ScalableAllocator({ chunkSize: 64 * KiB, leakDetection: 'disabled' });
    const keep = a.malloc(100); // the first chunk stays
    const big = a.malloc(MiB); // a chunk of its own
    const sub = big.subarray(8, 16);
    const bigger = a.malloc(2 * MiB); // another
    a.free(big);
    a.free(bigger); // the largest free chunk stays as the spare; the 1 MiB one goes
    expect(a.trim()).toBe(2 * MiB); // and now the spare
    const before = statsKey(a);
    const r = a.recyclable();
    for (const view of [big, sub, bigger]) {
      expectCode(() => a.free(view), 'ERR_POOLMEM_DOUBLE_FREE');
      expectCode(() => a.freeRest(view, 1), 'ERR_POOLMEM_DOUBLE_FREE');
      expectCode(() => r.addRecycleBytes(view), 'ERR_POOLMEM_DOUBLE_FREE');
    }
    r.recycle();
    expect(statsKey(a)).toBe(before);
    expect(validate(a)).toBe(true);
    // Another allocator's released chunk is still foreign.
    const b = new ScalableAllocator({ chunkSize: 64 * KiB, leakDetection: 'disabled' });
    const other = b.malloc(MiB);
    b.free(other);
    b.trim();
    expectCode(() => a.free(other), 'ERR_POOLMEM_FOREIGN_BUFFER');
    a.free(keep);
    a.close();
    b.close();
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

describe('ScalableAllocatorHandle#retireChunk() (native half of a transferred chunk)', () => {
  test('checks its receiver and argument like the other handle methods; no such chunk is false', () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    const handle = handleOf(a);
    let foreign;
    try {
      handle.retireChunk.call({}, 0);
    } catch (err) {
      foreign = err;
    }
    expect(foreign?.name).toBe('TypeError'); // as for stats() or trim(): the receiver never unwraps
    expectCode(() => handle.retireChunk('0'), 'ERR_INVALID_ARG_TYPE');
    expectCode(() => handle.retireChunk(-1), 'ERR_OUT_OF_RANGE');
    expectCode(() => handle.retireChunk(1.5), 'ERR_OUT_OF_RANGE');
    expect(handle.retireChunk(0)).toBe(false);
    expect(handle.retireChunk(2 ** 40)).toBe(false);
    a.free(a.malloc(64));
    expect(a.stats()).toMatchObject({ chunks: 1, transferred: 0 });
    expect(validate(a)).toBe(true);
    a.close();
  });
});
