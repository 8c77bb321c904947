'use strict';
// The size-class cache in front of Arena and ScalableAllocator (fast mode,
// treap and avl): classes, reuse without native calls, and the rule that
// whatever native code judges (partial, foreign and double frees, stats) sees
// exactly what callers hold, so no byte is ever handed to two owners.

const { spawnSync } = require('node:child_process');
const { Arena, ScalableAllocator, alloc, allocStats, free } = require('..');
const processAllocator = require('../lib/process_allocator');
const binding = require('../lib/internal/binding');
const {
  BlockCache, CACHED, EXACT, FREE, LIVE, MAX_CLASS_SIZE, SETTLED, classBytes, classIndex,
} = require('../lib/internal/block_cache');
const { expectCode } = require('./helpers/expect_error');
const { seededRandom } = require('./helpers/random');
const { childEnv, childNode } = require('./helpers/child_env');
const { TRANSFER_FLAGS } = require('./helpers/transfer');

const plainScalable = () => new ScalableAllocator({ leakDetection: 'disabled' });
// alloc()/free() seen as a pool: usedSize counts this thread's blocks since
// it was made (the process allocator's granules are 16 bytes).
function processPool() {
  const base = allocStats().usedSize;
  return {
    malloc: alloc, free, close() {}, granule: 16, maxClass: processAllocator.MAX_CLASS,
    get usedSize() { return allocStats().usedSize - base; },
  };
}
const POOLS = [
  ['Arena', () => new Arena(64 << 20)],
  ['ScalableAllocator', plainScalable],
  ['alloc/free', processPool],
];

// True when fn made a native allocate or free call: every such call writes
// the scratch slots lib/ shares with native code, which start out as NaN here.
function callsNative(fn) {
  const scratches = [binding.arenaScratch, binding.scalableScratch, binding.processScratch];
  for (const s of scratches) s.fill(NaN);
  fn();
  return scratches.some((s) => s.some((v) => !Number.isNaN(v)));
}

