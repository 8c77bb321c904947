'use strict';
// ArenaPool: goumem's arena pools with their bugs fixed (and goumem's own
// tests re-expressed).

const binding = require('../lib/internal/binding');
const { Arena, ArenaPool, PoolError, STRATEGIES } = require('../lib');
const { expectCode } = require('./helpers/expect_error');
const { collect: settle, until, settled } = require('./helpers/gc');

describe('new ArenaPool()', () => {
  test('maps numArenas arenas of arenaSize (goumem TestNewArenaPool)', async () => {
    const regions = await settled(() => binding.liveRegions());
    let pool = new ArenaPool({ numArenas: 5, arenaSize: 1000 });
    expect(pool.numArenas).toBe(5);
    expect(pool.available).toBe(5);
    expect(binding.liveRegions()).toBe(regions + 5);
    pool.close();
    pool = null; // a closed Arena's mapping goes once its handle is collected
    expect(await until(() => binding.liveRegions() === regions)).toBe(true);
  });

  test.each([
    ['no options', undefined, 'ERR_INVALID_ARG_TYPE'],
    ['zero arenas (goumem panicked on Get)', { numArenas: 0, arenaSize: 10 }, 'ERR_OUT_OF_RANGE'],
    ['a missing arenaSize', { numArenas: 1 }, 'ERR_INVALID_ARG_TYPE'],
    ['a zero arenaSize', { numArenas: 1, arenaSize: 0 }, 'ERR_OUT_OF_RANGE'],
    ['a fractional numArenas', { numArenas: 1.5, arenaSize: 10 }, 'ERR_OUT_OF_RANGE'],
    ['an unknown strategy', { numArenas: 1, arenaSize: 10, strategy: 'slab' }, 'ERR_INVALID_ARG_VALUE'],
  ])('rejects %s', (_, options, code) => {
    expectCode(() => new ArenaPool(options), code);
  });

  test.each(STRATEGIES)('accepts strategy %s', (strategy) => {
    const pool = new ArenaPool({ numArenas: 1, arenaSize: 4096, strategy });
    const arena = pool.get();
    expect(arena.malloc(64).length).toBe(64);
    pool.close();
  });
});

describe('ArenaPool#get()', () => {
  test('hands out an arena that allocates and frees (goumem TestGetAndReturnArena)', () => {
    const pool = new ArenaPool({ numArenas: 2, arenaSize: 1000 });
    const arena = pool.get();
    expect(arena).toBeInstanceOf(Arena);
    const buf = arena.malloc(4);
    expect(buf.length).toBe(4);
    arena.free(buf);
    pool.release(arena);
    expect(pool.available).toBe(2);
    pool.close();
  });

  test('never hands one arena to two holders; throws ERR_POOLMEM_OUT_OF_MEMORY when all are held', () => {
    const pool = new ArenaPool({ numArenas: 2, arenaSize: 4096 });
    const a = pool.get();
    const b = pool.get();
    const x = a.malloc(100);
    const y = b.malloc(100);
    expect(x.buffer).not.toBe(y.buffer); // goumem's third Get returned the first arena again
    expectCode(() => pool.get(), 'ERR_POOLMEM_OUT_OF_MEMORY', PoolError);
    expect(pool.available).toBe(0);
    pool.close();
  });

  test('throws ERR_POOLMEM_CLOSED after close()', () => {
    const pool = new ArenaPool({ numArenas: 1, arenaSize: 100 });
    pool.close();
    expectCode(() => pool.get(), 'ERR_POOLMEM_CLOSED');
    expect(pool.available).toBe(0);
  });
});

