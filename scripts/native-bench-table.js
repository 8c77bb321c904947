'use strict';
// Prints strategies_bench's medians (ns/op) per workload and strategy beside
// GoMem's figures measured on this machine kind, with ratios
// GoMem / ours, then the 10,000-live-block targets.
const fs = require('node:fs');

const GOMEM = {
  AllocatorAllocate: [34.6, 45.9], AllocatorAllocateSmall: [33.9, 41.8], AllocatorAllocateLarge: [22.4, 44.7],
  AllocatorSequentialAlloc: [1275, 3095], AllocatorRandomAlloc: [22.8, 42.9], AllocatorGetFreeSize: [8.11, 8.23],
  TwoTreeAllocator: [25.1, 45.2], TwoTreeSmallAlloc: [28.2, 43.0], TwoTreeLargeAlloc: [23.4, 43.1],
  TwoTreeSequential: [3031, 5739], TwoTreeRandom: [24.9, 42.3], TwoTreeFind: [3.58, 3.42],
  TwoTreeGetFreeSize: [8.82, 8.31],
};
const GOMEM_BUDDY = {
  BuddyAlloc: 144, BuddyAllocSmall: 137, BuddyAllocLarge: 99.6, BuddySequentialAlloc: 14420,
  BuddyRandomAlloc: 152, BuddyNonPowerOf2: 145,
};
const STRATEGIES = ['treap', 'avl', 'buddy', 'first-fit'];
const TARGETS = { treap: 15, avl: 20, buddy: 30, 'first-fit': 40 };

const report = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const ns = new Map(); // "workload/strategy" -> median ns
for (const b of report.benchmarks) {
  if (b.run_type === 'aggregate' && b.aggregate_name !== 'median') continue;
  const scale = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 }[b.time_unit];
  ns.set(b.run_name, b.real_time * scale);
}
const workloads = [...new Set([...ns.keys()].map((k) => k.slice(0, k.lastIndexOf('/'))))];

const fmt = (v) => (v === undefined ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const ratio = (gomem, ours) => (gomem === undefined || ours === undefined ? '-' : `${(gomem / ours).toFixed(1)}x`);
const rows = [['workload', ...STRATEGIES, 'GoMem 1 tree', 'GoMem 2 trees', 'GoMem buddy', 'treap vs 1', 'avl vs 2', 'buddy vs GoMem']];
for (const w of workloads) {
  const ours = STRATEGIES.map((s) => ns.get(`${w}/${s}`));
  const [single, two] = GOMEM[w] ?? [];
  const buddy = GOMEM_BUDDY[w];
  rows.push([w, ...ours.map(fmt), fmt(single), fmt(two), fmt(buddy),
    ratio(single, ours[0]), ratio(two, ours[1]), ratio(buddy, ours[2])]);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
console.log('ns/op, median of 3 (ratios: GoMem / ours, higher is better)');
for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));

console.log('\nTargets, one allocate+free pair with 10,000 live blocks (Pair10kLive):');
for (const s of STRATEGIES) {
  const v = ns.get(`Pair10kLive/${s}`);
  console.log(`  ${s.padEnd(9)} ${fmt(v).padStart(6)} ns  target <= ${TARGETS[s]} ns  ${v <= TARGETS[s] ? 'met' : 'NOT met'}`);
}
