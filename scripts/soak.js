'use strict';
// Data-integrity soak: every pool and strategy in turn (ScalableAllocator in
// fast/sample/paranoid/safe modes, Arena fast and safe, BytePool, alloc/free,
// ArenaPool), random mallocs, whole and partial frees, freeRest, borrow,
// recycle and trim, with up to 256 live buffers each holding a pattern of its
// own, checked before every free and after every recycle. Bounded in time:
// POOLMEM_SOAK_SECONDS (default 60), POOLMEM_SOAK_SEED. Prints the operation
// counts; exits 1 on any corruption, or if reserved bytes are not back to 0
// after everything is freed and trimmed.

const { Buffer } = require('node:buffer');
const { Arena, ArenaPool, BytePool, STRATEGIES, ScalableAllocator, alloc, free } = require('..');
const binding = require('../lib/internal/binding');
const { seededRandom } = require('../test/helpers/random');

const SECONDS = Number(process.env.POOLMEM_SOAK_SECONDS ?? 60);
const rand = seededRandom(Number(process.env.POOLMEM_SOAK_SEED ?? 12345)).int; // the same run for the same seed
const MAX_LIVE = 256;

function size() {
  const r = rand(100);
  if (r < 70) return 1 + rand(256);
  if (r < 95) return 257 + rand(4096);
  return 4353 + rand(64 * 1024);
}

const counts = {};
const count = (op) => {
  counts[op] = (counts[op] ?? 0) + 1;
};
let corrupt = 0;
let nextTag = 1;

// A live buffer: its view, and the pattern it holds (a 4-byte word repeated,
// `phase` bytes dropped from the front by partial frees).
class Live {
  constructor(buf) {
    this.buf = buf;
    this.word = Buffer.alloc(4);
    this.word.writeUInt32LE((nextTag++ * 2654435761) >>> 0);
    this.phase = 0;
    if (buf.length !== 0) buf.fill(this.word);
  }

  intact(where) {
    const len = this.buf.length;
    if (len === 0) return true;
    const expected = Buffer.allocUnsafe(len + 4).fill(this.word).subarray(this.phase % 4, (this.phase % 4) + len);
    if (this.buf.equals(expected)) return true;
    corrupt++;
    console.error(`CORRUPTION in ${where}: a live ${len}-byte buffer changed`);
    return false;
  }
}

// ---- one phase per pool ------------------------------------------------------------

// ops: { malloc(size) -> buf|null, free(buf), freeRest?, borrow?, recycle?, trim?, partial? }
function churn(name, ops, ms) {
  const live = [];
  const end = Date.now() + ms;
  const check = (i) => live[i].intact(name);
  while (Date.now() < end) {
    for (let k = 0; k < 200; k++) {
      const r = rand(100);
      if (live.length < MAX_LIVE && (r < 45 || live.length === 0)) {
        const buf = ops.malloc(size());
        count(`${name} malloc`);
        if (buf !== null) live.push(new Live(buf));
      } else if (r < 80) {
        const i = rand(live.length);
        check(i);
        ops.free(live[i].buf);
        count(`${name} free`);
        live[i] = live[live.length - 1];
        live.pop();
      } else if (r < 90 && ops.partial) {
        const i = rand(live.length);
        const e = live[i];
        const len = e.buf.length;
        if (len < 2) continue;
        check(i);
        const k2 = 1 + rand(len - 1);
        if (rand(2) === 0) { // free the prefix
          ops.free(e.buf.subarray(0, k2));
          e.buf = e.buf.subarray(k2);
          e.phase += k2;
        } else {
          if (ops.freeRest && rand(2) === 0) {
            e.buf = ops.freeRest(e.buf, k2);
            count(`${name} freeRest`);
          } else {
            ops.free(e.buf.subarray(k2));
            e.buf = e.buf.subarray(0, k2);
          }
        }
        count(`${name} partial free`);
      } else if (r < 95 && ops.borrow) {
        const b = ops.borrow(1 + rand(4096));
        b.fill(0xee); // lent memory is free: writing it must not touch a live buffer
        count(`${name} borrow`);
      } else if (r < 97 && ops.recycle) {
        for (let i = 0; i < live.length; i++) check(i);
        ops.recycle();
        live.length = 0;
        count(`${name} recycle`);
      } else if (ops.trim) {
        ops.trim();
        count(`${name} trim`);
      }
    }
  }
  for (let i = 0; i < live.length; i++) {
    check(i);
    ops.free(live[i].buf);
  }
}

function expectZero(name, what, value) {
  if (value === 0) return;
  corrupt++;
  console.error(`LEAK in ${name}: ${what} is ${value} after freeing everything and trimming`);
}

