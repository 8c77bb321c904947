// ScalableAllocator malloc+free against Buffer.allocUnsafe at the same sizes,
// borrow, RecyclableMemory#nextN and recycle() of 10 buffers, in one run
// (GoMem scalable_bench_test.go, gomem-behaviour.md 5.7). Default options
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
  const results = await measure([
    { name: 'sample', fn: () => { const b = sampled.malloc(size); sink += b.length; sampled.free(b); } },
    { name: 'disabled', fn: () => { const b = plain.malloc(size); sink += b.length; plain.free(b); } },
    { name: 'allocUnsafe', fn: () => { sink += Buffer.allocUnsafe(size).length; } },
  ]);
  const s = results.get('sample');
  const d = results.get('disabled');
  const u = results.get('allocUnsafe');
  rows.push([size, fmt(s), fmt(d), fmt(u), ratio(u, s), ratio(u, d)]);
  sampled.close();
  plain.close();
}
printTable(
  `ScalableAllocator malloc+free vs Buffer.allocUnsafe (ns/op; ${describeMachine()})`,
  ['bytes', 'sample', 'disabled', 'allocUnsafe', 'allocUnsafe/sample', 'allocUnsafe/disabled'],
  rows,
);

// borrow, nextN and recycle: the GoMem figures were 25, 60 and 550 ns in native Go.
const a = new ScalableAllocator();
const rm = typeof a.recyclable === 'function' && hasRecyclable() ? a.recyclable() : null;
let n = 0;
const tasks = [
  { name: 'borrow(1024)', fn: () => { sink += a.borrow(1024).length; } },
  { name: 'Buffer.allocUnsafe(1024)', fn: () => { sink += Buffer.allocUnsafe(1024).length; } },
];
if (rm !== null) {
  tasks.push(
    { name: 'nextN(1024)', fn: () => { sink += rm.nextN(1024).length; if (++n === 100) { n = 0; rm.recycle(); } } },
    { name: '10 x nextN(1024) + recycle()', fn: () => { for (let i = 0; i < 10; i++) rm.nextN(1024); rm.recycle(); } },
    { name: 'recycle() of 10 (after 10 nextN)', fn: null },
  );
}
const results = await measure(tasks.filter((t) => t.fn !== null));
const other = [];
for (const t of tasks) {
  if (t.fn === null) {
    const batch = results.get('10 x nextN(1024) + recycle()');
    const one = results.get('nextN(1024)');
    other.push([t.name, fmt(batch - 10 * one), '(difference of the two rows above)']);
  } else {
    other.push([t.name, fmt(results.get(t.name)), '']);
  }
}
printTable(`borrow, nextN, recycle (ns/op; ${describeMachine()})`, ['operation', 'ns/op', 'note'], other);
a.close();
if (sink === -1) console.log(sink);

function hasRecyclable() {
  try {
    require('../lib/recyclable_memory.js');
    return true;
  } catch {
    return false;
  }
}
