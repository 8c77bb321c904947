// The realistic pattern first: a ring of K buffers outstanding, each step frees
// the oldest and allocates a size drawn from [s, 2s), as a server that keeps
// many frames in flight does. Every pool against Buffer.allocUnsafe in the same
// ring, same process. Then the JS heap one pair allocates, and the GC work of a
// long ring run. `--json FILE` also writes the results (for bench/chart.mjs).
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { SIZE_COUNT, describeMachine, drawSizes, fmt, heapPerPair, measure, printTable, ratio } from './common.mjs';

const require = createRequire(import.meta.url);
const { Arena, BytePool, ScalableAllocator, alloc, free } = require('../lib/index.js');

const RING_SIZES = [64, 1536, 4096, 65536];
const RINGS = [16, 64];
const BASELINE = 'Buffer.allocUnsafe';
const FLOOR = 'view floor';
const FLOOR_BYTES = 64 << 20;
// The class Buffer.allocUnsafe and the pools construct their Buffers with.
const BufferView = Buffer[Symbol.species];
const jsonPath = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : null;
let sink = 0;

// Each contender: open() -> { step, close }. step() frees the oldest buffer of
// the ring and allocates the next size into its slot. The loops are written
// out per contender so each call site stays monomorphic.
const CONTENDERS = {
  'Arena': (k, sizes) => {
    const arena = new Arena(256 << 20);
    const ring = fill(k, sizes, (n) => arena.malloc(n));
    let i = 0; let j = k;
    return {
      step() { arena.free(ring[i]); ring[i] = arena.malloc(sizes[j++ & (SIZE_COUNT - 1)]); i = i + 1 === k ? 0 : i + 1; },
      close() { arena.close(); },
    };
  },
  'ScalableAllocator': (k, sizes) => {
    const pool = new ScalableAllocator(); // default options: leakDetection 'sample'
    const ring = fill(k, sizes, (n) => pool.malloc(n));
    let i = 0; let j = k;
    return {
      step() { pool.free(ring[i]); ring[i] = pool.malloc(sizes[j++ & (SIZE_COUNT - 1)]); i = i + 1 === k ? 0 : i + 1; },
      close() { pool.close(); },
    };
  },
  'BytePool': (k, sizes) => {
    const pool = new BytePool();
    const ring = fill(k, sizes, (n) => pool.get(n));
    let i = 0; let j = k;
    return {
      step() { pool.put(ring[i]); ring[i] = pool.get(sizes[j++ & (SIZE_COUNT - 1)]); i = i + 1 === k ? 0 : i + 1; },
      close() { pool.close(); },
    };
  },
  'alloc/free': (k, sizes) => {
    const ring = fill(k, sizes, (n) => alloc(n));
    let i = 0; let j = k;
    return {
      step() { free(ring[i]); ring[i] = alloc(sizes[j++ & (SIZE_COUNT - 1)]); i = i + 1 === k ? 0 : i + 1; },
      close() { for (const b of ring) free(b); },
    };
  },
  // Not a pool: a Buffer made over memory that already exists, and nothing
  // else. Every pool that hands out a new Buffer per allocation pays at least
  // this, so allocUnsafe / floor is the best ratio any such pool can reach.
  [FLOOR]: (k, sizes) => {
    const memory = new ArrayBuffer(FLOOR_BYTES);
    let offset = 0;
    const make = (n) => {
      const at = offset;
      offset = (offset + n + 7) & ~7; // 8-aligned starts, as the pools' and allocUnsafe's
      if (offset > FLOOR_BYTES - 2 * RING_SIZES[RING_SIZES.length - 1]) offset = 0;
      return new BufferView(memory, at, n);
    };
    const ring = fill(k, sizes, make);
    let i = 0; let j = k;
    return {
      step() { ring[i] = make(sizes[j++ & (SIZE_COUNT - 1)]); i = i + 1 === k ? 0 : i + 1; },
      close() {},
    };
  },
  'Buffer.allocUnsafe': (k, sizes) => {
    const ring = fill(k, sizes, (n) => Buffer.allocUnsafe(n));
    let i = 0; let j = k;
    return {
      step() { ring[i] = Buffer.allocUnsafe(sizes[j++ & (SIZE_COUNT - 1)]); i = i + 1 === k ? 0 : i + 1; },
      close() {},
    };
  },
};
const POOLS = Object.keys(CONTENDERS).filter((n) => n !== BASELINE && n !== FLOOR);
const ALL = [...POOLS, BASELINE, FLOOR];

