// What an accidental postMessage(buf) / structuredClone(buf) of a 16-byte
// pooled buffer copies, per pool at its default and largest chunk sizes,
// beside transferableCopy(buf) (`node bench/clone_cost.mjs`). Bytes are exact;
// times are one clone each, so only the order of magnitude means anything.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Arena, BytePool, ScalableAllocator, alloc, free, transferableCopy } = require('../lib/index.js');

const MiB = 1024 * 1024;
const rows = [];
function measure(name, buf) {
  let t = process.hrtime.bigint();
  const clone = structuredClone(buf);
  const cloneMs = Number(process.hrtime.bigint() - t) / 1e6;
  t = process.hrtime.bigint();
  const copy = transferableCopy(buf);
  const copyMs = Number(process.hrtime.bigint() - t) / 1e6;
  rows.push([name, clone.buffer.byteLength, cloneMs.toFixed(3), copy.buffer.byteLength, copyMs.toFixed(3)]);
}

for (const size of [MiB, 64 * MiB, 256 * MiB]) {
  const arena = new Arena(size);
  measure(`Arena(${size / MiB} MiB) fast`, arena.malloc(16));
  arena.close();
}
const safePool = new ScalableAllocator({ safe: true, leakDetection: 'disabled' });
measure('ScalableAllocator safe', safePool.malloc(16));
safePool.close();
const safeArena = new Arena(256 * MiB, { safe: true });
measure('Arena(256 MiB) safe', safeArena.malloc(16));
safeArena.close();

const pool = new ScalableAllocator({ leakDetection: 'disabled' });
measure('ScalableAllocator first chunk (chunkSize 64 KiB)', pool.malloc(16));
const grown = new ScalableAllocator({ chunkSize: 4 * MiB, leakDetection: 'disabled' });
measure('ScalableAllocator chunk of maxChunkSize (4 MiB)', grown.malloc(16));
grown.close();
const dedicated = pool.malloc(64 * MiB);
measure('ScalableAllocator request above maxChunkSize (its own chunk, 64 MiB)', dedicated.subarray(0, 16));
pool.close();

const bytes = new BytePool();
measure('BytePool get (256 KiB slab)', bytes.get(16));
bytes.close();
const a = alloc(16);
measure('alloc (1 MiB process arena)', a);
free(a);

console.log('| pool | structuredClone copies (bytes) | ms | transferableCopy (bytes) | ms |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
