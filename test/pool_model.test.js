'use strict';
// Model-based test of the fast-mode pools behind the size-class cache (Arena,
// ScalableAllocator, alloc/free): seeded random mixes of malloc, whole and
// partial frees, double frees of kept views, foreign frees and the operations
// that settle the cache (stats, trim, recycle, RecyclableMemory) run against
// a model of which bytes each caller holds. After every step no two held
// ranges overlap, every held byte keeps its owner's tag, a refused free
// changes nothing, and ScalableAllocator's usedSize is the model's.

const {
  Arena, ArenaPool, ScalableAllocator, alloc, allocStats, free,
} = require('..');
const { expectCode } = require('./helpers/expect_error');
const { seededRandom } = require('./helpers/random');

const STEPS = 800;
const SEEDS = [1, 2, 3];

// Each kind: make() -> { malloc, free, used() (or null), settle(), extra ops, close }.
const KINDS = {
  'Arena treap': () => arenaPool(new Arena(4 << 20)),
  'Arena avl': () => arenaPool(new Arena(4 << 20, { strategy: 'avl' })),
  'Arena first-fit': () => arenaPool(new Arena(4 << 20, { strategy: 'first-fit' })),
  'ArenaPool holder': () => {
    const owner = new ArenaPool({ numArenas: 1, arenaSize: 4 << 20 });
    const pool = arenaPool(owner.get());
    const close = pool.close;
    pool.close = () => { close(); owner.close(); };
    return pool;
  },
  'ScalableAllocator treap': () => scalablePool({ chunkSize: 1 << 16 }),
  'ScalableAllocator avl': () => scalablePool({ chunkSize: 1 << 16, strategy: 'avl' }),
  'ScalableAllocator buddy': () => scalablePool({ chunkSize: 1 << 16, strategy: 'buddy' }),
  'ScalableAllocator paranoid': () => scalablePool({ chunkSize: 1 << 16, leakDetection: 'paranoid' }),
  'ScalableAllocator safe': () => scalablePool({ chunkSize: 1 << 16, safe: true }),
  'Arena safe': () => arenaPool(new Arena(4 << 20, { safe: true })),
  'alloc/free': () => ({
    malloc: alloc, free, used: null, settle: () => allocStats(), recycle: null, trim: null, recyclable: null, close() {},
  }),
};

function arenaPool(arena) {
  return {
    malloc: (n) => arena.malloc(n),
    free: (b) => arena.free(b),
    used: null, // aligned, and partial frees may leave granules held: checked at the end only
    settle: () => arena.usedSize + arena.freeSize,
    recycle: null,
    trim: null,
    recyclable: null,
    close: () => arena.close(),
    usedSize: () => arena.usedSize,
  };
}

function scalablePool(options) {
  const pool = new ScalableAllocator({ leakDetection: 'disabled', ...options });
  return {
    malloc: (n) => pool.malloc(n),
    free: (b) => pool.free(b),
    used: () => {
      const stats = pool.stats();
      expect(stats.totalMalloc - stats.totalFree).toBe(stats.usedSize); // the README's invariant
      return stats.usedSize;
    },
    settle: () => pool.stats(),
    recycle: () => pool.recycle(),
    trim: () => pool.trim(),
    recyclable: () => pool.recyclable(),
    freeRest: (b, keep) => pool.freeRest(b, keep),
    close: () => pool.close(),
    usedSize: () => pool.stats().usedSize,
  };
}

// A held buffer: its whole view, its tag, and the ranges of it still held.
function held(buf, tag) {
  return { buf, tag, pieces: [[0, buf.length]] };
}

function heldBytes(entries) {
  let n = 0;
  for (const e of entries) for (const [s, t] of e.pieces) n += t - s;
  return n;
}

const expected = Buffer.alloc(300000);

function checkModel(entries) {
  const ranges = [];
  for (const e of entries) {
    for (const [s, t] of e.pieces) {
      expected.fill(e.tag, 0, t - s);
      if (!e.buf.subarray(s, t).equals(expected.subarray(0, t - s))) throw new Error(`a held range lost its tag ${e.tag}`);
      ranges.push([e.buf.buffer, e.buf.byteOffset + s, e.buf.byteOffset + t]);
    }
  }
  const byBuffer = new Map();
  for (const r of ranges) {
    if (!byBuffer.has(r[0])) byBuffer.set(r[0], []);
    byBuffer.get(r[0]).push(r);
  }
  for (const list of byBuffer.values()) {
    list.sort((a, b) => a[1] - b[1]);
    for (let i = 1; i < list.length; i++) {
      if (list[i][1] < list[i - 1][2]) throw new Error('two held ranges overlap');
    }
  }
}

function size(rand) {
  const r = rand.int(20);
  if (r === 0) return rand.between(70000, 300000); // exact above alloc()'s classes, large classes elsewhere
  if (r < 5) return rand.between(300, 5000);
  return rand.between(1, 300);
}

