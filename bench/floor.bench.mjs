// How close each pool comes to the least any pool can cost. The ring of the
// ring benchmark (16 buffers outstanding, free the oldest, allocate a size in
// [s, 2s)), in tight loops (one per contender, so every call site stays
// monomorphic), best of 9 rounds of 1 M pairs with the contenders alternated,
// against two floors:
// - view floor: a Buffer made over memory that exists already, nothing else.
//   Every pool that hands out a new Buffer per allocation pays this.
// - least pool: that Buffer plus the least bookkeeping that still tells a
//   double free from a good one: a slot popped from and pushed to a typed-array
//   free list, a generation per slot, the slot and generation in private fields
//   on the Buffer (as the pools keep them). No argument checks, no sizes, no stats.
// - least pool, owner table: the same without fields on the Buffer (a private
//   field costs the Buffer a property array, about 40 bytes of JS heap): the
//   pool keeps each slot's current Buffer, and a free finds the slot from the
//   Buffer's ArrayBuffer and offset, read through the intrinsic getters.
// allocUnsafe / floor is the best ratio a pool of that design could show
// against Buffer.allocUnsafe at that size on this Node. Then the JS heap each
// pair allocates.
import { createRequire } from 'node:module';
import { SIZE_COUNT, describeMachine, drawSizes, fmt, heapPerPair, printTable, ratio } from './common.mjs';

const require = createRequire(import.meta.url);
const { viewBuffer, viewByteOffset } = require('../lib/internal/intrinsics.js');
const { Stamper } = require('../lib/internal/stamps.js');
const { Arena, BytePool, ScalableAllocator, alloc, free } = require('../lib/index.js');

const K = 16;
const SIZES = [64, 256, 1536];
const PAIRS = 1_000_000;
const ROUNDS = Number(process.env.FLOOR_ROUNDS ?? 9);
const BufferView = Buffer[Symbol.species]; // the class allocUnsafe and the pools construct Buffers with

