// MemoryReader against bl's BufferList on the same 64 KiB, split into 1 KiB and
// 64 B chunks. Each task builds its container from the chunks and parses all
// of it, the way a protocol parser meets socket data; ns/op is the median task
// time over the reads it makes. bl is used its fastest documented way: read at
// offset 0, then consume(). Every pair is checked to read the same values.
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { BufferList } from 'bl';
import { Bench } from 'tinybench';
import poolmem from '../lib/index.js';

const { Memory, MemoryReader } = poolmem;
const TOTAL = 64 * 1024;
const TIME = Number(process.env.BENCH_TIME ?? 400);

// Deterministic bytes (xorshift) so every run reads the same data.
function randomBytes(n, seed) {
  const out = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

// A stream of LEB128 values: half 1 byte, the rest 2 to 4 bytes.
function leb128Stream(n, seed) {
  const rnd = randomBytes(n, seed);
  const out = Buffer.alloc(n);
  let at = 0;
  let values = 0;
  for (let i = 0; at < n - 5; i++) {
    const r = rnd[i % n];
    let v = r < 128 ? r : r < 200 ? (r * 97) & 0x3fff : r < 240 ? (r * 40503) & 0x1fffff : (r * 2654435) & 0xfffffff;
    do {
      const byte = v & 0x7f;
      v = Math.floor(v / 128);
      out[at++] = v === 0 ? byte : byte | 0x80;
    } while (v !== 0);
    values++;
  }
  return { data: out.subarray(0, at), values };
}

// Each chunk is its own Buffer over its own memory, as socket reads arrive.
function split(data, size) {
  const chunks = [];
  for (let at = 0; at < data.length; at += size) chunks.push(Buffer.from(data.subarray(at, at + size)));
  return chunks;
}

const ours = (chunks) => new MemoryReader(new Memory(...chunks));
const theirs = (chunks) => new BufferList(chunks);

// Each row: [name, data, ops(chunkSize), poolmem(chunks, chunkSize), bl(chunks, chunkSize)].
// Both functions return a checksum so the pair can be checked to agree.
const random = randomBytes(TOTAL, 0x6006);
const leb = leb128Stream(TOTAL, 0x1eb);
const rows = [
  ['readUInt32BE, stream misaligned by 2', random, () => Math.floor((TOTAL - 2) / 4),
    (c) => { const r = ours(c); r.skip(2); let s = 0; while (r.length >= 4) s ^= r.readUInt32BE(); return s; },
    (c) => { const l = theirs(c); l.consume(2); let s = 0; while (l.length >= 4) { s ^= l.readUInt32BE(0); l.consume(4); } return s; }],
  ['readUInt32BE straddling each boundary', random, (size) => TOTAL / size - 1,
    (c, size) => { const r = ours(c); r.skip(size - 2); let s = 0; while (r.length >= size + 2) { s ^= r.readUInt32BE(); r.skip(size - 4); } return s; },
    (c, size) => { const l = theirs(c); l.consume(size - 2); let s = 0; while (l.length >= size + 2) { s ^= l.readUInt32BE(0); l.consume(size); } return s; }],
  ['readByte loop', random, () => TOTAL,
    (c) => { const r = ours(c); let s = 0; for (let n = r.length; n > 0; n--) s += r.readByte(); return s; },
    (c) => { const l = theirs(c); let s = 0; while (l.length > 0) { s += l.get(0); l.consume(1); } return s; }],
  ['skip(100)', random, () => Math.floor(TOTAL / 100),
    (c) => { const r = ours(c); let s = 0; while (r.length >= 100) { r.skip(100); s++; } return s; },
    (c) => { const l = theirs(c); let s = 0; while (l.length >= 100) { l.consume(100); s++; } return s; }],
  ['readBytes(64), misaligned by 1', random, () => Math.floor((TOTAL - 1) / 64),
    (c) => { const r = ours(c); r.skip(1); let s = 0; while (r.length >= 64) s += r.readBytes(64)[63]; return s; },
    (c) => { const l = theirs(c); l.consume(1); let s = 0; while (l.length >= 64) { s += l.slice(0, 64)[63]; l.consume(64); } return s; }],
  ['leb128 (1-4 byte values)', leb.data, () => leb.values,
    (c) => { const r = ours(c); let s = 0; while (r.length > 0) s ^= r.leb128(); return s; },
    (c) => {
      const l = theirs(c);
      let s = 0;
      while (l.length > 0) {
        let v = 0; let mul = 1; let k = 0; let x;
        do { x = l.get(k++); v += (x & 0x7f) * mul; mul *= 128; } while (x >= 0x80);
        l.consume(k);
        s ^= v;
      }
      return s;
    }],
];

const results = [];
for (const size of [1024, 64]) {
  const bench = new Bench({ time: TIME, warmupTime: 150 });
  for (const [name, data, ops, mine, bl] of rows) {
    const chunks = split(data, size);
    const a = mine(chunks, size);
    const b = bl(chunks, size);
    if (a !== b) throw new Error(`${name} (${size} B): poolmem ${a} != bl ${b}`);
    let sink = 0;
    bench.add(`poolmem ${name} ${size}`, () => { sink ^= mine(chunks, size); });
    bench.add(`bl ${name} ${size}`, () => { sink ^= bl(chunks, size); });
    results.push({ name, size, ops: ops(size), sink: () => sink });
  }
  await bench.run();
  for (const row of results.filter((r) => r.size === size)) {
    const ns = (task) => (bench.getTask(task).result.latency.p50 * 1e6) / row.ops;
    row.ours = ns(`poolmem ${row.name} ${size}`);
    row.bl = ns(`bl ${row.name} ${size}`);
  }
}

const fmt = (x) => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
let blVersion = '';
try {
  blVersion = ` ${JSON.parse(readFileSync(new URL('../node_modules/bl/package.json', import.meta.url))).version}`;
} catch {
  // a hoisted or missing copy: the version is only informative
}
console.log(`MemoryReader vs bl${blVersion}, ${TOTAL / 1024} KiB per task, median ns per read (Node ${process.version})\n`);
console.log('| operation | chunks | poolmem ns/op | bl ns/op | bl / poolmem |');
console.log('|---|---:|---:|---:|---:|');
let slower = 0;
for (const r of results) {
  const ratio = r.bl / r.ours;
  if (ratio < 1) slower++;
  console.log(`| ${r.name} | ${r.size} B | ${fmt(r.ours)} | ${fmt(r.bl)} | ${ratio.toFixed(1)}x |`);
}
if (slower) console.log(`\n${slower} row(s) slower than bl`);
