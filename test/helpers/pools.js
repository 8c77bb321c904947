'use strict';
// Every way the library hands out a Buffer, as one list for the tests that
// must hold for all of them (alignment, conformance): each source makes a
// pool, takes buffers of a given length from it, and gives them back.
// `align` is the start alignment every buffer of that source must have.

const {
  Arena, ArenaPool, BytePool, ScalableAllocator, STRATEGIES, alloc, free,
} = require('../../lib');

const STRATEGY_ALIGN = { treap: 8, avl: 8, buddy: 64, 'first-fit': 16 };

function sources() {
  const out = [];
  for (const safe of [false, true]) {
    const mode = safe ? 'safe' : 'fast';
    for (const strategy of STRATEGIES) {
      out.push({
        name: `Arena ${mode} ${strategy}`,
        align: STRATEGY_ALIGN[strategy],
        open() {
          const arena = new Arena(1 << 20, { strategy, safe });
          return { take: (n) => arena.malloc(n), give: (b) => arena.free(b), close: () => arena.close() };
        },
      });
      out.push({
        name: `ScalableAllocator ${mode} ${strategy}`,
        align: STRATEGY_ALIGN[strategy],
        open() {
          const pool = new ScalableAllocator({ strategy, safe, chunkSize: 1 << 16, leakDetection: 'disabled' });
          return { take: (n) => pool.malloc(n), give: (b) => pool.free(b), close: () => pool.close() };
        },
      });
    }
  }
  out.push({
    name: 'BytePool get',
    align: 16,
    open() {
      const pool = new BytePool();
      return { take: (n) => pool.get(n), give: (b) => pool.put(b), close: () => pool.close() };
    },
  });
  out.push({
    name: 'BytePool getBuffer',
    align: 16,
    open() {
      const pool = new BytePool(undefined, { leakDetection: 'disabled' });
      const owners = new Map();
      return {
        take(n) {
          const p = pool.getBuffer(n);
          owners.set(p.bytes, p);
          return p.bytes;
        },
        give(b) {
          owners.get(b).release();
          owners.delete(b);
        },
        close: () => pool.close(),
      };
    },
  });
  out.push({
    name: 'alloc',
    align: 16,
    open: () => ({ take: (n) => alloc(n), give: (b) => free(b), close() {} }),
  });
  out.push({
    name: 'ArenaPool arena',
    align: 8,
    open() {
      const pool = new ArenaPool({ numArenas: 2, arenaSize: 1 << 20 });
      const arena = pool.get();
      return { take: (n) => arena.malloc(n), give: (b) => arena.free(b), close: () => pool.close() };
    },
  });
  return out;
}

module.exports = { sources };
