'use strict';
// A model-based fuzzer over the public API, driven by fast-check: a program is
// a list of steps over one world of pools (Arena fast in every strategy and
// safe, ScalableAllocator fast/safe with borrow, freeRest, trim, recycle and
// RecyclableMemory, BytePool get/put/getBuffer/retain/release, alloc/free,
// ArenaPool), with hostile arguments (subclass getters that re-enter a pool
// and lie, valueOf and string offsets, Proxies, detached, foreign and other
// pools' views, bad numbers), and allocate-then-free runs (a malloc of the
// length just freed, a free of the buffer just handed out). After every step:
// live allocations never share bytes (same ArrayBuffer ranges, and each holds
// its own pattern, which also catches two ArrayBuffers over the same memory),
// a call that threw changed nothing, and no caller code ran inside a pool
// call. Counters are exact at each `stats` step and at the end (checking
// ScalableAllocator's after every step would settle its cache every time).

const fc = require('fast-check');
const poolmem = require('../..');
const { transfer } = require('./transfer');

const { Arena, ArenaPool, BytePool, STRATEGIES, ScalableAllocator, alloc, free } = poolmem;

const TA = Object.getPrototypeOf(Uint8Array.prototype);
const intrinsic = (name) => {
  const get = Object.getOwnPropertyDescriptor(TA, name).get;
  return (v) => Reflect.apply(get, v, []);
};
const realBuffer = intrinsic('buffer');
const realOffset = intrinsic('byteOffset');
const realLength = intrinsic('byteLength');

const EXACT = new Set(['treap', 'avl']);
const ALIGNMENT = 8; // the pools' default: a granule is used while any of its bytes is live

// Bytes in the granules that live buffers touch (per ArrayBuffer: chunk, or a safe-mode block).
function granuleBytes(entries) {
  const granules = new Map();
  for (const e of entries) {
    const len = realLength(e.buf);
    if (len === 0) continue;
    const ab = realBuffer(e.buf);
    if (!granules.has(ab)) granules.set(ab, new Set());
    const set = granules.get(ab);
    const off = realOffset(e.buf);
    for (let g = Math.floor(off / ALIGNMENT); g <= Math.floor((off + len - 1) / ALIGNMENT); g++) set.add(g);
  }
  let n = 0;
  for (const set of granules.values()) n += set.size;
  return n * ALIGNMENT;
}

// ---- the world -------------------------------------------------------------------

