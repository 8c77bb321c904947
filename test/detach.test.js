'use strict';
// Detached and transferred ArrayBuffers (ArrayBuffer#transfer, default from
// Node 22, --harmony-rab-gsab-transfer on 20). A caller who detaches the
// arrays the hot paths share with native code stops the pools (coded error),
// never makes them hand out offset 0 or act on another pool. A block whose
// ArrayBuffer a caller transferred is freed by nobody: its bytes never go back
// to the pool while the new ArrayBuffer can reach them.

const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ScalableAllocator } = require('..');
const { TRANSFER_FLAGS, transfer } = require('./helpers/transfer');
const { collect, until, watch } = require('./helpers/gc');
const { expectCode } = require('./helpers/expect_error');

const TA = Object.getPrototypeOf(Uint8Array.prototype);
const realBuffer = (v) => Reflect.apply(Object.getOwnPropertyDescriptor(TA, 'buffer').get, v, []);

describe('detached hot-path scratch arrays', () => {
  test('every later hot call throws ERR_INVALID_STATE; the pool the stale numbers name is untouched', () => {
    const result = spawnSync(process.execPath, [...TRANSFER_FLAGS, path.join(__dirname, 'fixtures', 'detach_scratch.js')], {
      encoding: 'utf8',
      timeout: 60000,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      arenaMalloc: 'ERR_INVALID_STATE',
      arenaFree: 'ERR_INVALID_STATE',
      arenaBUsed: 128,
      batchRecycle: 'ERR_INVALID_STATE',
      batchTAllocations: 2,
      scalableMalloc: 'ERR_INVALID_STATE',
      scalableFree: 'ERR_INVALID_STATE',
      scalableTAllocations: 2,
      processAlloc: 'ERR_INVALID_STATE',
      processFree: 'ERR_INVALID_STATE',
    });
  });
});

describe('a transferred tracked (safe-mode) block', () => {
  // The memory moves to the new ArrayBuffer; recycle() and close() must not
  // give it to another owner while that ArrayBuffer lives.
  test.each([['recycle', (a) => a.recycle()], ['RecyclableMemory#recycle', null]])(
    'ScalableAllocator %s() leaves it allocated; it comes back when the new ArrayBuffer is collected', async (_, op) => {
      const a = new ScalableAllocator({ safe: true, chunkSize: 4096 });
      let moved;
      if (op === null) {
        const rm = a.recyclable();
        const buf = rm.nextN(64).fill(1);
        moved = new Uint8Array(transfer(realBuffer(buf)));
        rm.recycle();
      } else {
        const buf = a.malloc(64).fill(1);
        moved = new Uint8Array(transfer(realBuffer(buf)));
        op(a);
      }
      const others = [];
      for (let i = 0; i < 70; i++) others.push(a.malloc(64).fill(2));
      expect(moved.every((x) => x === 1)).toBe(true); // nobody else writes these bytes
      others.forEach((o) => a.free(o));
      others.length = 0; // safe mode holds freed blocks until their buffers are collected
      // Freed by nobody: it stays allocated until its finalizer
      expect(a.stats().allocations).toBe(1);
      moved = null;
      await collect();
      expect(await until(() => { a.trim(); return a.stats().size === 0; })).toBe(true);
      a.close();
    });

  test('free() through the detached view frees nothing and the bytes stay unreachable to others', () => {
    const a = new ScalableAllocator({ safe: true, chunkSize: 4096 });
    const buf = a.malloc(64).fill(1);
    const moved = new Uint8Array(transfer(realBuffer(buf)));
    a.free(buf); // length 0 now: nothing to free
    const others = [];
    for (let i = 0; i < 70; i++) others.push(a.malloc(64).fill(2));
    expect(moved.every((x) => x === 1)).toBe(true);
    a.close();
  });
});

