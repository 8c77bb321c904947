'use strict';
// GC fallbacks and teardown (node-addon-api testUtil pattern): finalizers are
// asserted only after gc() plus setImmediate ticks; process exit and
// worker.terminate() with outstanding buffers must never crash.

const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { Worker } = require('node:worker_threads');
const { Arena } = require('..');
const { handleOf } = require('../lib/arena');
const binding = require('../lib/internal/binding');
const { collect, collectUntil, until, watch, settled } = require('./helpers/gc');

const liveSafeBlocks = (arena) => handleOf(arena).stats()[0];
const reclaimed = (arena) => handleOf(arena).stats()[1];

describe('safe mode GC fallback', () => {
  test('buffers dropped without free() come back after GC', async () => {
    const arena = new Arena(1 << 16, { safe: true });
    (() => {
      for (let i = 0; i < 10; i++) arena.malloc(1000).fill(i);
    })();
    expect(arena.usedSize).toBe(10000);
    expect(await collectUntil(() => arena.usedSize === 0)).toBe(true);
    expect(reclaimed(arena)).toBe(10);
    expect(liveSafeBlocks(arena)).toBe(0);
    expect(handleOf(arena).validate()).toBe(true);
    arena.close();
  });

  test('the fallback returns only bytes never freed, never a neighbour', async () => {
    const arena = new Arena(4096, { safe: true, alignment: 1 }); // the neighbour takes exactly the freed bytes
    let neighbour;
    (() => {
      const a = arena.malloc(200);
      arena.free(a.subarray(100)); // bytes 100..199 free again
      neighbour = arena.malloc(100); // best fit: takes exactly those bytes
      neighbour.fill(0xab);
    })();
    expect(arena.usedSize).toBe(200);
    expect(await collectUntil(() => arena.usedSize === 100)).toBe(true);
    expect(reclaimed(arena)).toBe(1);
    expect(neighbour.every((x) => x === 0xab)).toBe(true);
    arena.free(neighbour);
    expect(arena.usedSize).toBe(0);
    arena.close();
  });

  test('a live subarray keeps its allocation through several GC rounds', async () => {
    const arena = new Arena(4096, { safe: true });
    let sub = (() => {
      const whole = arena.malloc(1000);
      whole.fill(0x5a);
      return whole.subarray(500, 510);
    })();
    for (let round = 0; round < 5; round++) {
      await collect();
      expect(arena.usedSize).toBe(1000);
      expect(arena.freeSize).toBe(3096);
      expect(sub.every((x) => x === 0x5a)).toBe(true);
    }
    // Nothing can be handed out over the still-reachable bytes.
    const probe = arena.malloc(3096);
    expect(probe).not.toBeNull();
    expect(arena.malloc(1)).toBeNull();
    arena.free(probe);
    expect(sub.every((x) => x === 0x5a)).toBe(true);
    sub = null;
    expect(await collectUntil(() => arena.usedSize === 0)).toBe(true);
    arena.close();
  });

  test('explicitly freed buffers are not counted as reclaimed', async () => {
    const arena = new Arena(4096, { safe: true });
    (() => {
      for (let i = 0; i < 5; i++) arena.free(arena.malloc(100));
      arena.malloc(1); // the one leak: proof that this garbage's finalizers ran
    })();
    expect(await until(() => reclaimed(arena) === 1)).toBe(true);
    await collect();
    expect(reclaimed(arena)).toBe(1);
    arena.close();
  });
});

describe('mapped regions outlive their views, not longer', () => {
  test('a closed, dropped arena is unmapped only after its views are gone', async () => {
    const baseline = await settled(() => binding.liveRegions());
    let arenaGone;
    let view = (() => {
      const arena = new Arena(1 << 20);
      arenaGone = watch(arena);
      const buf = arena.malloc(64);
      return buf;
    })();
    expect(binding.liveRegions()).toBe(baseline + 1);
    expect(await until(arenaGone)).toBe(true);
    await collect();
    // The arena object is gone but the view still reaches the region.
    expect(binding.liveRegions()).toBe(baseline + 1);
    view.fill(1);
    expect(view[63]).toBe(1);
    view = null;
    expect(await collectUntil(() => binding.liveRegions() === baseline)).toBe(true);
  });

  test.each([['fast', false], ['safe', true]])('%s: close() detaches views at once (safe: poisons them); the region goes after finalizers', async (_, safe) => {
    const baseline = await settled(() => binding.liveRegions());
    const arena = new Arena(1 << 20, { safe });
    let kept = [arena.malloc(10), arena.malloc(20)];
    arena.close();
    // Safe mode never detaches: a write in flight may still read the bytes.
    expect(kept.map((b) => b.length)).toEqual(safe ? [10, 20] : [0, 0]);
    kept = null;
    expect(await collectUntil(() => binding.liveRegions() === baseline)).toBe(true);
    expect(arena.closed).toBe(true); // the closed arena itself is still reachable
  });
});

describe('process exit with outstanding buffers', () => {
  test.each(['exit', 'natural', 'throw'])('%s: no crash', (how) => {
    const env = { ...process.env };
    // Under the sanitizer run: process.exit() skips Node's teardown, so every
    // live V8 and napi allocation would be reported as a leak; the natural and
    // throwing exits keep leak checking on.
    if (how === 'exit' && env.POOLMEM_UNDER_ASAN) env.ASAN_OPTIONS = `${env.ASAN_OPTIONS}:detect_leaks=0`;
    const result = spawnSync(process.execPath, [path.join(__dirname, 'fixtures', 'exit_with_outstanding.js'), how], {
      encoding: 'utf8',
      timeout: 30000,
      env,
    });
    expect(result.signal).toBeNull();
    expect(result.stdout).toBe('ready\n');
    if (how === 'throw') {
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('uncaught on purpose');
    } else {
      expect(result.status).toBe(0);
      expect(result.stderr).toBe('');
    }
  });
});

describe('worker threads', () => {
  function runWorker(mode) {
    return new Promise((resolve, reject) => {
      const worker = new Worker(path.join(__dirname, 'fixtures', 'worker_with_outstanding.js'), { workerData: { mode } });
      worker.once('error', reject);
      worker.once('message', async (msg) => {
        const code = mode === 'idle' ? await worker.terminate() : await new Promise((r) => worker.once('exit', r));
        resolve({ msg, code });
      });
    });
  }

  test('worker.terminate() with outstanding buffers in both modes', async () => {
    const { msg, code } = await runWorker('idle');
    expect(msg.sum).toBe(2 * (49 * 50) / 2);
    expect(code).toBe(1);
  });

  test('a worker that ends with outstanding buffers exits cleanly', async () => {
    const { code } = await runWorker('return');
    expect(code).toBe(0);
  });

  test('several workers at once, and the main thread keeps working', async () => {
    const results = await Promise.all([runWorker('idle'), runWorker('return'), runWorker('idle')]);
    expect(results.map((r) => r.code)).toEqual([1, 0, 1]);
    const arena = new Arena(4096);
    expect(arena.malloc(10).length).toBe(10);
    arena.close();
  });
});
