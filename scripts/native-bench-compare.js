'use strict';
// `npm run bench:native:compare -- BEFORE_DIR [--pairs N] [--filter REGEX]`:
// every Google Benchmark row of bench/native, run in another checkout
// (BEFORE_DIR, e.g. a git worktree of an older commit) and in this one,
// alternately, row by row: N runs of each per row (default 5). Prints each
// row's best time on each side and their ratio, and lists the rows more than
// 5% slower. A shared machine has slow spells of seconds that make a run up to
// 2x slower (every row of a whole run, or one side of an adjacent pair): they
// only ever add time, so the best of N alternated runs is what each side can
// do, and the ratio of bests is what the change did.
// Builds both checkouts' build-bench first (cmake, Release).

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : args.splice(at, 2)[1];
};
const pairs = Number(option('--pairs', 5));
const filter = new RegExp(option('--filter', '.'));
const before = args[0] && path.resolve(args[0]);
if (!before || !Number.isInteger(pairs) || pairs < 1) {
  console.error('usage: node scripts/native-bench-compare.js BEFORE_DIR [--pairs N] [--filter REGEX]');
  process.exit(2);
}
const after = path.join(__dirname, '..');
const PROGRAMS = ['strategies_bench', 'scalable_allocator_bench'];

function build(root) {
  execFileSync('cmake', ['-S', root, '-B', path.join(root, 'build-bench'), '-DCMAKE_BUILD_TYPE=Release',
    '-DPOOLMEM_BUILD_BENCH=ON'], { stdio: 'ignore' });
  execFileSync('cmake', ['--build', path.join(root, 'build-bench'), '-j', String(os.availableParallelism())],
    { stdio: 'ignore' });
}

const out = path.join(os.tmpdir(), `poolmem-native-compare-${process.pid}.json`);
// One row once: its CPU time in ns, or null when the program has no such row.
function runRow(root, program, row) {
  const escaped = row.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  fs.rmSync(out, { force: true });
  execFileSync(path.join(root, 'build-bench', program), [`--benchmark_filter=^${escaped}$`,
    '--benchmark_min_time=0.1', `--benchmark_out=${out}`, '--benchmark_out_format=json'], { stdio: 'ignore' });
  const text = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
  const result = text === '' ? undefined : JSON.parse(text).benchmarks[0];
  return result === undefined ? null : result.cpu_time;
}

build(before);
build(after);
const slower = [];
let compared = 0;
let faster = 0;
console.log('| row | before ns (best) | after ns (best) | after/before | every run: before / after |');
console.log('|---|---:|---:|---:|---|');
for (const program of PROGRAMS) {
  const rows = execFileSync(path.join(after, 'build-bench', program), ['--benchmark_list_tests'], { encoding: 'utf8' })
    .trim().split('\n').filter((row) => filter.test(row));
  for (const row of rows) {
    const b = [];
    const a = [];
    for (let i = 0; i < pairs; i++) {
      b.push(runRow(before, program, row));
      if (b[0] === null) break; // a row the older checkout does not have
      a.push(runRow(after, program, row));
    }
    if (b[0] === null) continue;
    const ratio = Math.min(...a) / Math.min(...b);
    compared++;
    if (ratio > 1.05) slower.push(row);
    if (ratio < 0.95) faster++;
    const shown = (xs) => xs.map((x) => x.toFixed(2)).join(' ');
    console.log(`| ${row} | ${Math.min(...b).toFixed(2)} | ${Math.min(...a).toFixed(2)} | ${ratio.toFixed(3)} | ` +
      `${shown(b)} / ${shown(a)} |`);
  }
}
fs.rmSync(out, { force: true });
console.log(`\n${compared} rows compared: ${slower.length} more than 5% slower, ${faster} more than 5% faster`);
if (slower.length > 0) console.log(`slower: ${slower.join(', ')}`);