class Stamp extends Stamper { // the pools' own way to put private fields on a Buffer
  #memory; #slot; #gen;
  constructor(target, memory, slot, gen) { super(target); this.#memory = memory; this.#slot = slot; this.#gen = gen; }
  static has(view) { return #memory in view; }
  static slot(view) { return view.#slot; }
  static gen(view) { return view.#gen; }
}

// Slots of 2 * s bytes (every drawn size fits).
class LeastPool {
  constructor(s) {
    this.stride = 2 * s;
    this.memory = new ArrayBuffer(1024 * this.stride);
    this.free = new Int32Array(1024);
    this.gen = new Int32Array(1024);
    this.top = 1024;
    for (let i = 0; i < 1024; i++) this.free[i] = i;
  }

  get(n) {
    const slot = this.free[--this.top];
    return new Stamp(new BufferView(this.memory, slot * this.stride, n), this.memory, slot, this.gen[slot]);
  }

  put(view) {
    if (!Stamp.has(view)) throw new Error('not a view of this pool');
    const slot = Stamp.slot(view);
    if (Stamp.gen(view) !== this.gen[slot]) throw new Error('double free');
    this.gen[slot] += 2;
    this.free[this.top++] = slot;
  }
}

class OwnerTablePool {
  constructor(s) {
    this.stride = 2 * s;
    this.memory = new ArrayBuffer(1024 * this.stride);
    this.free = new Int32Array(1024);
    this.owner = [];
    this.top = 1024;
    for (let i = 0; i < 1024; i++) { this.free[i] = i; this.owner.push(undefined); }
  }

  get(n) {
    const slot = this.free[--this.top];
    const view = new BufferView(this.memory, slot * this.stride, n);
    this.owner[slot] = view;
    return view;
  }

  put(view) {
    if (viewBuffer(view) !== this.memory) throw new Error('not a view of this pool');
    const slot = (viewByteOffset(view) / this.stride) | 0;
    if (this.owner[slot] !== view) throw new Error('double free');
    this.owner[slot] = undefined;
    this.free[this.top++] = slot;
  }
}

// Each contender: (sizes, s) -> run(pairs). The loops are written out so
// each has call sites of its own.
const CONTENDERS = {
  'Buffer.allocUnsafe': (sizes) => {
    const ring = []; for (let i = 0; i < K; i++) ring.push(Buffer.allocUnsafe(sizes[i]));
    let i = 0; let j = K;
    return (pairs) => { for (let c = 0; c < pairs; c++) { ring[i] = Buffer.allocUnsafe(sizes[j++ & (SIZE_COUNT - 1)]); i = i + 1 === K ? 0 : i + 1; } };
  },
  'view floor': (sizes, s) => {
    const memory = new ArrayBuffer(1024 * 2 * s);
    const ring = []; for (let i = 0; i < K; i++) ring.push(new BufferView(memory, 0, sizes[i]));
    let i = 0; let j = K; let slot = 0;
    return (pairs) => {
      for (let c = 0; c < pairs; c++) {
        slot = (slot + 1) & 1023;
        ring[i] = new BufferView(memory, slot * 2 * s, sizes[j++ & (SIZE_COUNT - 1)]);
        i = i + 1 === K ? 0 : i + 1;
      }
    };
  },
  'least pool': (sizes, s) => {
    const pool = new LeastPool(s);
    const ring = []; for (let i = 0; i < K; i++) ring.push(pool.get(sizes[i]));
    let i = 0; let j = K;
    return (pairs) => { for (let c = 0; c < pairs; c++) { pool.put(ring[i]); ring[i] = pool.get(sizes[j++ & (SIZE_COUNT - 1)]); i = i + 1 === K ? 0 : i + 1; } };
  },
  'least pool, owner table': (sizes, s) => {
    const pool = new OwnerTablePool(s);
    const ring = []; for (let i = 0; i < K; i++) ring.push(pool.get(sizes[i]));
    let i = 0; let j = K;
    return (pairs) => { for (let c = 0; c < pairs; c++) { pool.put(ring[i]); ring[i] = pool.get(sizes[j++ & (SIZE_COUNT - 1)]); i = i + 1 === K ? 0 : i + 1; } };
  },
  'BytePool': (sizes) => {
    const pool = new BytePool();
    const ring = []; for (let i = 0; i < K; i++) ring.push(pool.get(sizes[i]));
    let i = 0; let j = K;
    return (pairs) => { for (let c = 0; c < pairs; c++) { pool.put(ring[i]); ring[i] = pool.get(sizes[j++ & (SIZE_COUNT - 1)]); i = i + 1 === K ? 0 : i + 1; } };
  },
  'Arena': (sizes) => {
    const arena = new Arena(64 << 20);
    const ring = []; for (let i = 0; i < K; i++) ring.push(arena.malloc(sizes[i]));
    let i = 0; let j = K;
    return (pairs) => { for (let c = 0; c < pairs; c++) { arena.free(ring[i]); ring[i] = arena.malloc(sizes[j++ & (SIZE_COUNT - 1)]); i = i + 1 === K ? 0 : i + 1; } };
  },
  'ScalableAllocator': (sizes) => {
    const pool = new ScalableAllocator();
    const ring = []; for (let i = 0; i < K; i++) ring.push(pool.malloc(sizes[i]));
    let i = 0; let j = K;
    return (pairs) => { for (let c = 0; c < pairs; c++) { pool.free(ring[i]); ring[i] = pool.malloc(sizes[j++ & (SIZE_COUNT - 1)]); i = i + 1 === K ? 0 : i + 1; } };
  },
  'alloc/free': (sizes) => {
    const ring = []; for (let i = 0; i < K; i++) ring.push(alloc(sizes[i]));
    let i = 0; let j = K;
    return (pairs) => { for (let c = 0; c < pairs; c++) { free(ring[i]); ring[i] = alloc(sizes[j++ & (SIZE_COUNT - 1)]); i = i + 1 === K ? 0 : i + 1; } };
  },
};
const NAMES = Object.keys(CONTENDERS);
const BASELINE = 'Buffer.allocUnsafe';

const rows = [];
const heapRows = [];
for (const s of SIZES) {
  const sizes = drawSizes(s);
  const runs = NAMES.map((name) => CONTENDERS[name](sizes, s));
  for (const run of runs) run(PAIRS / 4); // warm: optimized before the first timed round
  const best = NAMES.map(() => Infinity);
  for (let r = 0; r < ROUNDS; r++) {
    runs.forEach((run, i) => {
      const t0 = process.hrtime.bigint();
      run(PAIRS);
      best[i] = Math.min(best[i], Number(process.hrtime.bigint() - t0) / PAIRS);
    });
  }
  const ns = Object.fromEntries(NAMES.map((name, i) => [name, best[i]]));
  rows.push([`${s}..${2 * s - 1}`, ...NAMES.map((n) => (n === BASELINE ? fmt(ns[n]) : `${fmt(ns[n])} (${ratio(ns[BASELINE], ns[n])})`))]);
  const heap = [];
  for (const name of NAMES) {
    const run = CONTENDERS[name](sizes, s);
    heap.push((await heapPerPair(() => run(1))).toFixed(0));
  }
  heapRows.push([`${s}..${2 * s - 1}`, ...heap]);
}
printTable(
  `Ring of ${K}, free oldest + allocate a size in [s, 2s), tight loops: best of ${ROUNDS} x 1M pairs, ns per pair ` +
    `(x = allocUnsafe / contender; ${describeMachine()}). The floors are not pools: no pool can beat their x`,
  ['bytes', ...NAMES], rows,
);
printTable('JS heap allocated per pair (bytes; from v8.getHeapStatistics over a GC-free window)', ['bytes', ...NAMES], heapRows);
