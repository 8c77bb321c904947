'use strict';
// A bounded run of the model-based API fuzzer (helpers/api_fuzz.js): every
// pool, hostile arguments, invariants checked after every step (counters at
// `stats` steps and at the end). Long runs:
// `npm run fuzz:js` (POOLMEM_FUZZ_SECONDS, POOLMEM_FUZZ_SEED).

const { fuzz } = require('./helpers/api_fuzz');

describe('public API fuzzer', () => {
  test('seeded programs keep every invariant', () => {
    const seed = Number(process.env.POOLMEM_FUZZ_SEED ?? 20261206);
    fuzz({ numRuns: Number(process.env.POOLMEM_FUZZ_RUNS ?? 60), seed });
  });
});
