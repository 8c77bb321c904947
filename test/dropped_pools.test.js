'use strict';
// A pool nobody closed is garbage like any object: once unreachable, it is
// collected with its memory, whatever it went through. Each case exercises a
// pool, drops it, and waits for the ArrayBuffer its memory lives in (a chunk,
// a slab, or a safe block) to be collected. A pool kept alive by a cycle
// through a GC root (a native strong reference, or the pools' one
// FinalizationRegistry reaching its own target) never is: BytePool's slabs,
// and any BytePool with a released leak-tracked buffer, stayed mapped for the
// life of the process.

const { Arena, ArenaPool, BytePool, ScalableAllocator } = require('..');
const { transfer } = require('./helpers/transfer');
const { until, watch } = require('./helpers/gc');

// Each returns an ArrayBuffer that only the pool's memory keeps alive.
const CASES = {
  'Arena, fast': () => {
    const arena = new Arena(1 << 16);
    arena.free(arena.malloc(100));
    return arena.malloc(64).buffer;
  },
  'Arena, safe': () => {
    const arena = new Arena(1 << 16, { safe: true });
    arena.free(arena.malloc(100));
    return arena.malloc(64).buffer;
  },
  'Arena, a view transferred away': () => {
    const arena = new Arena(1 << 16);
    const kept = arena.malloc(64).buffer;
    transfer(kept);
    return kept;
  },
  'ArenaPool, an arena held': () => {
    const pool = new ArenaPool({ numArenas: 2, arenaSize: 1 << 16 });
    return pool.get().malloc(64).buffer;
  },
  'ScalableAllocator, fast, cached and partly freed blocks': () => {
    const pool = new ScalableAllocator({ leakDetection: 'disabled' });
    pool.free(pool.malloc(100));
    const head = pool.freeRest(pool.malloc(256), 10);
    pool.stats();
    return head.buffer;
  },
  'ScalableAllocator, safe': () => {
    const pool = new ScalableAllocator({ safe: true });
    pool.free(pool.malloc(100));
    return pool.malloc(64).buffer;
  },
  'ScalableAllocator, paranoid, with a RecyclableMemory': () => {
    const pool = new ScalableAllocator({ leakDetection: 'paranoid' });
    pool.recyclable().nextN(100);
    return pool.malloc(64).buffer;
  },
  'ScalableAllocator, a chunk transferred away and retired': () => {
    const pool = new ScalableAllocator({ leakDetection: 'disabled' });
    transfer(pool.malloc(100).buffer);
    pool.stats();
    return pool.malloc(64).buffer;
  },
  'BytePool, fast': () => {
    const pool = new BytePool([4096, 65536]);
    pool.put(pool.get(100));
    return pool.get(60000).buffer;
  },
  'BytePool, leak-tracked buffers released': () => {
    const pool = new BytePool([4096], { leakDetection: 'paranoid' });
    pool.getBuffer(100).release();
    return pool.get(100).buffer;
  },
  'BytePool, sampled buffers released, then closed': () => {
    const pool = new BytePool([4096]);
    for (let i = 0; i < 300; i++) pool.getBuffer(100).release();
    const slab = pool.get(100).buffer;
    pool.close();
    return slab;
  },
  'BytePool, safe': () => {
    const pool = new BytePool([4096], { safe: true });
    pool.put(pool.get(100));
    return pool.get(100).buffer;
  },
  'BytePool, a slab transferred away': () => {
    const pool = new BytePool([4096]);
    const slab = pool.get(100).buffer;
    transfer(slab);
    return pool.get(100).buffer;
  },
};

describe('a pool nobody keeps is collected with its memory', () => {
  test.each(Object.keys(CASES))('%s', async (name) => {
    const gone = watch(CASES[name]());
    expect(await until(gone, { timeoutMs: 15000 })).toBe(true);
  });
});
