// Shared benchmark plumbing: tinybench with batched tasks (timer overhead per
// call would dominate a ~50 ns operation), ns/op tables and ratios computed
// from the same run. Means, not medians: GC pauses are part of what an
// allocation costs, and a median batch would leave them out.
import { Bench } from 'tinybench';

export const BATCH = 1000;

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