// Safe mode holds freed bytes until their ArrayBuffers are collected: lets
// the GC and its finalizers run until nothing is held (bounded).
async function drainHeld(heldSize) {
  for (let i = 0; i < 200 && heldSize() !== 0; i++) {
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function scalablePhase(options, ms) {
  const a = new ScalableAllocator({ chunkSize: 16 * 1024, ...options });
  const name = `ScalableAllocator ${options.strategy} ${options.safe ? 'safe' : options.leakDetection}`;
  churn(name, {
    malloc: (n) => a.malloc(n),
    free: (b) => a.free(b),
    partial: true,
    freeRest: (b, keep) => a.freeRest(b, keep),
    borrow: (n) => a.borrow(n),
    recycle: () => a.recycle(),
    trim: () => a.trim(),
  }, ms);
  await drainHeld(() => a.stats().heldSize);
  a.trim();
  const s = a.stats();
  expectZero(name, 'usedSize', s.usedSize);
  expectZero(name, 'allocations', s.allocations);
  expectZero(name, 'reserved size', s.size);
  a.close();
}

async function arenaPhase(options, ms) {
  const arena = new Arena(8 * 1024 * 1024, options);
  const name = `Arena ${options.strategy} ${options.safe ? 'safe' : 'fast'}`;
  churn(name, { malloc: (n) => arena.malloc(n), free: (b) => arena.free(b), partial: true }, ms);
  await drainHeld(() => arena.heldSize);
  expectZero(name, 'usedSize', arena.usedSize);
  expectZero(name, 'heldSize', arena.heldSize);
  arena.close();
}

function bytePoolPhase(ms) {
  const pool = new BytePool(BytePool.powerOfTwo(), { leakDetection: 'sample' });
  const pooled = new Map(); // bytes -> PooledBuffer
  churn('BytePool', {
    malloc: (n) => {
      if (rand(2) === 0) return pool.get(n);
      const pb = pool.getBuffer(n);
      if (rand(4) === 0) pb.retain().release();
      pooled.set(pb.bytes, pb);
      return pb.bytes;
    },
    free: (b) => {
      const pb = pooled.get(b);
      if (pb === undefined) pool.put(b);
      else {
        pooled.delete(b);
        pb.release();
      }
    },
    trim: () => pool.trim(),
  }, ms);
  pool.trim();
  const s = pool.stats();
  expectZero('BytePool', 'slots in use', Object.values(s.tiers).reduce((t, x) => t + x.inUse, 0));
  expectZero('BytePool', 'reservedSize', s.reservedSize);
  pool.close();
}

function processPhase(ms) {
  const [, , usedBefore] = binding.processStats();
  churn('alloc/free', { malloc: (n) => alloc(n), free: (b) => free(b), partial: true }, ms);
  const [, , usedAfter] = binding.processStats();
  expectZero('alloc/free', 'bytes still in use', usedAfter - usedBefore);
}

function arenaPoolPhase(ms) {
  const pool = new ArenaPool({ numArenas: 4, arenaSize: 1024 * 1024 });
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const arena = pool.get();
    count('ArenaPool get/release');
    churn('ArenaPool arena', { malloc: (n) => arena.malloc(n), free: (b) => arena.free(b), partial: true }, 20);
    expectZero('ArenaPool arena', 'usedSize', arena.usedSize);
    pool.release(arena);
  }
  pool.close();
}

// ---- run ---------------------------------------------------------------------------

const phases = [];
for (const strategy of STRATEGIES) {
  for (const options of [{ leakDetection: 'disabled' }, { leakDetection: 'sample' }, { leakDetection: 'paranoid' }, { safe: true }]) {
    phases.push(() => scalablePhase({ strategy, ...options }, slice));
  }
  phases.push(() => arenaPhase({ strategy }, slice));
}
phases.push(() => arenaPhase({ safe: true }, slice));
phases.push(() => bytePoolPhase(slice));
if (STRATEGIES.includes('first-fit')) phases.push(() => processPhase(slice));
phases.push(() => arenaPoolPhase(slice));
const slice = Math.max(50, Math.floor((SECONDS * 1000) / phases.length));

async function main() {
  for (const phase of phases) await phase();
}

const started = Date.now();
main().then(report);

function report() {
  let total = 0;
  for (const [op, n] of Object.entries(counts).sort()) {
    console.log(`${op.padEnd(44)} ${n}`);
    total += n;
  }
  console.log(`${total} operations in ${((Date.now() - started) / 1000).toFixed(1)} s on Node ${process.version}; ` +
    `${corrupt} corruptions or leaks`);
  process.exit(corrupt === 0 ? 0 : 1);
}
