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
const { collect, until } = require('./helpers/gc');

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
});
