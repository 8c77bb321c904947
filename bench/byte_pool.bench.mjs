// BytePool get+put against Buffer.allocUnsafe at tier sizes, getBuffer+release,
// and the process-wide alloc/free with 10,000 live blocks, in the same run.
// Prints ns/op and how many times faster the pooled path is.
import { createRequire } from 'node:module';
import { describeMachine, fmt, measure, printTable, ratio } from './common.mjs';

const require = createRequire(import.meta.url);
const { BytePool, alloc, free } = require('../lib/index.js');

const SIZES = [128, 4096, 65536, 1 << 20];
let sink = 0;

// ---- get+put and getBuffer+release -------------------------------------------------
const pool = new BytePool(BytePool.powerOfTwo());
const rows = [];
for (const size of SIZES) {
  const results = await measure([
    { name: 'get+put', fn: () => { const b = pool.get(size); sink += b.length; pool.put(b); } },
    { name: 'getBuffer+release', fn: () => { const pb = pool.getBuffer(size); sink += pb.release() ? 1 : 0; } },
    { name: 'allocUnsafe', fn: () => { sink += Buffer.allocUnsafe(size).length; } },
  ]);
  const g = results.get('get+put');
  const r = results.get('getBuffer+release');
  const u = results.get('allocUnsafe');
  rows.push([size, fmt(g), fmt(r), fmt(u), ratio(u, g), ratio(u, r)]);
}
printTable(
  `BytePool vs Buffer.allocUnsafe (ns/op, mean over batches including GC; ${describeMachine()})`,
  ['bytes', 'get+put', 'getBuffer+release', 'allocUnsafe', 'allocUnsafe/get+put', 'allocUnsafe/getBuffer'],
  rows,
);
const odd = await measure([
  { name: 'get(100)+put', fn: () => { const b = pool.get(100); sink += b.length; pool.put(b); } },
  { name: 'allocUnsafe(100)', fn: () => { sink += Buffer.allocUnsafe(100).length; } },
]);
printTable('A length below its tier (an exact-length view per get)', ['bytes', 'get+put', 'allocUnsafe', 'ratio'],
  [[100, fmt(odd.get('get(100)+put')), fmt(odd.get('allocUnsafe(100)')), ratio(odd.get('allocUnsafe(100)'), odd.get('get(100)+put'))]]);
pool.close();

// ---- alloc/free with 10,000 live blocks ----------------------------------------------
const live = [];
for (let i = 0; i < 15000; i++) live.push(alloc(16 + (i % 8) * 16));
for (let i = 0; i < live.length; i += 3) free(live[i]); // 5,000 holes of 16..128 bytes to search past
const ALLOC_SIZES = [64, 1024];
const allocRows = [];
for (const size of ALLOC_SIZES) {
  const results = await measure([
    { name: 'alloc+free', fn: () => { const b = alloc(size); sink += b.length; free(b); } },
    { name: 'allocUnsafe', fn: () => { sink += Buffer.allocUnsafe(size).length; } },
  ]);
  const a = results.get('alloc+free');
  const u = results.get('allocUnsafe');
  allocRows.push([size, fmt(a), fmt(u), ratio(u, a)]);
}
// Churn: 2 MiB fits no 1 MiB arena, so it gets an arena of its own that
// empties at every free and stays as the spare (each pair mapped and
// unmapped one, microseconds, before the spare).
const churn = await measure([
  { name: 'alloc+free', fn: () => { const b = alloc(2 << 20); sink += b.length; free(b); } },
  { name: 'allocUnsafe', fn: () => { sink += Buffer.allocUnsafe(2 << 20).length; } },
]);
allocRows.push(['2 MiB (own arena)', fmt(churn.get('alloc+free')), fmt(churn.get('allocUnsafe')),
  ratio(churn.get('allocUnsafe'), churn.get('alloc+free'))]);
printTable('alloc+free with 10,000 live blocks and 5,000 holes (mem: 24 µs per free at 1,000 live blocks)',
  ['bytes', 'alloc+free', 'allocUnsafe', 'allocUnsafe/alloc+free'], allocRows);
for (let i = 0; i < live.length; i++) if (i % 3 !== 0) free(live[i]);
if (sink === -1) console.log(sink);