// Once the detached ArrayBuffer a transfer left behind is collected, the
// block's own weak reference is empty, as it is for a block whose buffer was
// simply collected (its finalizer pending). Only the second may be treated as
// unreachable: the moved memory keeps its bytes through recycle(), close()
// and borrow's end alike.
describe('a transferred tracked block whose old ArrayBuffer was collected', () => {
  async function movedAndForgotten(make) {
    let buf = make().fill(1);
    let original = realBuffer(buf);
    const gone = watch(original); // not a WeakRef: deref() would keep it for the turn
    const moved = new Uint8Array(transfer(original));
    buf = null;
    original = null;
    expect(await until(gone)).toBe(true);
    return moved;
  }

  test.each([
    ['safe ScalableAllocator recycle()', { safe: true }, (a) => a.recycle()],
    ['safe ScalableAllocator close()', { safe: true }, (a) => a.close()],
    ["'paranoid' ScalableAllocator recycle()", { leakDetection: 'paranoid' }, (a) => a.recycle()],
  ])('%s leaves the moved bytes alone', async (_, options, op) => {
    const a = new ScalableAllocator({ chunkSize: 4096, ...options });
    const moved = await movedAndForgotten(() => a.malloc(64));
    op(a);
    const others = [];
    if (!a.closed) for (let i = 0; i < 70; i++) others.push(a.malloc(64).fill(2));
    expect(moved.every((x) => x === 1)).toBe(true);
    if (!a.closed) a.close();
  });

  test('safe Arena close() leaves the moved bytes alone', async () => {
    const { Arena } = require('..');
    const arena = new Arena(4096, { safe: true });
    const moved = await movedAndForgotten(() => arena.malloc(64));
    arena.close();
    expect(moved.every((x) => x === 1)).toBe(true);
  });
});

describe('transferred arena memory', () => {
  const { Arena, ArenaPool } = require('..');

  test('ArenaPool: a released arena whose chunk a holder transferred is never handed to the next holder', () => {
    const pool = new ArenaPool({ numArenas: 1, arenaSize: 4096 });
    const a = pool.get();
    const x = a.malloc(64).fill(1);
    const moved = new Uint8Array(transfer(realBuffer(x)));
    pool.release(a);
    const b = pool.get();
    const y = b.malloc(64).fill(2);
    expect(moved.length).toBe(4096); // the whole arena moved
    expect(moved.subarray(0, 64).every((v) => v === 1)).toBe(true);
    expect(y.length).toBe(64);
    pool.release(b);
    expect(pool.available).toBe(1);
    pool.close();
  });

  test.each([['free', (a, buf) => a.free(buf)], ['ArenaPool release', null]])(
    'safe Arena %s(): a transferred block stays allocated while the new ArrayBuffer lives', async (_, op) => {
      const saved = process.env.POOLMEM_SAFE;
      process.env.POOLMEM_SAFE = '1';
      let pool = null;
      let arena;
      try {
        if (op === null) {
          pool = new ArenaPool({ numArenas: 1, arenaSize: 4096 });
          arena = pool.get();
        } else {
          arena = new Arena(4096, { safe: true });
        }
      } finally {
        if (saved === undefined) delete process.env.POOLMEM_SAFE;
        else process.env.POOLMEM_SAFE = saved;
      }
      const buf = arena.malloc(64).fill(1);
      let moved = new Uint8Array(transfer(realBuffer(buf)));
      if (op === null) {
        pool.release(arena);
        arena = pool.get();
      } else {
        op(arena, buf);
      }
      const others = [];
      for (let i = 0; i < 63; i++) {
        const o = arena.malloc(64);
        if (o === null) break;
        others.push(o.fill(2));
      }
      expect(others.length).toBe(63); // everything but the transferred block
      expect(moved.every((v) => v === 1)).toBe(true);
      for (const o of others) arena.free(o);
      moved = null;
      expect(await until(() => arena.usedSize === 0)).toBe(true);
      if (pool !== null) pool.close();
      else arena.close();
    });
});

