'use strict';
// alloc() memory a worker still holds goes back to the process-wide
// allocator when the worker's environment is torn down (it exits or is
// terminated): no other thread can reach those blocks any more.

const path = require('node:path');
const { once } = require('node:events');
const { Worker } = require('node:worker_threads');
const binding = require('../lib/internal/binding');

const WORKER = path.join(__dirname, 'fixtures', 'process_alloc_worker.js');
const MiB = 1 << 20;
const usedSize = () => binding.processStats()[2];

describe('alloc() blocks of a worker whose environment is gone', () => {
  // cached: half of the blocks wait in the worker's size-class cache.
  test.each(['exit', 'idle', 'cached'])('come back when the worker ends (%s)', async (mode) => {
    const before = usedSize();
    const reservedBefore = binding.processStats()[1];
    const worker = new Worker(WORKER, { workerData: { mode } });
    await once(worker, 'message');
    expect(usedSize()).toBe(before + 10 * MiB);
    if (mode === 'idle') {
      await worker.terminate();
    } else {
      worker.postMessage('exit');
      await once(worker, 'exit');
    }
    expect(usedSize()).toBe(before);
    // The emptied arenas are unmapped but for the one spare (1 MiB here).
    expect(binding.processStats()[1]).toBeLessThanOrEqual(reservedBefore + MiB);
    expect(binding.processValidate()).toBe(true);
  });

  test('a thread cannot free the bytes another thread holds', async () => {
    const { alloc, free } = require('..');
    const mine = alloc(64).fill(7);
    const { PROCESS_FREE_DOUBLE } = require('../lib/internal/native_contract');
    // Where the buffer lies, from the buffer itself: alloc() may have served
    // it from this thread's cache, with no native call to ask afterwards.
    const id = require('../lib/internal/stamps').ArenaChunkStamp.of(mine.buffer);
    const offset = mine.byteOffset;
    expect(typeof id).toBe('number');
    const before = usedSize();
    const worker = new Worker(`
      const { parentPort, workerData } = require('node:worker_threads');
      const { processFree } = require(${JSON.stringify(path.join(__dirname, '..', 'lib', 'internal', 'native_contract'))});
      parentPort.postMessage(processFree(workerData.id, workerData.offset, 64));
    `, { eval: true, workerData: { id, offset } });
    // Listening before the worker can end: a worker that posts and exits
    // while this thread is busy has its message and its 'exit' emitted in one
    // go, and an 'exit' listener added after the message would wait forever.
    const results = [];
    worker.on('message', (result) => results.push(result));
    await once(worker, 'exit');
    expect(results).toEqual([PROCESS_FREE_DOUBLE]); // not bytes that thread holds
    expect(usedSize()).toBe(before);
    expect(mine.every((x) => x === 7)).toBe(true);
    free(mine);
  });
});
