'use strict';
// Seeded pseudo-random numbers for tests, benchmarks' inputs and the soak:
// mulberry32, small and fast, the same sequence for the same seed on every
// run and platform, so a failing seed replays.

function seededRandom(seed) {
  let a = seed >>> 0;
  // A float in [0, 1).
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    // An integer in [0, n).
    int: (n) => Math.floor(next() * n),
    // An integer in [lo, hi], both included.
    between: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
  };
}

module.exports = { seededRandom };