function fill(k, sizes, make) {
  const ring = [];
  for (let i = 0; i < k; i++) ring.push(make(sizes[i]));
  return ring;
}

const results = { machine: describeMachine(), node: process.version, ring: [], heap: [], gc: [] };

// ---- ns per pair in the ring -------------------------------------------------------
for (const k of RINGS) {
  for (const s of RING_SIZES) {
    const sizes = drawSizes(s);
    const open = Object.entries(CONTENDERS).map(([name, make]) => ({ name, ...make(k, sizes) }));
    const ns = await measure(open.map(({ name, step }) => ({ name, fn: step })));
    for (const c of open) c.close();
    const row = { k, s, ns: Object.fromEntries(ns) };
    results.ring.push(row);
  }
}
const ringRows = results.ring.map(({ k, s, ns }) => [
  k, `${s}..${2 * s - 1}`, ...ALL.map((p) => (p === BASELINE ? fmt(ns[p]) : `${fmt(ns[p])} (${ratio(ns[BASELINE], ns[p])})`)),
]);
printTable(
  `Ring of K outstanding buffers, free oldest + allocate a size in [s, 2s): ns per pair ` +
    `(x = allocUnsafe / pool, higher is better; ${describeMachine()}). ${FLOOR}: a Buffer made over memory ` +
    'that exists already, nothing else; no pool that makes a Buffer per allocation can beat its x',
  ['K', 'bytes', ...ALL], ringRows,
);

// ---- JS heap allocated per pair ------------------------------------------------------
for (const s of [256, 2048, 65536]) {
  const sizes = drawSizes(s);
  const row = { s, bytes: {} };
  for (const [name, make] of Object.entries(CONTENDERS)) {
    const c = make(16, sizes);
    row.bytes[name] = await heapPerPair(c.step);
    c.close();
  }
  results.heap.push(row);
}
printTable(
  'JS heap allocated per pair (bytes, ring of 16, sizes in [s, 2s); from v8.getHeapStatistics over a GC-free window)',
  ['bytes', ...ALL],
  results.heap.map(({ s, bytes }) => [`${s}..${2 * s - 1}`, ...ALL.map((p) => bytes[p].toFixed(0))]),
);

// ---- GC work of a long ring run ------------------------------------------------------
const tick = () => new Promise((resolve) => setImmediate(resolve));
const GC_PAIRS = Number(process.env.RING_GC_PAIRS ?? 1_000_000);
let gcEvents = 0; let gcPause = 0;
const pauseObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) { gcEvents++; gcPause += e.duration; }
});
pauseObserver.observe({ entryTypes: ['gc'] });
for (const s of [256, 2048, 65536]) {
  const sizes = drawSizes(s);
  const row = { s, events: {}, pauseMs: {} };
  for (const [name, make] of Object.entries(CONTENDERS)) {
    const c = make(16, sizes);
    globalThis.gc?.();
    await tick();
    const [e0, p0] = [gcEvents, gcPause];
    for (let done = 0; done < GC_PAIRS; done += 10000) {
      for (let i = 0; i < 10000; i++) c.step();
      await tick(); // a server yields between batches; finalizers and GC callbacks run here
    }
    await tick();
    row.events[name] = gcEvents - e0;
    row.pauseMs[name] = gcPause - p0;
    c.close();
  }
  results.gc.push(row);
}
pauseObserver.disconnect();
printTable(
  `GC during ${GC_PAIRS.toLocaleString('en-US')} ring pairs (K = 16): GC events / total pause ms`,
  ['bytes', ...ALL],
  results.gc.map(({ s, events, pauseMs }) => [`${s}..${2 * s - 1}`,
    ...ALL.map((p) => `${events[p]} / ${pauseMs[p].toFixed(1)}`)]),
);

if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
if (sink === -1) console.log(sink);