describe('transferred BytePool memory', () => {
  const { BytePool } = require('..');

  test('a leak-tracked PooledBuffer whose ArrayBuffer was transferred never returns its slot on release()', () => {
    const pool = new BytePool([128], { leakDetection: 'paranoid' });
    const pb = pool.getBuffer(128);
    const moved = new Uint8Array(transfer(realBuffer(pb.bytes)));
    moved.fill(1);
    expect(pb.release()).toBe(true);
    const others = [];
    for (let i = 0; i < 8; i++) others.push(pool.get(128).fill(2));
    expect(moved.every((v) => v === 1)).toBe(true);
    expect(pool.stats().tiers[128].inUse).toBe(8);
    pool.close();
  });

  test('a leak-tracked slot transferred and collected unreleased stays out of the pool', async () => {
    const pool = new BytePool([128], { leakDetection: 'paranoid' });
    const warnings = [];
    const onWarning = (w) => warnings.push(w);
    process.on('warning', onWarning);
    let moved;
    (() => {
      const pb = pool.getBuffer(128);
      moved = new Uint8Array(transfer(realBuffer(pb.bytes)));
      moved.fill(1);
    })(); // the PooledBuffer and its old, detached ArrayBuffer are garbage now
    try {
      // The old ArrayBuffer's finalization fires: a leak, but the memory is
      // still reachable through `moved`, so the slot is freed by nobody.
      expect(await until(() => pool.stats().leaks === 1)).toBe(true);
      await collect();
      const others = [];
      for (let i = 0; i < 2048; i++) others.push(pool.get(128).fill(2)); // every slot of the slab and more
      expect(moved.every((v) => v === 1)).toBe(true);
      for (const o of others) pool.put(o);
    } finally {
      process.off('warning', onWarning);
    }
    pool.close();
  });

  test('a leak-tracked slot comes back once nothing reaches it, the transferred ArrayBuffer included', async () => {
    const pool = new BytePool([128], { leakDetection: 'paranoid' });
    const onWarning = () => {};
    process.on('warning', onWarning);
    let moved;
    (() => {
      const pb = pool.getBuffer(128);
      moved = new Uint8Array(transfer(realBuffer(pb.bytes)));
    })();
    try {
      expect(await until(() => pool.stats().leaks === 1)).toBe(true);
      expect(moved.length).toBe(128); // the transferred bytes stayed reachable until now
      moved = null;
      await collect();
      // The pool takes it back when it next needs a slot it does not have.
      const all = [];
      const perSlab = 2048;
      expect(await until(() => {
        for (const b of all.splice(0)) pool.put(b);
        for (let i = 0; i < perSlab; i++) all.push(pool.get(128));
        return pool.stats().reservedSize === perSlab * 128;
      })).toBe(true);
      for (const b of all) pool.put(b);
    } finally {
      process.off('warning', onWarning);
    }
    pool.close();
  });

  describe("a slab whose ArrayBuffer a caller transferred", () => {
    function transferredSlab() {
      const pool = new BytePool([128, 256]);
      const held = pool.get(128);
      const spare = pool.get(100);
      pool.put(spare); // a free slot of the slab, with a cached view
      const moved = new Uint8Array(transfer(realBuffer(held)));
      moved.fill(1);
      return { pool, held, moved };
    }

    test('get() never hands out its memory, a zero-length view, or an uncoded error', () => {
      const { pool, moved } = transferredSlab();
      const before = pool.stats().tiers[128].inUse;
      const got = [];
      for (const n of [128, 100, 128, 64, 1]) {
        const b = pool.get(n);
        expect(b.length).toBe(n);
        expect(realBuffer(b)).not.toBe(moved.buffer);
        got.push(b.fill(2));
      }
      expect(moved.every((v) => v === 1)).toBe(true);
      expect(pool.stats().tiers[128].inUse).toBe(got.length); // the lost slab's held slot no longer counts
      expect(before).toBe(1);
      for (const b of got) pool.put(b);
      pool.close();
    });

    test('put() of a buffer it held throws ERR_POOLMEM_FOREIGN_BUFFER and never frees the memory', () => {
      const { pool, held, moved } = transferredSlab();
      const stats = pool.stats();
      expectCode(() => pool.put(held), 'ERR_POOLMEM_FOREIGN_BUFFER');
      const got = [];
      for (let i = 0; i < 4096; i++) got.push(pool.get(128).fill(2));
      expect(moved.every((v) => v === 1)).toBe(true);
      expect(pool.stats().discarded).toBe(stats.discarded);
      for (const b of got) pool.put(b);
      pool.close();
    });

    test('getBuffer() and trim() keep working; the lost slab is no longer reserved', () => {
      const { pool, moved } = transferredSlab();
      const pb = pool.getBuffer(128);
      expect(pb.bytes.length).toBe(128);
      pb.bytes.fill(3);
      expect(moved.every((v) => v === 1)).toBe(true);
      expect(pb.release()).toBe(true);
      expect(pool.trim()).toBe(2048 * 128); // the fresh slab; the lost one is not the pool's
      expect(pool.stats().reservedSize).toBe(0);
      pool.close();
    });
  });
});

