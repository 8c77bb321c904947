'use strict';
// ScalableAllocator against a model: seeded random malloc, whole and partial
// free, freeRest and borrow over many chunks, every strategy, fast and safe.

const { STRATEGIES, ScalableAllocator } = require('..');
const { handleOf } = require('../lib/scalable_allocator');
const { tick } = require('./helpers/gc');
const { seededRandom } = require('./helpers/random');

const KiB = 1024;
const MiB = 1024 * 1024;
const validate = (a) => handleOf(a).validate();

describe('ScalableAllocator model test', () => {
  // Seeded random malloc / whole and partial free / freeRest / borrow over many
  // chunks and sizes up to 3 MiB, with a reserved-bytes cap keeping it bounded.
  test.each(STRATEGIES.flatMap((s) => [[s, false], [s, true]]))('%s (safe: %p) matches a model', async (strategy, safe) => {
    const rand = seededRandom(12345).int;
    const a = new ScalableAllocator({
      chunkSize: 16 * KiB, maxChunkSize: MiB, maxSize: 48 * MiB, strategy, safe, leakDetection: 'disabled',
    });
    const live = [];
    let used = 0;
    for (let step = 0; step < 2500; step++) {
      // Safe mode holds freed bytes until their buffers are collected: yield
      // to the GC now and then (a borrow, a real allocation there, may still
      // find the cap reached).
      if (safe && step % 100 === 99) {
        global.gc();
        await tick();
        await tick();
      }
      const op = rand(10);
      if (op < 5) {
        const size = rand(20) === 0 ? 1 + rand(3 * MiB) : 1 + rand(4096);
        let b;
        try {
          b = a.malloc(size);
        } catch (err) {
          expect(err.code).toBe('ERR_POOLMEM_OUT_OF_MEMORY');
          continue;
        }
        const canary = rand(256);
        b[0] = canary;
        b[size - 1] = canary;
        live.push({ b, canary });
        used += size;
      } else if (op < 9 && live.length > 0) {
        const i = rand(live.length);
        const { b, canary } = live[i];
        expect(b[0]).toBe(canary);
        expect(b[b.length - 1]).toBe(canary);
        const length = b.length; // before the free: a full free may detach b
        if (length > 2 && op === 8) {
          const keep = 1 + rand(length - 2);
          live[i].b = a.freeRest(b, keep);
          live[i].b[keep - 1] = canary;
          used -= length - keep;
        } else {
          a.free(b);
          used -= length;
          live[i] = live[live.length - 1];
          live.pop();
        }
      } else {
        try {
          a.borrow(1 + rand(8192));
        } catch (err) {
          if (!safe) throw err;
          expect(err.code).toBe('ERR_POOLMEM_OUT_OF_MEMORY');
        }
      }
      if (step % 250 === 0) expect(validate(a)).toBe(true);
      const s = a.stats();
      expect(s.usedSize).toBe(used);
      expect(s.allocations).toBe(live.length);
      expect(s.size).toBeLessThanOrEqual(48 * MiB);
    }
    expect(a.stats().chunks).toBeGreaterThan(5);
    for (const { b } of live) a.free(b);
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
    expect(validate(a)).toBe(true);
    a.close();
  });
});