function run(kind, seed) {
  const rand = seededRandom(seed);
  const pool = KINDS[kind]();
  const other = KINDS[kind === 'alloc/free' ? 'Arena treap' : kind](); // a foreign pool
  const foreign = other.malloc(64);
  const live = [];   // entries with every piece held
  const partly = []; // entries with some pieces freed, some held
  const stale = [];  // whole views of entries that ended (freed whole or in pieces, recycled)
  let tag = 0;
  const pick = (list) => list[rand.int(list.length)];
  const remove = (list, e) => list.splice(list.indexOf(e), 1);
  const all = () => live.concat(partly);
  const refused = (fn, ...codes) => {
    const before = heldBytes(all());
    let code;
    try {
      fn();
    } catch (err) {
      code = err.code;
    }
    expect(codes).toContain(code);
    expect(heldBytes(all())).toBe(before);
  };

  for (let step = 0; step < STEPS; step++) {
    const op = rand.int(100);
    if (op < 35 || live.length + partly.length === 0) {
      const n = size(rand);
      const buf = pool.malloc(n);
      if (buf === null) continue; // an Arena that is full
      tag = (tag % 255) + 1;
      buf.fill(tag);
      live.push(held(buf, tag));
    } else if (op < 55 && live.length > 0) {
      const e = pick(live);
      pool.free(e.buf);
      remove(live, e);
      stale.push(e.buf);
    } else if (op < 67) {
      // A piece of a held range, through a subarray (partial free).
      const source = rand.int(2) === 0 && partly.length > 0 ? partly : live;
      if (source.length === 0) continue;
      const e = pick(source);
      const k = rand.int(e.pieces.length);
      const [s, t] = e.pieces[k];
      const a = s + rand.int(t - s);
      const b = a + 1 + rand.int(t - a);
      pool.free(e.buf.subarray(a, b));
      e.pieces.splice(k, 1, ...[[s, a], [b, t]].filter(([x, y]) => y > x));
      if (source === live) {
        remove(live, e);
        partly.push(e);
      }
      if (e.pieces.length === 0) {
        remove(partly, e);
        stale.push(e.buf);
      }
    } else if (op < 75 && stale.length > 0) {
      // A view that reads length 0: of a chunk the allocator released (foreign
      // to it now), or of a leak-tracked allocation freed whole (a double free).
      const buf = pick(stale);
      if (buf.length === 0 && pool.trim !== null) {
        refused(() => pool.free(buf), 'ERR_POOLMEM_FOREIGN_BUFFER', 'ERR_POOLMEM_DOUBLE_FREE');
      } else {
        refused(() => pool.free(buf), 'ERR_POOLMEM_DOUBLE_FREE');
      }
    } else if (op < 77 && live.length > 0 && pool.freeRest !== undefined) {
      const e = pick(live);
      const keep = rand.int(e.buf.length);
      pool.freeRest(e.buf, keep);
      remove(live, e);
      e.pieces = keep > 0 ? [[0, keep]] : [];
      (keep > 0 ? partly : stale).push(keep > 0 ? e : e.buf);
    } else if (op < 79 && partly.length > 0) {
      refused(() => pool.free(pick(partly).buf), 'ERR_POOLMEM_DOUBLE_FREE'); // covers freed bytes
    } else if (op < 82) {
      refused(() => pool.free(foreign), 'ERR_POOLMEM_FOREIGN_BUFFER');
    } else if (op < 90) {
      pool.settle();
    } else if (op < 93 && pool.trim !== null) {
      pool.trim();
    } else if (op < 95 && pool.recycle !== null) {
      pool.recycle(); // every held view ends
      for (const e of all()) stale.push(e.buf);
      live.length = 0;
      partly.length = 0;
    } else if (op < 100 && pool.recyclable !== null && live.length > 0) {
      // A RecyclableMemory given whole views (and maybe one freed already).
      const rm = pool.recyclable();
      const given = [];
      for (let i = rand.int(3); i >= 0 && live.length > 0; i--) {
        const e = pick(live);
        remove(live, e);
        rm.addRecycleBytes(e.buf);
        given.push(e.buf);
      }
      const tags = [];
      for (let i = rand.int(3); i > 0; i--) {
        tag = (tag % 255) + 1;
        tags.push(tag);
        rm.nextN(size(rand)).fill(tag);
      }
      const kept = stale.length > 0 ? pick(stale) : null;
      if (kept !== null && kept.length > 0 && rand.int(2) === 0) { // not of a released chunk: foreign
        rm.addRecycleBytes(kept);
        expectCode(() => rm.recycle(), 'ERR_POOLMEM_DOUBLE_FREE');
      } else {
        rm.recycle();
      }
      stale.push(...given);
    }
    checkModel(all());
    if (pool.used !== null && step % 7 === 0) expect(pool.used()).toBe(heldBytes(all()));
  }
  for (const e of all()) {
    for (const [s, t] of e.pieces) pool.free(e.buf.subarray(s, t));
  }
  if (pool.usedSize !== undefined) expect(pool.usedSize()).toBe(0);
  other.free(foreign);
  pool.close();
  other.close();
}

describe.each(Object.keys(KINDS))('%s against a model of what callers hold', (kind) => {
  test.each(SEEDS)('seed %i', (seed) => {
    const before = kind === 'alloc/free' ? allocStats().usedSize : 0;
    run(kind, seed);
    if (kind === 'alloc/free') expect(allocStats().usedSize).toBe(before);
  });
});