class World {
  constructor() {
    this.pools = [];
    for (const strategy of STRATEGIES) this.pools.push(this.#pool('arena', new Arena(1 << 16, { strategy }), strategy));
    this.pools.push(this.#pool('arena', new Arena(1 << 16, { safe: true }), 'treap'));
    for (const strategy of STRATEGIES) {
      this.pools.push(this.#pool('scalable', new ScalableAllocator({ strategy, chunkSize: 4096, leakDetection: 'disabled' }), strategy));
    }
    this.pools.push(this.#pool('scalable', new ScalableAllocator({ chunkSize: 4096, safe: true }), 'treap'));
    this.pools.push(this.#pool('scalable', new ScalableAllocator({ chunkSize: 4096, leakDetection: 'paranoid' }), 'treap'));
    this.pools.push(this.#pool('bytes', new BytePool([64, 256, 1024], { leakDetection: 'disabled' }), null));
    this.pools.push(this.#pool('bytes', new BytePool([64, 256, 1024], { leakDetection: 'paranoid' }), null));
    this.pools[this.pools.length - 1].paranoid = true;
    this.pools.push(this.#pool('process', null, 'first-fit'));
    this.arenaPool = new ArenaPool({ numArenas: 2, arenaSize: 1 << 14 });
    this.held = []; // pool entries for arenas taken from arenaPool
    this.live = []; // { pool, buf, seed, kind: 'buf'|'pooled'|'rm', whole, pooled?, rm? }
    this.endedBuffers = []; // recent whole buffers whose handout ended: { pool, buf }
    this.rms = [];  // { pool, rm, entries: Set }
    this.nextSeed = 1;
    this.lastFreed = null; // { pool, length } of the last free step's buffer
    this.hookRuns = 0; // caller code that ran inside a pool call: must stay 0
    this.detached = (() => {
      const a = new Arena(64);
      const b = a.malloc(16);
      a.close();
      return b;
    })();
  }

  #pool(type, obj, strategy) {
    return { type, obj, strategy, id: this.pools ? this.pools.length : 0 };
  }

  close() {
    for (const p of this.pools) if (p.obj !== null) p.obj.close();
    for (const e of this.live) if (e.pool.type === 'process') attempt(() => free(e.buf));
    this.arenaPool.close();
  }

  // ---- model bookkeeping ---------------------------------------------------------

  add(pool, buf, kind = 'buf', extra = {}) {
    const seed = this.nextSeed++;
    fillPattern(buf, seed);
    const entry = { pool, buf, seed, kind, whole: true, ...extra };
    this.live.push(entry);
    return entry;
  }

  // entry.buf's handout ended (freed, or replaced by freeRest()'s kept view):
  // a later free of it is a double free, whatever the pool did with its bytes
  // since. Not for BytePool, whose full-length views are reused objects.
  handoutEnded(entry) {
    if (entry.kind !== 'buf' || !entry.whole || entry.pool.type === 'bytes') return;
    this.notAllocated(entry.pool, entry.buf);
  }

  // buf's bytes are not allocated to anyone who holds it (a handout that
  // ended, or memory borrow() lent): freeing it again must be refused.
  notAllocated(pool, buf) {
    this.endedBuffers.push({ pool, buf });
    if (this.endedBuffers.length > 16) this.endedBuffers.shift();
  }

  remove(entry) {
    const i = this.live.indexOf(entry);
    if (i >= 0) this.live.splice(i, 1);
  }

  entriesOf(pool) {
    return this.live.filter((e) => e.pool === pool);
  }

  // Live part of `entry` after freeing [from, to) of its current view.
  shrink(entry, from, to) {
    const len = realLength(entry.buf);
    if (from === 0 && to >= len) this.remove(entry);
    else if (from === 0) entry.buf = entry.buf.subarray(to);
    else entry.buf = entry.buf.subarray(0, from);
    entry.whole = false; // a subarray carries no record of its handout
    entry.offsetInPattern = (entry.offsetInPattern ?? 0) + (from === 0 ? to : 0);
  }

  // ---- invariants ----------------------------------------------------------------

  // Contents and overlaps after every step. The counters (`counters`: a
  // `stats` step, and the program's end) only now and then: a
  // ScalableAllocator's stats() settles its size-class cache, so checking
  // them after every step would leave the cache nothing to hold between
  // steps (no parked or stacked block, no fast lane) and the fuzzer would
  // never reach those states.
  check(step, counters) {
    const fail = (msg) => {
      throw new Error(`after step ${step}: ${msg}`);
    };
    if (this.hookRuns !== 0) fail(`caller code ran inside a pool call (${this.hookRuns} times)`);
    const byBuffer = new Map();
    for (const e of this.live) {
      const len = realLength(e.buf);
      if (len === 0) continue;
      if (!checkPattern(e.buf, e.seed, e.offsetInPattern ?? 0)) fail(`contents of live buffer #${e.seed} (${e.pool.type}) changed`);
      const ab = realBuffer(e.buf);
      if (!byBuffer.has(ab)) byBuffer.set(ab, []);
      byBuffer.get(ab).push([realOffset(e.buf), realOffset(e.buf) + len, e.seed]);
    }
    for (const ranges of byBuffer.values()) {
      ranges.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < ranges.length; i++) {
        if (ranges[i][0] < ranges[i - 1][1]) fail(`live buffers #${ranges[i - 1][2]} and #${ranges[i][2]} share bytes`);
      }
    }
    for (const p of this.pools) {
      const mine = this.entriesOf(p);
      const sum = mine.reduce((s, e) => s + realLength(e.buf), 0);
      const exact = EXACT.has(p.strategy) && !p.orphans; // a transferred block stays allocated until GC
      if (p.type === 'arena') {
        // Arena#usedSize counts whole granules.
        if (exact ? p.obj.usedSize !== granuleBytes(mine) : p.obj.usedSize < sum) {
          fail(`arena ${p.strategy} usedSize ${p.obj.usedSize}, live ${sum}`);
        }
      } else if (p.type === 'scalable') {
        if (!counters) continue;
        const s = p.obj.stats();
        const extents = mine.filter((e) => realLength(e.buf) !== 0).length;
        // ScalableAllocator counts the bytes it handed out, whatever the alignment.
        if (exact ? s.usedSize !== sum || s.allocations !== extents : s.usedSize < sum) {
          fail(`scalable ${p.strategy} stats ${s.usedSize}/${s.allocations}, live ${sum}/${extents}`);
        }
      } else if (p.type === 'bytes') {
        const inUse = Object.values(p.obj.stats().tiers).reduce((s, t) => s + t.inUse, 0);
        const pooled = mine.filter((e) => e.kind !== 'plain').length;
        if (p.orphans ? inUse < pooled : inUse !== pooled) fail(`BytePool inUse ${inUse}, live ${pooled}`);
      }
    }
  }

  snapshot(pool) {
    if (pool.type === 'arena') return JSON.stringify([pool.obj.usedSize, pool.obj.freeSize]);
    if (pool.type === 'scalable') {
      const s = pool.obj.stats();
      return JSON.stringify([s.usedSize, s.allocations, s.chunks]);
    }
    if (pool.type === 'bytes') return JSON.stringify(pool.obj.stats().tiers);
    return '';
  }
}

function attempt(fn) {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    return { ok: false, err };
  }
}

// A pattern unique to each buffer (seed) and byte position.
function patternByte(seed, i) {
  return ((seed * 131) ^ (i * 7) ^ (i >>> 8)) & 0xff;
}

function fillPattern(buf, seed) {
  for (let i = 0; i < buf.length; i++) buf[i] = patternByte(seed, i);
}

function checkPattern(buf, seed, start) {
  for (let i = 0; i < buf.length; i++) if (buf[i] !== patternByte(seed, start + i)) return false;
  return true;
}

// ---- hostile views ----------------------------------------------------------------

// A view of exactly `target`'s bytes whose getters would re-enter `world`
// (count a hook run, malloc from the pool) and lie, if a pool ever called them.
function liar(world, target, pool) {
  class Liar extends Uint8Array {
    get length() { return hook(); }
    get byteLength() { return hook(); }
    get byteOffset() { return hook(); }
    get buffer() { hook(); return realBuffer(this); }
  }
  const hook = () => {
    world.hookRuns++;
    attempt(() => mallocRaw(pool, 16));
    return 0;
  };
  return new Liar(realBuffer(target), realOffset(target), realLength(target));
}

// `new buf.constructor(...)`: the class that made the view (not Buffer's
// deprecated constructor, for a plain Buffer).
function forgeable(target) {
  const ctor = Object.getPrototypeOf(target).constructor;
  return ctor === Buffer ? null : ctor;
}

function forgedValueOf(world, target) {
  const ctor = forgeable(target);
  if (ctor === null) return null;
  let armed = false;
  const offset = { valueOf() { if (armed) world.hookRuns++; return realOffset(target); } };
  const r = attempt(() => new ctor(realBuffer(target), offset, realLength(target)));
  armed = true;
  return r.ok ? r.value : null;
}

function mallocRaw(pool, size) {
  if (pool.type === 'arena' || pool.type === 'scalable') return pool.obj.malloc(size);
  if (pool.type === 'bytes') return pool.obj.get(size);
  return alloc(size);
}

function freeRaw(pool, buf) {
  if (pool.type === 'bytes') return pool.obj.put(buf);
  if (pool.type === 'process') return free(buf);
  return pool.obj.free(buf);
}

// ---- steps -------------------------------------------------------------------------

const BAD_SIZES = [-1, 1.5, NaN, '16', {}, null, 2 ** 53, Infinity];

const stepArb = fc.record({
  op: fc.constantFrom('malloc', 'malloc', 'malloc', 'free', 'free', 'partial', 'freeRest', 'borrow', 'recycle', 'trim',
    'rmNext', 'rmAdd', 'rmRecycle', 'getBuffer', 'retain', 'release', 'poolGet', 'poolRelease', 'hostileFree',
    'badSize', 'transfer', 'stale', 'stats'),
  pool: fc.nat(),
  entry: fc.nat(),
  size: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 1100 })),
  // An allocate-then-free loop: malloc asks the pool of the buffer freed
  // last for its length, free takes the buffer handed out last.
  again: fc.boolean(),
  keep: fc.nat(),
  hostile: fc.constantFrom('liar', 'valueOf', 'string', 'proxy', 'detached', 'foreign', 'other'),
  bad: fc.nat(BAD_SIZES.length - 1),
});

// Allocations with an ArrayBuffer of their own: safe mode, leak-tracked.
function tracked(entry) {
  const { pool } = entry;
  if (entry.kind === 'rm') return false;
  if (pool.type === 'arena') return pool.obj.safe === true;
  if (pool.type === 'scalable') return pool.obj.safe === true || pool.obj.leakDetection === 'paranoid';
  return pool.type === 'bytes' && entry.pooled !== undefined && pool.paranoid === true;
}

function pick(list, n) {
  return list.length === 0 ? undefined : list[n % list.length];
}

function run(world, step) {
  const pools = world.pools.concat(world.held);
  const pool = pick(pools, step.pool);
  const entry = pick(world.live, step.entry);
  switch (step.op) {
    case 'malloc': {
      const again = step.again && world.lastFreed !== null && pools.includes(world.lastFreed.pool); // not given back
      const size = again ? world.lastFreed.length : step.size;
      const into = again ? world.lastFreed.pool : pool;
      const r = attempt(() => mallocRaw(into, size));
      if (r.ok && r.value !== null) world.add(into, r.value, into.type === 'bytes' && size > 1024 ? 'plain' : 'buf');
      else if (r.ok === false && r.err.code !== 'ERR_POOLMEM_OUT_OF_MEMORY') throw r.err;
      return;
    }
    case 'free': {
      const target = step.again && world.live.length > 0 ? world.live[world.live.length - 1] : entry; // the newest
      if (target === undefined || target.kind !== 'buf') return;
      const r = attempt(() => freeRaw(target.pool, target.buf));
      if (!r.ok) throw r.err;
      world.lastFreed = { pool: target.pool, length: realLength(target.buf) };
      world.remove(target);
      world.handoutEnded(target);
      return;
    }
    case 'partial': { // free a prefix or a suffix through a subarray
      if (entry === undefined || entry.kind !== 'buf' || entry.pool.type === 'bytes') return;
      const len = realLength(entry.buf);
      if (len < 2) return;
      const k = 1 + (step.keep % (len - 1));
      const prefix = step.keep % 2 === 0;
      const part = prefix ? entry.buf.subarray(0, k) : entry.buf.subarray(k);
      const r = attempt(() => freeRaw(entry.pool, part));
      if (!r.ok) throw r.err;
      world.shrink(entry, prefix ? 0 : k, prefix ? k : len);
      return;
    }
    case 'freeRest': {
      if (entry === undefined || entry.kind !== 'buf' || entry.pool.type !== 'scalable') return;
      const len = realLength(entry.buf);
      const keep = step.keep % (len + 1);
      const kept = entry.pool.obj.freeRest(entry.buf, keep);
      if (keep < len) world.handoutEnded(entry); // the old view's handout ended
      // The kept view starts where the old one did (its pattern offset holds)
      // and carries the old view's record, if it had one.
      if (keep === 0) world.remove(entry);
      else entry.buf = kept;
      return;
    }
    case 'stale': { // a whole buffer used after its handout ended: a double free, nothing freed
      const old = pick(world.endedBuffers, step.entry);
      if (old === undefined) return;
      const len = realLength(old.buf);
      // freeRest() keeping less than all (keeping all frees nothing: a buffer
      // with no block record, safe mode's, may then be accepted).
      const rest = old.pool.type === 'scalable' && step.keep % 2 === 0 && len > 0;
      const r = attempt(() => (rest ? old.pool.obj.freeRest(old.buf, step.keep % len) : freeRaw(old.pool, old.buf)));
      if (r.ok && len !== 0) throw new Error(`${rest ? 'freeRest' : 'free'} of a buffer whose handout ended was accepted`);
      if (!r.ok && typeof r.err.code !== 'string') throw r.err;
      if (!r.ok && len !== 0 && r.err.code !== 'ERR_POOLMEM_DOUBLE_FREE') {
        throw new Error(`${rest ? 'freeRest' : 'free'} of a buffer whose handout ended threw ${r.err.code}`);
      }
      return;
    }
    case 'borrow': {
      if (pool.type !== 'scalable') return;
      const r = attempt(() => pool.obj.borrow(step.size));
      if (!r.ok) throw r.err;
      const b = r.value;
      for (const e of world.live) {
        if (realBuffer(e.buf) === realBuffer(b) && realLength(e.buf) !== 0 &&
            realOffset(e.buf) < realOffset(b) + realLength(b) && realOffset(b) < realOffset(e.buf) + realLength(e.buf)) {
          throw new Error(`borrow() lent bytes of live buffer #${e.seed}`);
        }
      }
      b.fill(0xee); // lent memory is free: writing it must not touch any live buffer
      world.notAllocated(pool, b);
      return;
    }
    case 'recycle': {
      if (pool.type !== 'scalable') return;
      pool.obj.recycle();
      for (const e of world.entriesOf(pool)) world.remove(e);
      for (const rm of world.rms) if (rm.pool === pool) rm.entries.clear();
      return;
    }
    case 'trim': {
      if (pool.type === 'scalable' || pool.type === 'bytes') pool.obj.trim();
      return;
    }
    case 'rmNext': {
      if (pool.type !== 'scalable') return;
      let rm = world.rms.find((x) => x.pool === pool);
      if (rm === undefined) {
        rm = { pool, rm: pool.obj.recyclable(), entries: new Set() };
        world.rms.push(rm);
      }
      const buf = rm.rm.nextN(step.size);
      rm.entries.add(world.add(pool, buf, 'rm'));
      return;
    }
    case 'rmAdd': {
      if (entry === undefined || entry.kind !== 'buf' || entry.pool.type !== 'scalable') return;
      const rm = world.rms.find((x) => x.pool === entry.pool);
      if (rm === undefined) return;
      rm.rm.addRecycleBytes(entry.buf);
      entry.kind = 'rm';
      rm.entries.add(entry);
      return;
    }
    case 'rmRecycle': {
      const rm = pick(world.rms, step.pool);
      if (rm === undefined) return;
      rm.rm.recycle();
      for (const e of rm.entries) world.remove(e);
      rm.entries.clear();
      return;
    }
    case 'getBuffer': {
      if (pool.type !== 'bytes') return;
      const pb = pool.obj.getBuffer(step.size);
      world.add(pool, pb.bytes, step.size > 1024 ? 'plain' : 'pooled', { pooled: pb });
      return;
    }
    case 'retain':
    case 'release': {
      if (entry === undefined || entry.pooled === undefined) return;
      if (step.op === 'retain') entry.pooled.retain();
      else if (entry.pooled.release()) world.remove(entry);
      return;
    }
    case 'poolGet': {
      const r = attempt(() => world.arenaPool.get());
      if (!r.ok) {
        if (r.err.code !== 'ERR_POOLMEM_OUT_OF_MEMORY') throw r.err;
        return;
      }
      world.held.push({ type: 'arena', obj: r.value, strategy: 'treap', held: true });
      return;
    }
    case 'poolRelease': {
      const held = pick(world.held, step.pool);
      if (held === undefined) return;
      world.arenaPool.release(held.obj);
      world.held.splice(world.held.indexOf(held), 1);
      for (const e of world.entriesOf(held)) world.remove(e);
      return;
    }
    case 'hostileFree':
      return hostileFree(world, pool, entry, step);
    case 'transfer': { // a caller moves a tracked block's memory out (ArrayBuffer#transfer)
      if (entry === undefined || entry.moved || realLength(entry.buf) === 0) return;
      const ab = realBuffer(entry.buf);
      const { pool: from } = entry;
      if (from.type === 'scalable' && !from.obj.safe && from.obj.leakDetection === 'disabled') {
        return transferChunk(world, ab); // every buffer of this pool is a chunk view
      }
      const whole = realLength(entry.buf) === ab.byteLength && realOffset(entry.buf) === 0;
      if (!whole || !tracked(entry)) return; // an Arena's chunk: the arena would be dead
      const moved = new Uint8Array(transfer(ab));
      world.remove(entry);
      entry.pool.orphans = (entry.pool.orphans ?? 0) + 1;
      // The moved memory keeps its pattern and nobody else may get it; it is no pool's buffer.
      world.live.push({ pool: { type: 'moved' }, buf: moved, seed: entry.seed, kind: 'moved', offsetInPattern: entry.offsetInPattern, moved: true });
      return;
    }
    case 'badSize': {
      const before = world.snapshot(pool);
      const r = attempt(() => mallocRaw(pool, BAD_SIZES[step.bad]));
      if (r.ok) throw new Error(`malloc(${String(BAD_SIZES[step.bad])}) did not throw`);
      if (world.snapshot(pool) !== before) throw new Error('a failed malloc changed the pool');
      return;
    }
    case 'stats': // the counters are checked after this step (World#check)
      return;
    default:
      throw new Error(`unknown step ${step.op}`);
  }
}

// A caller transfers a fast-mode ScalableAllocator chunk: every live buffer
// over it moves with it (it keeps its pattern and is no pool's buffer any
// more); the allocator retires the chunk and never hands its bytes out again.
function transferChunk(world, ab) {
  const over = world.live.filter((e) => realLength(e.buf) !== 0 && realBuffer(e.buf) === ab)
    .map((e) => [e, realOffset(e.buf), realLength(e.buf)]);
  const moved = transfer(ab);
  for (const [e, offset, length] of over) {
    world.remove(e);
    const buf = new Uint8Array(moved, offset, length);
    world.live.push({ pool: { type: 'moved' }, buf, seed: e.seed, kind: 'moved', offsetInPattern: e.offsetInPattern, moved: true });
  }
}

// A free with a hostile argument: it throws and changes nothing, or (for a
// view over a live entry's real bytes) frees exactly those bytes.
function hostileFree(world, pool, entry, step) {
  let arg;
  let target = null; // the live entry whose real bytes arg views
  switch (step.hostile) {
    case 'liar':
    case 'valueOf':
    case 'proxy':
    case 'string': {
      if (entry === undefined || entry.kind !== 'buf' || realLength(entry.buf) === 0) return;
      pool = entry.pool;
      target = entry;
      if (step.hostile === 'liar') arg = liar(world, entry.buf, pool);
      else if (step.hostile === 'valueOf') arg = forgedValueOf(world, entry.buf);
      else if (step.hostile === 'proxy') arg = new Proxy(entry.buf, {});
      else {
        const ctor = forgeable(entry.buf);
        if (ctor === null) return;
        arg = attempt(() => new ctor(realBuffer(entry.buf), String(realOffset(entry.buf)), realLength(entry.buf))).value;
      }
      if (arg === null || arg === undefined) return;
      break;
    }
    case 'detached': arg = world.detached; break;
    case 'foreign': arg = Buffer.alloc(16); break;
    case 'other': {
      const other = world.live.find((e) => e.pool !== pool && e.pool.type !== pool.type && realLength(e.buf) !== 0);
      if (other === undefined) return;
      arg = other.buf;
      break;
    }
    default: return;
  }
  const before = world.snapshot(pool);
  const r = attempt(() => freeRaw(pool, arg));
  if (r.ok) {
    if (target === null) {
      if (pool.type === 'bytes' && step.hostile !== 'detached') return; // BytePool counts foreign puts as discarded
      if (step.hostile === 'detached') return; // a detached view frees nothing
      throw new Error(`free of a ${step.hostile} view was accepted`);
    }
    world.remove(target); // the view's real bytes were the entry's
    return;
  }
  if (world.snapshot(pool) !== before) throw new Error(`a failed free (${step.hostile}: ${r.err.code}) changed the pool`);
}

// Runs one program; throws on the first broken invariant.
function runProgram(steps) {
  const world = new World();
  try {
    for (let i = 0; i < steps.length; i++) {
      run(world, steps[i]);
      world.check(i, steps[i].op === 'stats' || i === steps.length - 1);
    }
  } finally {
    world.close();
  }
  return true;
}

const programArb = fc.array(stepArb, { minLength: 10, maxLength: 150, size: 'max' });

function fuzz({ numRuns, seed }) {
  fc.assert(fc.property(programArb, runProgram), { numRuns, seed, endOnFailure: false });
}

module.exports = { fuzz, programArb, runProgram };
