'use strict';
// Termination stress: for every family of native entry points, a worker loops
// on it and is terminated at random moments; and the main thread calls
// process.exit() while workers are busy. Each runs in a child process, whose
// exit shows any abort (FATAL ERROR, exit 134, SIGABRT) the addon caused.
// Counts: POOLMEM_TERMINATIONS per family (default 20) and POOLMEM_EXIT_RUNS
// (default 5); `npm run stress` runs 200 and 50.

const path = require('node:path');
const { spawn } = require('node:child_process');
const { families } = require('./fixtures/termination_families');
const { childEnv } = require('./helpers/child_env');

const HOST = path.join(__dirname, 'fixtures', 'termination_host.js');
const TERMINATIONS = Number(process.env.POOLMEM_TERMINATIONS || 20);
const EXIT_RUNS = Number(process.env.POOLMEM_EXIT_RUNS || 5);
const TIMEOUT = Math.max(60000, TERMINATIONS * 2000);

// Under ASan, LeakSanitizer's exit-time report would fail every child: workers
// cut short leave Node's own allocations (and an occasional finalizer hint
// Node refused before it existed) behind. This test is about aborts.
const env = childEnv();

function runHost(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HOST, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('close', (code, signal) => resolve({ code, signal, out }));
  });
}

describe('worker.terminate() at a random moment', () => {
  test.each(Object.keys(families))('%s: never aborts the process', async (family) => {
    const { code, signal, out } = await runHost(['terminate', family, String(TERMINATIONS)]);
    expect({ code, signal, out: code === 0 ? '' : out }).toEqual({ code: 0, signal: null, out: '' });
    expect(out).toContain(`terminated ${TERMINATIONS}`);
  }, TIMEOUT);
});

describe('process.exit() while workers are busy', () => {
  test(`${EXIT_RUNS} runs never abort`, async () => {
    for (let run = 0; run < EXIT_RUNS; run++) {
      const { code, signal, out } = await runHost(['exit', '4']);
      expect({ run, code, signal, out }).toEqual({ run, code: 0, signal: null, out: '' });
    }
  }, Math.max(180000, EXIT_RUNS * 20000)); // each run starts a process and four workers: slow on a loaded machine

  // Every worker churning a safe-mode BytePool: its held slots come back
  // through native finalizers, so teardown has no FinalizationRegistry
  // cleanup to run (one that hung Node 20.4.0's teardown).
  test('runs with every worker on a safe-mode BytePool never abort or hang', async () => {
    for (let run = 0; run < Math.max(1, Math.ceil(EXIT_RUNS / 2)); run++) {
      const { code, signal, out } = await runHost(['exit', '4', 'byte-pool-safe']);
      expect({ run, code, signal, out }).toEqual({ run, code: 0, signal: null, out: '' });
    }
  }, Math.max(120000, EXIT_RUNS * 20000));
});
