// GC pressure: 1,000,000 malloc/free cycles of 64 KiB with ScalableAllocator
// against Buffer.allocUnsafe(65536) dropped to the GC. Each contender runs in
// a child process of its own (clean heap, no shared JIT state). Reported from
// PerformanceObserver 'gc' entries: events, total pause, major GCs
// (detail.kind NODE_PERFORMANCE_GC_MAJOR: mark-sweep / mark-compact), and the
// peak RSS sampled every batch. The loop yields to the event loop every
// 10,000 cycles, as a server would. Bounded: at most one 64 KiB buffer is live.
// Run: node bench/gc_pressure.mjs [cycles]   (GC figures depend on the Node major.)
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { describeMachine, printTable } from './common.mjs';

const SIZE = 64 * 1024;
const BATCH = 10_000;
const [, , role, contender, cyclesArg] = process.argv;

if (role === 'child') {
  await runChild(contender, Number(cyclesArg));
} else {
  const cycles = Number(process.argv[2] ?? 1_000_000);
  const results = {};
  for (const name of ['ScalableAllocator', 'Buffer.allocUnsafe']) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'child', name, String(cycles)], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    if (r.status !== 0) throw new Error(`${name} child failed: ${r.stderr || r.signal}`);
    results[name] = JSON.parse(r.stdout.trim().split('\n').pop());
  }
  const ours = results.ScalableAllocator;
  const theirs = results['Buffer.allocUnsafe'];
  const row = (name, r) => [name, r.events, r.minor, r.major, r.pauseMs.toFixed(1), r.peakRssMB.toFixed(0), r.wallMs.toFixed(0)];
  printTable(
    `GC pressure: ${cycles.toLocaleString('en-US')} malloc/free of 64 KiB (${describeMachine()})`,
    ['contender', 'GC events', 'minor', 'major', 'total pause ms', 'peak RSS MB', 'wall ms'],
    [row('ScalableAllocator', ours), row('Buffer.allocUnsafe', theirs)],
  );
  const pauseRatio = ours.pauseMs === 0 ? 'inf' : (theirs.pauseMs / ours.pauseMs).toFixed(1);
  console.log(`\nGC pause ratio allocUnsafe/ScalableAllocator: ${pauseRatio}x; ` +
    `major GCs during the ScalableAllocator run: ${ours.major}`);
}

async function runChild(name, cycles) {
  const require = createRequire(import.meta.url);
  const { ScalableAllocator } = require('../lib/index.js');
  const stats = { events: 0, minor: 0, major: 0, pauseMs: 0, peakRssMB: 0, wallMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      stats.events++;
      stats.pauseMs += e.duration;
      if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) stats.major++;
      else if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MINOR) stats.minor++;
    }
  });
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  const alloc = name === 'ScalableAllocator' ? new ScalableAllocator() : null; // default options: leakDetection 'sample'
  let sink = 0;
  // Warm up outside the measurement (JIT, first chunk).
  for (let i = 0; i < 1000; i++) {
    if (alloc) alloc.free(alloc.malloc(SIZE));
    else sink += Buffer.allocUnsafe(SIZE).length;
  }
  await tick();
  observer.observe({ entryTypes: ['gc'] });
  const start = performance.now();
  for (let done = 0; done < cycles; done += BATCH) {
    const n = Math.min(BATCH, cycles - done);
    if (alloc) {
      for (let i = 0; i < n; i++) {
        const b = alloc.malloc(SIZE);
        b[0] = i;
        sink += b[0];
        alloc.free(b);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const b = Buffer.allocUnsafe(SIZE);
        b[0] = i;
        sink += b[0];
      }
    }
    stats.peakRssMB = Math.max(stats.peakRssMB, process.memoryUsage.rss() / 1048576);
    await tick();
  }
  stats.wallMs = performance.now() - start;
  await tick();
  await tick();
  observer.disconnect();
  if (sink === -1) console.error(sink);
  console.log(JSON.stringify(stats));
}