describe('ArenaPool#release()', () => {
  test('empties the arena: the next holder starts at offset 0 (goumem kept the bump pointer)', () => {
    const pool = new ArenaPool({ numArenas: 1, arenaSize: 4096 });
    const a = pool.get();
    a.malloc(8);
    a.malloc(8);
    expect(a.usedSize).toBe(16);
    pool.release(a);
    const b = pool.get();
    expect(b.usedSize).toBe(0);
    expect(b.malloc(8).byteOffset).toBe(0);
    pool.close();
  });

  test('detaches views and closes the caller\'s Arena object', () => {
    const pool = new ArenaPool({ numArenas: 1, arenaSize: 4096 });
    const a = pool.get();
    const buf = a.malloc(100);
    pool.release(a);
    expect(buf.length).toBe(0);
    expect(a.closed).toBe(true);
    expectCode(() => a.malloc(1), 'ERR_POOLMEM_CLOSED');
    const b = pool.get();
    expect(b).not.toBe(a);
    expect(b.closed).toBe(false);
    expectCode(() => a.free(b.malloc(10)), 'ERR_POOLMEM_CLOSED'); // a stale holder cannot touch b's memory
    pool.close();
  });

  test('a second release throws ERR_POOLMEM_DOUBLE_FREE and changes nothing', () => {
    const pool = new ArenaPool({ numArenas: 2, arenaSize: 100 });
    const a = pool.get();
    pool.release(a);
    expectCode(() => pool.release(a), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
    expect(pool.available).toBe(2);
    pool.close();
  });

  test('a foreign arena throws ERR_POOLMEM_FOREIGN_BUFFER and is not closed', () => {
    const pool = new ArenaPool({ numArenas: 1, arenaSize: 100 });
    const other = new ArenaPool({ numArenas: 1, arenaSize: 100 });
    const own = new Arena(100);
    const theirs = other.get();
    expect(expectCode(() => pool.release(own), 'ERR_POOLMEM_FOREIGN_BUFFER').message).toMatch(/arena was not handed out/);
    expectCode(() => pool.release(theirs), 'ERR_POOLMEM_FOREIGN_BUFFER');
    expect(own.closed).toBe(false);
    expect(theirs.closed).toBe(false);
    expect(pool.available).toBe(1);
    own.close();
    other.close();
    pool.close();
  });

  test.each([['undefined', undefined], ['an object', {}], ['a Buffer', Buffer.alloc(1)]])(
    'rejects %s with ERR_INVALID_ARG_TYPE', (_, value) => {
      const pool = new ArenaPool({ numArenas: 1, arenaSize: 100 });
      expectCode(() => pool.release(value), 'ERR_INVALID_ARG_TYPE');
      pool.close();
    });

  test('arena.close() and Symbol.dispose release to the pool', () => {
    const pool = new ArenaPool({ numArenas: 1, arenaSize: 100 });
    const a = pool.get();
    a.close();
    expect(pool.available).toBe(1);
    const b = pool.get();
    b[Symbol.dispose]();
    expect(pool.available).toBe(1);
    expect(b.closed).toBe(true);
    b.close(); // already released: no-op
    expect(pool.available).toBe(1);
    pool.close();
  });

  test('throws ERR_POOLMEM_CLOSED after close()', () => {
    const pool = new ArenaPool({ numArenas: 1, arenaSize: 100 });
    const a = pool.get();
    pool.close();
    expect(a.closed).toBe(true);
    expectCode(() => pool.release(a), 'ERR_POOLMEM_CLOSED');
  });

  test('many get/release cycles reuse the same mappings', async () => {
    const regions = await settled(() => binding.liveRegions());
    const pool = new ArenaPool({ numArenas: 2, arenaSize: 65536 });
    for (let i = 0; i < 200; i++) {
      const a = pool.get();
      a.malloc(1000).fill(i & 0xff);
      pool.release(a);
    }
    await settle();
    expect(binding.liveRegions()).toBe(regions + 2);
    pool.close();
  });
});

describe('ArenaPool#close()', () => {
  test('closes held arenas, their views read length 0; closing twice is harmless', () => {
    const pool = new ArenaPool({ numArenas: 2, arenaSize: 4096 });
    const a = pool.get();
    const buf = a.malloc(10);
    pool.close();
    pool[Symbol.dispose]();
    expect(pool.closed).toBe(true);
    expect(buf.length).toBe(0);
    expectCode(() => a.malloc(1), 'ERR_POOLMEM_CLOSED');
  });
});

describe('ArenaPool receiver checks', () => {
  test.each(['get', 'release', 'close', Symbol.dispose].map((m) => [String(m), m]))(
    '%s with a foreign this throws ERR_INVALID_THIS', (_, m) => {
      expectCode(() => ArenaPool.prototype[m].call({}), 'ERR_INVALID_THIS', TypeError);
    });
  test.each(['available', 'numArenas', 'closed'])('%s getter with a foreign this throws ERR_INVALID_THIS', (name) => {
    const getter = Object.getOwnPropertyDescriptor(ArenaPool.prototype, name).get;
    expectCode(() => getter.call({}), 'ERR_INVALID_THIS');
  });
});
