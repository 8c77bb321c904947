// What safe mode costs against fast mode, same pool, same run: time per
// malloc+free pair and the memory freed buffers hold until the garbage
// collector has run their finalizers. Rounds of ROUND pairs with one
// setImmediate turn between them (finalizers only run on a later turn), so
// the time includes the GC and finalizer work safe mode causes. Peak held is
// the largest heldSize seen after a round; drain is how long held bytes took
// to come back after the last round (with gc() calls).
import { createRequire } from 'node:module';
import { describeMachine, fmt, printTable, ratio } from './common.mjs';

const require = createRequire(import.meta.url);
const { Arena, BytePool, ScalableAllocator } = require('../lib/index.js');

const SIZES = [64, 4096, 65536];
const ROUND = 256;
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 400);
const tick = () => new Promise((resolve) => setImmediate(resolve));
let sink = 0;

const POOLS = {
  Arena: {
    make: (safe) => new Arena(512 << 20, { safe }),
    pair: (p, n) => { const b = p.malloc(n); if (b === null) return false; sink += b.length; p.free(b); return true; },
    held: (p) => p.heldSize,
  },
  ScalableAllocator: {
    make: (safe) => new ScalableAllocator({ safe, leakDetection: 'disabled' }),
    pair: (p, n) => { const b = p.malloc(n); sink += b.length; p.free(b); return true; },
    held: (p) => p.stats().heldSize,
  },
  BytePool: {
    make: (safe) => new BytePool(undefined, { safe, leakDetection: 'disabled' }),
    pair: (p, n) => { const b = p.get(n); sink += b.length; p.put(b); return true; },
    held: (p) => p.stats().heldSize,
  },
};

async function run(kind, safe, size) {
  const { make, pair, held } = POOLS[kind];
  const pool = make(safe);
  let pairs = 0;
  let peak = 0;
  let full = 0; // rounds cut short because the pool was full of held bytes
  const start = process.hrtime.bigint();
  const end = start + BigInt(TIME_MS) * 1_000_000n;
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < ROUND; i++, pairs++) {
      if (!pair(pool, size)) { full++; break; }
    }
    peak = Math.max(peak, held(pool));
    await tick();
  }
  const ns = Number(process.hrtime.bigint() - start) / pairs;
  const drainStart = Date.now();
  while (held(pool) !== 0 && Date.now() - drainStart < 10_000) { global.gc(); await tick(); await tick(); }
  const drain = Date.now() - drainStart;
  pool.close();
  return { ns, peak, drain, full };
}

const mib = (n) => (n / (1 << 20)).toFixed(1);
const rows = [];
for (const kind of Object.keys(POOLS)) {
  for (const size of SIZES) {
    const fast = await run(kind, false, size);
    const safe = await run(kind, true, size);
    rows.push([kind, size, fmt(fast.ns), fmt(safe.ns), ratio(safe.ns, fast.ns), mib(safe.peak), safe.drain, safe.full]);
  }
}
printTable(
  `Safe mode vs fast mode, malloc+free (get+put) pairs in rounds of ${ROUND} with a turn between (${describeMachine()})`,
  ['pool', 'bytes', 'fast ns', 'safe ns', 'safe/fast', 'peak held MiB', 'drain ms', 'full rounds'],
  rows,
);
if (sink === -1) console.log(sink);
