// Interleaved A/B micro-benchmark of view construction: `node
// bench/view_construction.mjs <old-pool_buffer.js> [rounds]` alternates the
// given module's view() with lib/internal/pool_buffer.js's in one process and prints
// the median ns per view of each. Interleaving keeps a loaded machine fair.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);
const other = require(resolve(process.argv[2]));
const ours = require('../lib/internal/pool_buffer.js');
const rounds = Number(process.argv[3] ?? 41);
const N = 200_000;
const ab = new ArrayBuffer(1 << 20);

// One loop per module so each call site stays monomorphic.
const loop = (view) => new Function('view', 'ab', 'n', `
  let sink = 0;
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += view(ab, (i & 1023) << 3, 64).length;
  return [Number(process.hrtime.bigint() - t) / n, sink];`).bind(null, view);
const runOther = loop(other.view);
const runOurs = loop(ours.view);
for (let i = 0; i < 5; i++) { runOther(ab, N); runOurs(ab, N); }
const a = [];
const b = [];
for (let r = 0; r < rounds; r++) {
  if (r & 1) { b.push(runOurs(ab, N)[0]); a.push(runOther(ab, N)[0]); }
  else { a.push(runOther(ab, N)[0]); b.push(runOurs(ab, N)[0]); }
}
const median = (x) => x.sort((p, q) => p - q)[x.length >> 1];
console.log(`other ${median(a).toFixed(1)} ns, lib ${median(b).toFixed(1)} ns, ratio ${(median(b) / median(a)).toFixed(3)} (${rounds} rounds x ${N} views)`);
