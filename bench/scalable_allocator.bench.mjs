// ScalableAllocator malloc+free against Buffer.allocUnsafe at the same sizes,
// borrow, RecyclableMemory#nextN and recycle() of 10 buffers, in one run
// (GoMem scalable_bench_test.go). Default options
// (leakDetection: 'sample') and leakDetection: 'disabled' are both shown.
import { createRequire } from 'node:module';
import { describeMachine, fmt, measure, printTable, ratio } from './common.mjs';

const require = createRequire(import.meta.url);
const { ScalableAllocator } = require('../lib/index.js');

const SIZES = [64, 4096, 65536, 1 << 20];
let sink = 0;

const rows = [];
for (const size of SIZES) {
  const sampled = new ScalableAllocator();
  const plain = new ScalableAllocator({ leakDetection: 'disabled' });
  const ringed = new ScalableAllocator();
  // Four live buffers, the oldest freed: out of order, served by the
  // size-class cache (README, ScalableAllocator) as the LIFO columns are.
  const ring = [ringed.malloc(size), ringed.malloc(size), ringed.malloc(size), ringed.malloc(size)];
  let r = 0;
  const results = await measure([
    { name: 'sample', fn: () => { const b = sampled.malloc(size); sink += b.length; sampled.free(b); } },
    { name: 'disabled', fn: () => { const b = plain.malloc(size); sink += b.length; plain.free(b); } },
    {
      name: 'ring',
      fn: () => {
        const b = ringed.malloc(size);
        sink += b.length;
        ringed.free(ring[r]);
        ring[r] = b;
        r = (r + 1) & 3;
      },
    },
    { name: 'allocUnsafe', fn: () => { sink += Buffer.allocUnsafe(size).length; } },
  ]);
  const s = results.get('sample');
  const d = results.get('disabled');
  const g = results.get('ring');
  const u = results.get('allocUnsafe');
  rows.push([size, fmt(s), fmt(d), fmt(g), fmt(u), ratio(u, s), ratio(u, d), ratio(u, g)]);
  sampled.close();
  plain.close();
  ringed.close();
}
printTable(
  `ScalableAllocator malloc+free vs Buffer.allocUnsafe (ns/op; ${describeMachine()})`,
  ['bytes', 'sample', 'disabled', 'sample, ring of 4', 'allocUnsafe', 'allocUnsafe/sample', 'allocUnsafe/disabled',
    'allocUnsafe/ring'],
  rows,
);
console.log("'sample' and 'disabled' free each buffer right after its malloc; 'ring of 4' frees the oldest of");
console.log('four live buffers. Both come back through the size-class cache (no native call) up to 16 MiB.');

// borrow, nextN and recycle: GoMem measured 25, 60 and 550 ns in native Go.
const a = new ScalableAllocator();
const rm = a.recyclable();
let n = 0;
const results = await measure([
  { name: 'borrow(1024)', fn: () => { sink += a.borrow(1024).length; } },
  { name: 'nextN(1024)', fn: () => { sink += rm.nextN(1024).length; if (++n === 100) { n = 0; rm.recycle(); } } },
  { name: 'Buffer.allocUnsafe(1024)', fn: () => { sink += Buffer.allocUnsafe(1024).length; } },
]);
const recycleNs = timeRecycleOf10();
printTable(`borrow, nextN, recycle (ns/op; ${describeMachine()})`, ['operation', 'ns/op', 'GoMem (Go)', 'note'], [
  ['borrow(1024)', fmt(results.get('borrow(1024)')), '25', ''],
  ['nextN(1024)', fmt(results.get('nextN(1024)')), '60', 'includes recycle() every 100, as GoMem\'s bench'],
  ['recycle() of 10 buffers', fmt(recycleNs), '550', 'median of 201 rounds of 64 memories'],
  ['Buffer.allocUnsafe(1024)', fmt(results.get('Buffer.allocUnsafe(1024)')), '', 'for scale'],
]);
a.close();

// freeRest with many buffers outstanding: a parser keeps 100 of 256 bytes and
// gives the tail back, then frees the head. Such a free must not cost time in
// proportion to the buffers outstanding (a BlockIndex finds the one block).
// allocUnsafe + subarray, which gives nothing back, for scale.
const partialRows = [];
for (const outstanding of [0, 1000, 10000]) {
  const pool = new ScalableAllocator({ leakDetection: 'disabled' });
  const held = Array.from({ length: outstanding }, () => pool.malloc(256));
  const res = await measure([
    { name: 'freeRest', fn: () => { const h = pool.freeRest(pool.malloc(256), 100); sink += h.length; pool.free(h); } },
    { name: 'allocUnsafe', fn: () => { sink += Buffer.allocUnsafe(256).subarray(0, 100).length; } },
  ]);
  partialRows.push([outstanding, fmt(res.get('freeRest')), fmt(res.get('allocUnsafe')),
    ratio(res.get('allocUnsafe'), res.get('freeRest'))]);
  for (const b of held) pool.free(b);
  pool.close();
}
printTable(`malloc(256) + freeRest(buf, 100) + free(head), buffers outstanding (ns/op; ${describeMachine()})`,
  ['outstanding', 'ScalableAllocator', 'allocUnsafe + subarray', 'allocUnsafe/pool'], partialRows);
if (sink === -1) console.log(sink);

// recycle() alone: fill 64 memories with 10 x nextN(1024) each (untimed),
// then time recycling all of them. Bounded: 640 KiB live at most.
function timeRecycleOf10() {
  const memories = Array.from({ length: 64 }, () => a.recyclable());
  const rounds = [];
  for (let round = 0; round < 201; round++) {
    for (const m of memories) for (let i = 0; i < 10; i++) m.nextN(1024);
    const t0 = process.hrtime.bigint();
    for (const m of memories) m.recycle();
    rounds.push(Number(process.hrtime.bigint() - t0) / memories.length);
  }
  rounds.sort((x, y) => x - y);
  return rounds[rounds.length >> 1];
}
