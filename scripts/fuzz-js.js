'use strict';
// Long runs of the public-API fuzzer (test/helpers/api_fuzz.js): one
// fast-check run per seed, seeds from POOLMEM_FUZZ_SEED (default: the time)
// upward, until POOLMEM_FUZZ_SECONDS (default 120) have passed or
// POOLMEM_FUZZ_RUNS programs per seed (default 200) fail. Prints the
// counterexample and the seed to replay on the first failure.

const { fuzz } = require('../test/helpers/api_fuzz');

const seconds = Number(process.env.POOLMEM_FUZZ_SECONDS ?? 120);
const runs = Number(process.env.POOLMEM_FUZZ_RUNS ?? 200);
let seed = Number(process.env.POOLMEM_FUZZ_SEED ?? Date.now() % 2 ** 31);
const deadline = Date.now() + seconds * 1000;
// Between seeds the event loop turns: native finalizers (the memory of closed
// pools, of collected ArrayBuffers) only run there, so a loop that never
// yields holds every pool it ever made (gigabytes within minutes).
const turn = () => new Promise((resolve) => setTimeout(resolve, 1));

async function main() {
  let programs = 0;
  while (Date.now() < deadline) {
    try {
      fuzz({ numRuns: runs, seed });
    } catch (err) {
      console.error(err.message);
      if (err.cause) console.error(err.cause);
      console.error(`replay: POOLMEM_FUZZ_SEED=${seed} POOLMEM_FUZZ_SECONDS=1 npm run fuzz:js`);
      process.exit(1);
    }
    programs += runs;
    seed++;
    await turn();
    await turn();
  }
  console.log(`fuzz:js: ${programs} programs, seeds up to ${seed - 1}, no invariant broken`);
}

main();
