// Shared benchmark plumbing: tinybench with batched tasks (timer overhead per
// call would dominate a ~50 ns operation), ns/op tables and ratios computed
// from the same run. Means, not medians: GC pauses are part of what an
// allocation costs, and a median batch would leave them out.
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { Bench } from 'tinybench';

export const BATCH = 1000;

// Ring benchmarks cycle through this many pre-drawn sizes (a power of two: the index is masked).
export const SIZE_COUNT = 4096;

// Seeded sizes in [s, 2s): the same sequence for every contender.
export function drawSizes(s, seed = 0x9e3779b9) {
  const sizes = new Int32Array(SIZE_COUNT);
  let x = seed >>> 0;
  for (let i = 0; i < SIZE_COUNT; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    sizes[i] = s + (x % s);
  }
  return sizes;
}

// tasks: [{ name, fn }] where fn runs one operation. Returns Map name -> ns/op.
export async function measure(tasks, { time = Number(process.env.BENCH_TIME_MS ?? 400) } = {}) {
  const bench = new Bench({ time, warmupTime: 100 });
  for (const { name, fn } of tasks) {
    bench.add(name, () => {
      for (let i = 0; i < BATCH; i++) fn();
    });
  }
  await bench.run();
  const out = new Map();
  for (const task of bench.tasks) {
    if (task.result.state !== 'completed' && task.result.error) throw task.result.error;
    out.set(task.name, (task.result.latency.mean * 1e6) / BATCH);
  }
  return out;
}

export function fmt(ns) {
  return ns >= 100 ? ns.toFixed(0) : ns.toFixed(1);
}

export function ratio(slow, fast) {
  return `${(slow / fast).toFixed(1)}x`;
}

export function printTable(title, header, rows) {
  console.log(`\n${title}`);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padStart(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

export function describeMachine() {
  return `Node ${process.version}, ${process.platform}-${process.arch}`;
}

// JS heap one call of step() allocates, in bytes. used_heap_size grows by what
// a window of calls allocates as long as no GC runs inside the window; a
// window that saw a GC is measured again, smaller. Needs --expose-gc.
export async function heapPerPair(step) {
  let gcSeen = 0;
  const observer = new PerformanceObserver((list) => { gcSeen += list.getEntries().length; });
  observer.observe({ entryTypes: ['gc'] });
  // GC entries reach observers a few turns after the GC: wait long enough to see them.
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
  try {
    for (let i = 0; i < 2000; i++) step(); // warm, so JIT code is not counted
    for (let pairs = 20000; pairs >= 32; pairs >>= 1) {
      globalThis.gc?.();
      await settle();
      const before = gcSeen;
      const used0 = v8.getHeapStatistics().used_heap_size;
      for (let i = 0; i < pairs; i++) step();
      const used1 = v8.getHeapStatistics().used_heap_size;
      await settle();
      if (gcSeen === before) return Math.max(0, (used1 - used0) / pairs);
    }
    return NaN;
  } finally {
    observer.disconnect();
  }
}