// `stale`, a view whose handout ended, covers the bytes `owner` (filled with 7)
// was handed since: freeing it (through `freeStale`) is a double free, the
// next malloc of n bytes gets other bytes, and the owner's are untouched.
// Returns that next buffer.
function expectOwnerKept(pool, stale, owner, n, freeStale = () => pool.free(stale)) {
  expect([owner.buffer, owner.byteOffset]).toEqual([stale.buffer, stale.byteOffset]);
  expectCode(freeStale, 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
  const next = pool.malloc(n);
  expect(next.buffer === owner.buffer && next.byteOffset === owner.byteOffset).toBe(false);
  expect(owner.every((x) => x === 7)).toBe(true);
  return next;
}

describe('size classes', () => {
  test('8-byte steps to 64 B, then four per power of two up to 16 MiB, at most 20% slack above 64 B', () => {
    const bad = [];
    let last = -1;
    for (let n = 1; n <= MAX_CLASS_SIZE; n++) {
      const i = classIndex(n);
      const size = classBytes(i);
      if ((i !== last && i !== last + 1) || size < n || (n > 64 ? (size - n) / size > 0.2 : size - n >= 8)) bad.push(n);
      last = i;
    }
    expect(bad).toEqual([]);
    expect(classIndex(MAX_CLASS_SIZE)).toBe(79);
    expect([8, 9, 64, 65, 80, 81, 128, 129].map(classIndex)).toEqual([0, 1, 7, 8, 8, 9, 11, 12]);
  });
});

describe.each(POOLS)('%s: the size-class cache', (name, make) => {
  test('a freed block comes back for any size of its class, with no native call', () => {
    const pool = make();
    const keep = pool.malloc(40); // so the block is not at the start
    const a = pool.malloc(100); // class 112
    pool.free(a);
    let b;
    expect(callsNative(() => { b = pool.malloc(110); })).toBe(false);
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(a.byteOffset);
    expect(b.length).toBe(110);
    expect(callsNative(() => pool.free(b))).toBe(false);
    expect(callsNative(() => pool.free(pool.malloc((pool.maxClass ?? MAX_CLASS_SIZE) + 1)))).toBe(true); // above the classes: exact, native
    pool.free(keep);
    pool.close();
  });

  test('a second free of the same view, or of a view kept after free, is a double free', () => {
    const pool = make();
    const a = pool.malloc(100);
    pool.free(a);
    expectCode(() => pool.free(a), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
    const b = pool.malloc(100); // a's block again, b's generation
    expect(b.byteOffset).toBe(a.byteOffset);
    pool.free(b);
    expectCode(() => pool.free(b), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
    pool.close();
  });

  test('a view kept after free is a double free even once the cache settled its block\'s new owner', () => {
    const pool = make();
    const keep = pool.malloc(16);
    const a = pool.malloc(100);
    pool.free(a);
    const b = pool.malloc(100).fill(5); // a's block, a new owner
    expect([b.buffer, b.byteOffset]).toEqual([a.buffer, a.byteOffset]);
    pool.free(keep.subarray(0, 8)); // a partial free settles the cache: b leaves it, live
    expectCode(() => pool.free(a), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
    const c = pool.malloc(100).fill(9);
    expect(b.every((x) => x === 5)).toBe(true);
    pool.free(b); // its own view: the strategy frees it
    expectCode(() => pool.free(b), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
    expectCode(() => pool.free(a), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
    pool.free(c);
    pool.free(keep.subarray(8));
    if (name !== 'ScalableAllocator') expect(pool.usedSize).toBe(0);
    else expect(pool.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
    pool.close();
  });

  test('a partial free, then the rest: the slack and every byte go back, nothing is handed out twice', () => {
    const pool = make();
    const owners = [];
    const a = pool.malloc(100); // class 112: 12 bytes of slack native code holds
    a.fill(1);
    pool.free(a.subarray(0, 8));
    pool.free(a.subarray(8));
    expectCode(() => pool.free(a), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError'); // the whole view, after its pieces
    for (let i = 0; i < 64; i++) owners.push(pool.malloc(8 + (i % 120)).fill(i));
    owners.forEach((buf, i) => expect(buf.every((x) => x === i)).toBe(true));
    for (const buf of owners) pool.free(buf);
    if (name !== 'ScalableAllocator') expect(pool.usedSize).toBe(0);
    else expect(pool.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
    pool.close();
  });

  test.each([['a class block', () => 128], ['an exact block', (pool) => (pool.maxClass ?? MAX_CLASS_SIZE) + 16]])(
    'a view freed piecewise whose bytes were handed out again (%s): its free is a double free', (kind, sizeOf) => {
      const pool = make();
      const n = sizeOf(pool);
      const keep = pool.malloc(64);
      const a = pool.malloc(n);
      pool.free(a.subarray(0, n / 2));
      pool.free(a.subarray(n / 2));
      const owner = pool.malloc(n).fill(7); // a's bytes, a new owner
      const next = expectOwnerKept(pool, a, owner, n);
      // Half freed, then the whole view: a double free too, and the other half still frees.
      pool.free(owner.subarray(0, 8));
      expectCode(() => pool.free(owner), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
      pool.free(owner.subarray(8));
      for (const b of [keep, next]) pool.free(b);
      if (name !== 'ScalableAllocator') expect(pool.usedSize).toBe(0);
      else expect(pool.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
      pool.close();
    });

  test('a foreign view over a cached block is refused and changes nothing', () => {
    const pool = make();
    const keep = pool.malloc(64);
    const a = pool.malloc(64);
    pool.free(a); // cached: native code still holds it
    const over = new Uint8Array(keep.buffer, keep.byteOffset, 128); // keep + the cached block
    expectCode(() => pool.free(over), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
    keep.fill(7);
    const b = pool.malloc(64);
    b.fill(9);
    expect(keep.every((x) => x === 7)).toBe(true);
    pool.free(keep);
    pool.free(b);
    pool.close();
  });

  test('a ring of outstanding buffers freed out of order keeps contents and counters exact', () => {
    const pool = make();
    let x = 12345;
    const rand = (n) => {
      x = (x * 1103515245 + 12345) >>> 0;
      return x % n;
    };
    const ring = [];
    const granule = pool.granule ?? 8;
    let used = 0;
    for (let step = 0; step < 5000; step++) {
      if (ring.length > 0 && (ring.length >= 32 || rand(2) === 0)) {
        const [buf, tag] = ring.splice(rand(ring.length), 1)[0];
        expect(buf.equals(Buffer.alloc(buf.length, tag))).toBe(true);
        used -= Math.ceil(buf.length / granule) * granule;
        pool.free(buf);
      } else {
        const n = 1 + rand(rand(4) === 0 ? 200000 : 3000);
        const tag = rand(256);
        ring.push([pool.malloc(n).fill(tag), tag]);
        used += Math.ceil(n / granule) * granule;
      }
      if (name !== 'ScalableAllocator' && step % 97 === 0) expect(pool.usedSize).toBe(used);
    }
    for (const [buf, tag] of ring) {
      expect(buf.equals(Buffer.alloc(buf.length, tag))).toBe(true);
      pool.free(buf);
    }
    if (name !== 'ScalableAllocator') expect(pool.usedSize).toBe(0);
    else expect(pool.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
    pool.close();
  });
});

describe('a view kept after free, once its block id serves a block in another chunk', () => {
  // The cache reuses ids across chunks (arenas for alloc()): the kept view's
  // record names an id whose block now lies elsewhere, and its bytes may
  // belong to a new owner under another id. Its free is a double free.
  test('ScalableAllocator: is a double free and leaves the new owner of its bytes alone', () => {
    const pool = new ScalableAllocator({ chunkSize: 1 << 16, leakDetection: 'disabled' });
    const a = pool.malloc(100);
    pool.free(a);
    pool.stats(); // settles: a's block goes back to the strategy, its id is free
    const far = pool.malloc(200000); // a's id, in a new chunk
    expect(far.buffer).not.toBe(a.buffer);
    const owner = pool.malloc(100).fill(7); // a's bytes, another id
    const next = expectOwnerKept(pool, a, owner, 100);
    pool.free(owner);
    pool.free(next);
    pool.free(far);
    expect(pool.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
    pool.close();
  });

  test('alloc/free: is a double free and leaves the new owner of its bytes alone', () => {
    // A fresh process: the arena layout below needs an empty allocator.
    const script = `
      const { alloc, free, allocStats } = require(${JSON.stringify(require.resolve('..'))});
      const fill = [alloc(300000), alloc(300000), alloc(300000), alloc(98304)]; // 1 MiB arena: 50,272 bytes left
      const a = alloc(100);
      free(a);
      allocStats(); // settles: a's block goes back to its arena, its id is free
      const far = alloc(200000); // a's id, in another arena
      const owner = alloc(100).fill(7); // a's bytes, another id
      let code;
      try { free(a); } catch (err) { code = err.code; }
      const next = alloc(100).fill(9);
      process.stdout.write(JSON.stringify({
        layout: far.buffer !== a.buffer && owner.buffer === a.buffer && owner.byteOffset === a.byteOffset,
        code,
        aliased: next.buffer === owner.buffer && next.byteOffset === owner.byteOffset,
        intact: owner.every((x) => x === 7),
      }));
      for (const b of [...fill, far, owner, next]) free(b);
    `;
    const [node, ...leading] = childNode();
    const r = spawnSync(node, [...leading, '-e', script], { encoding: 'utf8', env: childEnv(), timeout: 60000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ layout: true, code: 'ERR_POOLMEM_DOUBLE_FREE', aliased: false, intact: true });
  });
});

describe('Arena: the size-class cache and a full arena', () => {
  test('blocks cached for one class go back when another class needs the room', () => {
    const arena = new Arena(4096);
    const bufs = [];
    for (let i = 0; i < 32; i++) bufs.push(arena.malloc(128));
    expect(arena.malloc(8)).toBeNull();
    for (const b of bufs) arena.free(b); // all cached
    expect(arena.usedSize).toBe(0);
    const whole = arena.malloc(4096);
    expect(whole).not.toBeNull();
    expect(whole.byteOffset).toBe(0);
    arena.free(whole);
    arena.close();
  });

  test('a request that only fits unrounded still fits', () => {
    const arena = new Arena(1000);
    expect(arena.malloc(1000)?.length).toBe(1000); // its class (1024) does not fit
    arena.close();
  });

  test('ScalableAllocator: stats count bytes asked for, not class sizes', () => {
    const pool = plainScalable();
    const a = pool.malloc(100);
    pool.free(a);
    const b = pool.malloc(90);
    expect(pool.stats()).toMatchObject({ usedSize: 90, allocations: 1, totalMalloc: 190, totalFree: 100 });
    pool.free(b);
    expect(pool.stats()).toMatchObject({ usedSize: 0, allocations: 0, totalMalloc: 190, totalFree: 190 });
    pool.close();
  });
});

describe('BlockCache: chunk numbers', () => {
  test('are kept exactly up to 2^53 (alloc() arena ids grow with every arena mapped)', () => {
    const cache = new BlockCache(16, 1 << 20);
    const arena = 2 ** 40 + 5;
    const id = cache.add(arena, 64, classIndex(64), 64);
    expect(cache.chunk[id]).toBe(arena);
    cache.release(id, cache.gen[id]);
    expect(cache.take(classIndex(64), 64)).toBe(id);
    expect(cache.chunk[id]).toBe(arena);
  });
});

describe('BlockCache: the park in front of the stacks', () => {
  const c64 = classIndex(64);
  const c100 = classIndex(100);
  const handOut = (cache, index, n, count) => Array.from({ length: count }, (_, i) => cache.add(0, i * 256, index, n));

  test('every class hands out its most recently freed block first, parked or stacked', () => {
    const cache = new BlockCache(8, 1 << 20);
    const [a, b, c] = handOut(cache, c64, 64, 3);
    const [d] = handOut(cache, c100, 100, 1);
    for (const id of [a, b, d, c]) expect(cache.release(id, cache.gen[id])).toBe(CACHED);
    expect(cache.parked).toBe(c);
    expect(cache.take(c100, 100)).toBe(d); // from its stack: the park holds another class
    expect([cache.take(c64, 64), cache.take(c64, 64), cache.take(c64, 64), cache.take(c64, 64)]).toEqual([c, b, a, -1]);
    expect(cache.cachedBytes).toBe(0);
  });

  test('a parked block is cached: freeing its view again is a double free, and it counts as cached bytes', () => {
    const cache = new BlockCache(8, 1 << 20);
    const [a] = handOut(cache, c64, 60, 1);
    const gen = cache.gen[a];
    expect(cache.release(a, gen)).toBe(CACHED);
    expect(cache.release(a, gen)).toBe(FREE);
    expect(cache.cachedBytes).toBe(cache.sizes[c64]);
    expect(cache.slack()).toBe(0);
    const again = cache.take(c64, 60);
    expect(again).toBe(a);
    expect(cache.release(a, gen)).toBe(FREE); // the first handout's view, kept after free
    expect(cache.slack()).toBe(cache.sizes[c64] - 64);
  });

  test('settle() gives the parked block back to the strategy, and clear() and dropChunk() forget it', () => {
    const cache = new BlockCache(8, 1 << 20);
    const [a, b] = handOut(cache, c64, 64, 2);
    cache.release(a, cache.gen[a]);
    cache.release(b, cache.gen[b]);
    const freed = [];
    cache.freeRange = (chunk, offset, size) => freed.push([chunk, offset, size]);
    cache.settle();
    expect(freed.sort((x, y) => x[1] - y[1])).toEqual([[0, 0, 64], [0, 256, 64]]);
    expect(cache.parked).toBe(-1);
    expect(cache.take(c64, 64)).toBe(-1);
    for (const forget of [(c) => c.clear(), (c) => c.dropChunk(0)]) {
      const [x] = handOut(cache, c64, 64, 1);
      cache.release(x, cache.gen[x]);
      forget(cache);
      expect(cache.parked).toBe(-1);
      expect(cache.cachedBytes).toBe(0);
      expect(cache.take(c64, 64)).toBe(-1);
    }
  });
});

// A free of a range no whole block view covers (a subarray, freeRest's tail)
// makes the strategy exact where the range lies, not everywhere: with
// thousands of buffers outstanding, settling them all (and scanning every id
// for the blocks a piece touches) made each such free cost time in
// proportion to them.
describe('BlockCache: frees of pieces settle only what they touch', () => {
  const c100 = classIndex(100);
  function cacheWith(count, n = 100) {
    const freed = [];
    const cache = new BlockCache(8, 1 << 20, undefined, (chunk, offset, size) => freed.push([chunk, offset, size]));
    const ids = Array.from({ length: count }, (_, i) => cache.add(i % 2, 1024 * (i >> 1), c100, n));
    return { cache, ids, freed };
  }

  test('a piece inside a live class block settles that block alone and gives back its slack', () => {
    const { cache, ids, freed } = cacheWith(1000);
    const id = ids[501]; // chunk 1, offset 250 KiB
    const at = cache.offset[id];
    const touched = cache.settlePiece(1, at + 40, at + 100);
    expect(cache.liveClassBlocks).toBe(999);
    expect(cache.state[id]).toBe(SETTLED);
    expect(freed).toEqual([[1, at + 100, cache.sizes[c100] - 100]]);
    expect(ids.filter((other) => cache.state[other] === LIVE)).toHaveLength(999);
    cache.piecesFreed(touched, at + 40, at + 100);
    expect(cache.held[id]).toBe(40);
    cache.piecesFreed(cache.settlePiece(1, at, at + 40), at, at + 40); // its last bytes: the handout ends
    expect(cache.state[id]).toBe(FREE);
    expect(cache.state[ids[500]]).toBe(LIVE); // the same offset in the other chunk
  });

  test('a piece reaching cached bytes or a live block\'s slack settles everything', () => {
    const stale = cacheWith(8);
    stale.cache.release(stale.ids[2], stale.cache.gen[stale.ids[2]]);
    const at = stale.cache.offset[stale.ids[2]];
    stale.cache.settlePiece(0, at, at + 8); // a stale view's piece of a cached block
    expect(stale.cache.settles()).toBe(false);
    expect(stale.freed).toHaveLength(8); // the cached block, and the slack of the 7 live ones
    const beyond = cacheWith(8);
    const slack = beyond.cache.offset[beyond.ids[4]] + 100;
    beyond.cache.settlePiece(0, slack, slack + 8); // beyond what its caller was handed
    expect(beyond.cache.settles()).toBe(false);
    expect(beyond.freed).toHaveLength(8);
  });

  test('blocks placed after the first piece, over and over at one place, are found; retired ones are not', () => {
    const { cache, ids } = cacheWith(4);
    cache.settlePiece(0, 0, 8); // builds the index
    for (let round = 0; round < 200; round++) {
      const id = cache.add(0, 8192, c100, 100);
      expect(cache.state[id]).toBe(LIVE);
      cache.settlePiece(0, 8192 + 10, 8192 + 20);
      expect(cache.state[id]).toBe(SETTLED);
      cache.piecesFreed(cache.settlePiece(0, 8192, 8192 + 100), 8192, 8192 + 100);
      expect(cache.state[id]).toBe(FREE);
    }
    for (const id of ids.slice(1)) expect([LIVE, SETTLED]).toContain(cache.state[id]);
  });
});

describe('BlockCache#dropChunk()', () => {
  test('forgets every block of one chunk, cached or live, and keeps the counters of the others exact', () => {
    const cache = new BlockCache(8, 1 << 20);
    const c64 = classIndex(64);
    const c100 = classIndex(100);
    const ids = (chunk) => ({
      cached: cache.add(chunk, 0, c64, 64),
      live: cache.add(chunk, 64, c100, 100),
      exact: cache.add(chunk, 1000, EXACT, 5000),
    });
    const a = ids(0);
    const b = ids(1);
    expect(cache.release(a.cached, cache.gen[a.cached])).toBe(CACHED);
    expect(cache.release(b.cached, cache.gen[b.cached])).toBe(CACHED);
    const slackOfOne = cache.slack() / 2;
    cache.dropChunk(0);
    expect([a.cached, a.live, a.exact].map((id) => cache.state[id])).toEqual([FREE, SETTLED, SETTLED]);
    expect(cache.cachedBytes).toBe(cache.sizes[c64]);
    expect(cache.slack()).toBe(slackOfOne);
    expect(cache.liveClassBlocks).toBe(1);
    expect(cache.take(c64, 64)).toBe(b.cached); // chunk 1's cached block is still there
    expect(cache.take(c64, 64)).toBe(-1);
    expect(cache.state[b.live]).toBe(LIVE);
    expect(cache.state[b.exact]).toBe(LIVE);
    // A dropped block keeps its id until its view comes back (the owner's
    // slow path decides); after that, and once the id serves another block,
    // the old record is a double free.
    const gen = cache.gen[a.live];
    const reusedFirst = cache.add(1, 2000, c100, 100);
    expect(reusedFirst).not.toBe(a.live);
    expect(cache.release(a.live, gen)).toBe(SETTLED);
    expect(cache.release(a.live, gen)).toBe(FREE);
    const reused = cache.add(1, 3000, c100, 100);
    expect(reused).toBe(a.live);
    expect(cache.release(a.live, gen)).toBe(FREE);
  });
});

// The lanes (an owner's allocate-then-free fast path) read one block from
// plain fields copied out of the typed arrays. Any change to that block other
// than the lanes' own must end the copy, or a view of an ended handout would
// be taken back as current: a random walk over every operation checks that
// the copy, while it lasts, says what the typed arrays say, and that the
// lanes keep the cap.
describe('BlockCache: the lanes\' copy of their block', () => {
  const c64 = classIndex(64);

  // While laneId >= 0: parked, or LIVE at laneGen, placed as the copy says.
  function expectLaneCurrent(cache) {
    const id = cache.laneId;
    if (id < 0) return;
    expect({
      chunk: cache.chunk[id], offset: cache.offset[id], length: cache.length[id], bytes: cache.sizes[cache.klass[id]],
      gen: cache.gen[id], state: cache.state[id], parked: cache.parked === id,
    }).toEqual({
      chunk: cache.laneChunk, offset: cache.laneOffset, length: cache.laneLength, bytes: cache.laneBytes,
      gen: cache.laneGen, state: cache.parked === id ? CACHED : LIVE, parked: cache.parked === id,
    });
  }

  test('the free lane parks only within the cap, and only the current handout', () => {
    const c128 = classIndex(128);
    const cache = new BlockCache(8, 192);
    const lane = cache.add(0, 0, c128, 128);
    const [b, c, d] = [1, 2, 3].map((i) => cache.add(0, i * 256, c64, 64));
    expect(cache.release(lane, cache.gen[lane])).toBe(CACHED);
    cache.mirror(lane, null, null);
    const gen = cache.reissue();
    for (const id of [b, c, d]) expect(cache.release(id, cache.gen[id])).toBe(CACHED);
    expect(cache.take(c64, 64)).toBe(d); // the park is empty, 128 bytes on the stack
    expect(cache.parkLane((gen + 1) & 0x3fffffff)).toBe(false); // not the current handout
    expect(cache.parkLane(gen)).toBe(false); // 128 + 128 > 192
    expect([cache.parked, cache.state[lane], cache.cachedBytes]).toEqual([-1, LIVE, 128]);
    expect(cache.take(c64, 64)).toBe(c);
    expect(cache.parkLane(gen)).toBe(true); // 64 + 128
    expect([cache.parked, cache.state[lane], cache.cachedBytes]).toEqual([lane, CACHED, 192]);
  });

  test.each([1, 2, 3, 4, 5, 6, 7, 8])('holds through a random walk of every operation (seed %i)', (seed) => {
    const random = seededRandom(seed);
    const cache = new BlockCache(8, 512); // room for a few blocks: the cap is often what decides
    cache.freeRange = () => {};
    let handouts = []; // [id, gen] of every view whose handout has not ended
    let nextOffset = 0;
    const end = (id) => { handouts = handouts.filter((h) => h[0] !== id); };
    const sizeOf = () => [64, 60, 100, 90][random.int(4)];
    const ops = [
      () => { // a new block
        const n = random.int(8) === 0 ? 200 : sizeOf();
        const index = n === 200 ? EXACT : classIndex(n);
        const id = cache.add(random.int(2), nextOffset, index, n);
        nextOffset += 256;
        handouts.push([id, cache.gen[id]]);
      },
      () => { // take()
        const n = sizeOf();
        const id = cache.take(classIndex(n), n);
        if (id >= 0) handouts.push([id, cache.gen[id]]);
      },
      () => { // release() of a current view, or of an ended one
        if (handouts.length === 0) return;
        const [id, gen] = handouts[random.int(handouts.length)];
        const state = cache.release(id, gen);
        if (state === LIVE) cache.drop(id);
        end(id);
        expect(cache.release(id, gen)).toBe(FREE);
      },
      () => { // the malloc lane
        const id = cache.parked;
        if (id < 0) return;
        if (id !== cache.laneId) cache.mirror(id, null, null);
        handouts.push([id, cache.reissue()]);
      },
      () => { // the free lane, of the lane's block's views, current or not
        const id = cache.laneId;
        if (id < 0 || cache.parked >= 0) return;
        const current = handouts.find((h) => h[0] === id);
        if (random.int(2) === 0 || current === undefined) {
          expect(cache.parkLane((cache.laneGen + 1 + random.int(3)) & 0x3fffffff)).toBe(false);
        } else if (cache.parkLane(current[1])) {
          end(id);
        }
      },
      () => { // freeRest()
        if (handouts.length === 0) return;
        const [id, gen] = handouts[random.int(handouts.length)];
        const keep = 1 + random.int(cache.length[id] - 1);
        if (cache.restOf(id, keep) < 0) return;
        end(id);
        handouts.push([id, cache.shrink(id, keep)]);
        expect(gen).not.toBe(cache.gen[id]);
      },
      () => (random.int(2) === 0 ? cache.settle() : cache.settleCached()),
      () => { // a chunk transferred away, or the pool reset
        if (random.int(4) !== 0) return;
        if (random.int(2) === 0) {
          cache.dropChunk(random.int(2)); // its live blocks become SETTLED: their views stay current
        } else {
          cache.clear();
          handouts = [];
        }
      },
    ];
    const weights = [3, 3, 4, 4, 4, 1, 1, 1];
    const pick = () => {
      let r = random.int(weights.reduce((x, y) => x + y));
      for (let i = 0; ; i++) if ((r -= weights[i]) < 0) return ops[i];
    };
    let lanes = 0;
    for (let step = 0; step < 3000; step++) {
      pick()();
      expectLaneCurrent(cache);
      expect(cache.cachedBytes).toBeLessThanOrEqual(512);
      if (cache.laneId >= 0) lanes++;
    }
    expect(lanes).toBeGreaterThan(300); // the walk did use the lanes
  });
});

describe('a fast-mode Arena whose memory a caller transferred', () => {
  test('malloc throws ERR_INVALID_STATE and hands out nothing', () => {
    const script = `
      const { Arena } = require(${JSON.stringify(require.resolve('..'))});
      const arena = new Arena(4096);
      const buf = arena.malloc(64);
      const moved = buf.buffer.transfer();
      let code;
      try { arena.malloc(64); } catch (err) { code = err.code; }
      process.stdout.write(JSON.stringify({ code, moved: moved.byteLength }));
    `;
    const r = spawnSync(process.execPath, [...TRANSFER_FLAGS, '-e', script], { encoding: 'utf8', timeout: 60000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ code: 'ERR_INVALID_STATE', moved: 4096 });
  });
});

describe('ScalableAllocator: RecyclableMemory blocks and the size-class cache', () => {
  test('nextN() blocks go back through the cache: recycle() makes no native call and settles nothing', () => {
    const pool = plainScalable();
    const outstanding = [pool.malloc(100), pool.malloc(3000)]; // live class blocks a settle would touch
    const rm = pool.recyclable();
    const a = rm.nextN(1000);
    rm.nextN(200);
    expect(callsNative(() => rm.recycle())).toBe(false);
    const again = pool.malloc(1000); // a's block, from the cache
    expect(again.byteOffset).toBe(a.byteOffset);
    pool.free(again);
    for (const b of outstanding) pool.free(b);
    expect(pool.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
    pool.close();
  });

  test('a piece given to recycle() settles only the block it cuts: other live buffers still free through the cache', () => {
    const pool = plainScalable();
    const other = pool.malloc(300); // a live class block a full settle would take out of the cache
    const cut = pool.malloc(300);
    const rm = pool.recyclable();
    rm.addRecycleBytes(cut.subarray(100)); // a piece: recycle() frees it natively
    rm.recycle();
    expect(callsNative(() => pool.free(other))).toBe(false); // still a cache block
    pool.free(cut.subarray(0, 100));
    expectCode(() => pool.free(cut), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError'); // its bytes went piecewise
    expect(pool.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
    pool.close();
  });

  test('a nextN() buffer also freed with free() is a double free at recycle(), and is never handed out twice', () => {
    const pool = plainScalable();
    const rm = pool.recyclable();
    const a = rm.nextN(500);
    pool.free(a); // cached
    const b = pool.malloc(500); // the same block, a new owner
    b.fill(3);
    expectCode(() => rm.recycle(), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
    const c = pool.malloc(500);
    expect(c.byteOffset === b.byteOffset && c.buffer === b.buffer).toBe(false);
    expect(b.every((x) => x === 3)).toBe(true);
    pool.free(b);
    pool.free(c);
    expect(pool.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
    pool.close();
  });

  test('addRecycleBytes() of a settled view: after recycle(), free() of the view is a double free', () => {
    const pool = plainScalable();
    const keep = pool.malloc(16);
    const a = pool.malloc(100);
    pool.stats(); // settles: a is a live block outside the cache
    const rm = pool.recyclable();
    rm.addRecycleBytes(a);
    rm.recycle();
    const owner = pool.malloc(100).fill(7); // a's bytes
    const next = expectOwnerKept(pool, a, owner, 100);
    for (const b of [keep, owner, next]) pool.free(b);
    expect(pool.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
    pool.close();
  });

  test('addRecycleBytes() of a view freed (and settled) already: recycle() is a double free and frees nothing', () => {
    const pool = plainScalable();
    const keep = pool.malloc(16);
    const a = pool.malloc(100);
    pool.free(a);
    pool.stats(); // settles: a's block goes back to the strategy
    const owner = pool.malloc(100).fill(7); // a's bytes, a new owner
    const rm = pool.recyclable();
    rm.addRecycleBytes(a);
    const next = expectOwnerKept(pool, a, owner, 100, () => rm.recycle());
    for (const b of [keep, owner, next]) pool.free(b);
    expect(pool.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
    pool.close();
  });

  test('addRecycleBytes() of every piece of a view: after recycle() and a new owner, free() of the view is a double free', () => {
    const pool = plainScalable();
    const keep = pool.malloc(16);
    const a = pool.malloc(128);
    const rm = pool.recyclable();
    rm.addRecycleBytes(a.subarray(0, 64));
    rm.addRecycleBytes(a.subarray(64));
    rm.recycle();
    const owner = pool.malloc(128).fill(7); // a's bytes
    const next = expectOwnerKept(pool, a, owner, 128);
    for (const b of [keep, owner, next]) pool.free(b);
    expect(pool.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
    pool.close();
  });

  test('addRecycleBytes() of a subarray: recycle() settles the cache and frees exactly those bytes', () => {
    const pool = plainScalable();
    const whole = pool.malloc(1000);
    const rm = pool.recyclable();
    rm.addRecycleBytes(whole.subarray(0, 400));
    rm.recycle();
    pool.free(whole.subarray(400));
    expectCode(() => pool.free(whole), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
    expect(pool.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
    pool.close();
  });
});

describe('BlockCache: settling', () => {
  // A settled block keeps its id until its view comes back, so a server with
  // many buffers outstanding has many settled ids; settle() (every borrow(),
  // stats(), trim()) and slack() (usedSize) must not walk them all each time.
  test('settle() and slack() visit only the blocks added since the last settle', () => {
    const cache = new BlockCache(8, 1 << 20, () => -1, () => {});
    const index = classIndex(1000);
    for (let i = 0; i < 10000; i++) cache.add(0, i * 1024, index, 1000);
    cache.settle();
    const fresh = cache.add(0, 10000 * 1024, index, 1000);
    let reads = 0;
    const counted = (array) => new Proxy(array, {
      get(target, key) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key);
      },
    });
    cache.state = counted(cache.state);
    cache.klass = counted(cache.klass);
    expect(cache.slack()).toBe(cache.sizes[index] - 1000);
    cache.settle();
    expect(cache.state[fresh]).toBe(SETTLED);
    expect(cache.slack()).toBe(0);
    expect(reads).toBeLessThan(20);
  });
});

describe('ScalableAllocator#borrow() and the cache', () => {
  // borrow() needs the free memory the cache holds, not the slack of blocks
  // still handed out: those stay in the cache, and their frees stay in JS.
  test('returns cached blocks to the strategy, and leaves live ones alone', () => {
    const a = plainScalable();
    const live = a.malloc(100);
    const cached = a.malloc(3000);
    a.free(cached);
    const lent = a.borrow(3000); // the cached block's bytes are free for it
    expect(lent.buffer === cached.buffer && lent.byteOffset === cached.byteOffset).toBe(true);
    expect(callsNative(() => a.free(live))).toBe(false);
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
    a.close();
  });
});
