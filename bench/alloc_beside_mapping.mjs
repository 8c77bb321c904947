// alloc()/free() on one thread while another maps and unmaps arenas: the
// process-wide allocator's lock is shared, so its holders must never make a
// system call. The main thread times alloc(300 KiB)+free pairs (a native call
// each way, no mapping: the arena is kept as the spare) while a worker
// allocates and frees 8 MiB blocks (above the spare limit: an mmap and a
// munmap per pair). Prints the main thread's pair-time percentiles.
// Run: node bench/alloc_beside_mapping.mjs [ms]   (bounded: 3 s by default)
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describeMachine } from './common.mjs';

const require = createRequire(import.meta.url);
const { alloc, free } = require('../lib/index.js');

if (!isMainThread) {
  const end = Date.now() + workerData.ms;
  let pairs = 0;
  while (Date.now() < end) {
    const b = alloc(8 << 20);
    b[0] = 1;
    free(b);
    pairs++;
  }
  parentPort.postMessage(pairs);
} else {
  const ms = Number(process.argv[2] ?? 3000);
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { ms } });
  await new Promise((resolve) => worker.once('online', resolve));
  const times = [];
  const keep = alloc(64); // this thread's arena stays mapped throughout
  const end = Date.now() + ms - 200;
  while (Date.now() < end) {
    const t = process.hrtime.bigint();
    free(alloc(300 << 10));
    times.push(Number(process.hrtime.bigint() - t));
  }
  free(keep);
  const workerPairs = await new Promise((resolve) => worker.once('message', resolve));
  times.sort((a, b) => a - b);
  const at = (p) => (times[Math.min(times.length - 1, Math.floor(p * times.length))] / 1000).toFixed(1);
  console.log(describeMachine());
  console.log(`main thread: ${times.length} alloc(300 KiB)+free pairs; µs p50 ${at(0.5)}, p99 ${at(0.99)}, ` +
    `p99.9 ${at(0.999)}; over 10 µs: ${times.filter((t) => t > 10_000).length}`);
  console.log(`worker: ${workerPairs} alloc(8 MiB)+free pairs (an mmap and a munmap each)`);
}