describe('a transferred fast-mode ScalableAllocator chunk', () => {
  // The chunk leaves the allocator (its live bytes count as transferred and
  // freed); the old views' free() does nothing; malloc goes on in other chunks.
  test.each(['disabled', 'sample', 'paranoid'])(
    'leakDetection %s: coded errors only, its bytes never handed out again, exact counters', (level) => {
      const fixture = path.join(__dirname, 'fixtures', 'transfer_chunk.js');
      const result = spawnSync(process.execPath, [...TRANSFER_FLAGS, '--expose-gc', fixture, level], {
        encoding: 'utf8',
        timeout: 120000,
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const out = JSON.parse(result.stdout);
      expect(out.uncoded).toEqual([]);
      // What callers held in the transferred chunks: 20 live blocks and 3 ledger
      // entries in chunk 0, and (not in paranoid mode) the dedicated 17 MiB.
      const held = 4 * (100 + 1000 + 4096 + 5000 + 65536) + 3 * 128 + (level === 'paranoid' ? 0 : 17 << 20);
      // Only a leak-tracked old view's second free() is refused.
      expect(out.codes).toEqual(out.codes.again === undefined ? {} : { again: ['ERR_POOLMEM_DOUBLE_FREE'] });
      expect(out).toMatchObject({
        lengthsOk: true,
        countersExact: true,
        intactAfterMalloc: true,
        intactAtEnd: true,
        intactAfterClose: true,
        settled: { usedSize: 0, allocations: 0, transferred: held },
        sizeAfterTrim: 0,
        recycled: { usedSize: 0, allocations: 0 },
      });
    });
});

describe('a malloc that lands in a transferred ScalableAllocator chunk', () => {
  // The block it took is handed to nobody and retires with the chunk. Settling
  // the cache first empties another chunk: giving the block back instead would
  // empty this one too, and the spare policy would release it before it retired.
  test('is served by another chunk and counts nowhere; the old views free nothing', () => {
    const a = new ScalableAllocator({ chunkSize: 4096, leakDetection: 'disabled' });
    const x = a.malloc(4000); // chunk 0 (4096 bytes), one class block
    const y = a.malloc(4000); // chunk 1
    const moved = new Uint8Array(transfer(realBuffer(x))).fill(0xa5);
    a.free(y); // both cached: still allocated natively
    a.free(x);
    const z = a.malloc(4000); // takes x's cached block first, in the transferred chunk
    expect(z.length).toBe(4000);
    expect(realBuffer(z).byteLength).toBeGreaterThan(0);
    z.fill(1);
    expect(moved.every((v) => v === 0xa5)).toBe(true);
    a.free(x); // over the transferred chunk: nothing
    expect(a.stats()).toMatchObject({
      chunks: 1, usedSize: 4000, allocations: 1, totalMalloc: 12000, totalFree: 8000, transferred: 0,
    });
    a.free(z);
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0, transferred: 0 });
    a.close();
  });
});
