// Arena malloc+free against Buffer.allocUnsafe and Buffer.alloc at the same
// sizes, in the same run. Prints ns/op and how many times faster the arena is.
import { createRequire } from 'node:module';
import { describeMachine, fmt, measure, printTable, ratio } from './common.mjs';

const require = createRequire(import.meta.url);
const { Arena } = require('../lib/index.js');

const SIZES = [64, 4096, 65536, 1 << 20];
let sink = 0;

const rows = [];
for (const size of SIZES) {
  const arena = new Arena(64 << 20);
  const results = await measure([
    { name: 'arena', fn: () => { const b = arena.malloc(size); sink += b.length; arena.free(b); } },
    { name: 'allocUnsafe', fn: () => { sink += Buffer.allocUnsafe(size).length; } },
    { name: 'alloc', fn: () => { sink += Buffer.alloc(size).length; } },
  ]);
  const a = results.get('arena');
  const u = results.get('allocUnsafe');
  const z = results.get('alloc');
  rows.push([size, fmt(a), fmt(u), fmt(z), ratio(u, a), ratio(z, a)]);
  arena.close();
}
printTable(
  `Arena malloc+free vs Buffer.allocUnsafe / Buffer.alloc (ns/op, mean over batches including GC; ${describeMachine()})`,
  ['bytes', 'Arena', 'allocUnsafe', 'alloc', 'allocUnsafe/Arena', 'alloc/Arena'],
  rows,
);
if (sink === -1) console.log(sink);
