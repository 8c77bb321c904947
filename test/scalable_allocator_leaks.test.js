'use strict';
// ScalableAllocator leak detection: paranoid, sample and disabled modes, the
// GC fallback that returns an unreachable allocation (never one a live view
// still reaches), its one warning with the allocating stack, and chunks the
// fallback empties or a dropped allocator leaves behind.

const { ScalableAllocator } = require('..');
const binding = require('../lib/internal/binding');
const { chunksOf, handleOf } = require('../lib/scalable_allocator');
const { captureLeakWarnings } = require('./helpers/leak_warnings');
const { collect, collectUntil, until, settled } = require('./helpers/gc');

const KiB = 1024;
const validate = (a) => handleOf(a).validate();

describe('ScalableAllocator leak detection', () => {
  test('paranoid: an unreachable allocation is returned, counted and reported once with its stack', async () => {
    const a = new ScalableAllocator({ leakDetection: 'paranoid' });
    const w = captureLeakWarnings();
    try {
      (function leakHere() { a.malloc(1000); })();
      expect(await collectUntil(() => a.stats().leaks === 1)).toBe(true);
      expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0, leaks: 1 });
      await collect();
      a.stats();
      expect(w.seen).toHaveLength(1);
      expect(w.seen[0].name).toBe('PoolmemLeakWarning');
      expect(w.seen[0].message).toMatch(/1000 bytes/);
      expect(w.seen[0].detail).toMatch(/scalable_allocator_leaks\.test\.js:\d+/);
    } finally {
      await w.stop();
    }
  });

  test.each(['subarray', 'slice'])('a live %s() keeps the bytes: they are never returned or handed out again', async (how) => {
    const a = new ScalableAllocator({ leakDetection: 'paranoid', chunkSize: 4 * KiB });
    let part = (() => {
      const b = a.malloc(4000);
      b.fill(0xab);
      return b[how](100, 200); // the Buffer itself becomes garbage
    })();
    for (let round = 0; round < 5; round++) {
      await collect();
      expect(a.stats()).toMatchObject({ leaks: 0, usedSize: 4000 });
    }
    const others = [];
    for (let i = 0; i < 50; i++) others.push(a.malloc(512).fill(0xcd));
    expect(part.every((x) => x === 0xab)).toBe(true);
    expect(part.length).toBe(100);
    for (const o of others) a.free(o);
    part = null;
    expect(await collectUntil(() => a.stats().leaks === 1)).toBe(true);
    expect(a.stats()).toMatchObject({ usedSize: 0, allocations: 0 });
  });

  test('sample: about one allocation in 1024 is tracked', async () => {
    const a = new ScalableAllocator({ leakDetection: 'sample' });
    const w = captureLeakWarnings();
    try {
      for (let i = 0; i < 20000; i++) a.malloc(16);
      expect(await until(() => a.stats().leaks > 0)).toBe(true);
      await collect(); // the rest of that collection's finalizers
      const { leaks, allocations } = a.stats();
      await new Promise((resolve) => process.nextTick(resolve)); // reports are emitted on the next tick
      expect(leaks).toBeGreaterThan(0);
      expect(leaks).toBeLessThan(200);
      expect(allocations).toBe(20000 - leaks);
      // This test's own reports: an earlier test's last one may arrive on this test's first tick.
      const ours = w.seen.filter((x) => x.message.startsWith('16 bytes'));
      expect(ours.length).toBe(leaks);
      expect(ours[0].detail).toMatch(/paranoid/);
    } finally {
      await w.stop();
    }
  });

  test('a chunk the GC fallback frees entirely is released later, and its id can be reused', async () => {
    const a = new ScalableAllocator({ leakDetection: 'paranoid', chunkSize: 4 * KiB, maxChunkSize: 4 * KiB });
    const keepFirst = a.malloc(4 * KiB);
    const spare = a.malloc(4 * KiB);
    a.free(spare); // chunk 1 is now the spare
    (() => { a.malloc(4 * KiB); })(); // chunk 1 again, dropped without free()
    const chunkAb = chunksOf(a)[1];
    const stale = new Uint8Array(chunkAb, 0, 16); // a user's own view of the chunk
    const second = a.malloc(4 * KiB); // chunk 2
    const third = a.malloc(4 * KiB);
    a.free(third); // chunk 3 is the spare: when chunk 1 comes back, one of them goes
    expect(await collectUntil(() => a.stats().leaks === 1)).toBe(true);
    expect(a.stats()).toMatchObject({ chunks: 3, allocations: 2 });
    expect(stale.length).toBe(0); // the released chunk's ArrayBuffer is detached
    const again = a.malloc(4 * KiB).fill(1); // reuses the free id with a new chunk
    expect(again.length).toBe(4 * KiB);
    a.free(again);
    expect(keepFirst.length + second.length).toBe(8 * KiB);
    expect(validate(a)).toBe(true);
  });

  test('a dropped allocator unmaps its chunks once its views are gone', async () => {
    const before = await settled(() => binding.liveRegions());
    (() => {
      const a = new ScalableAllocator({ chunkSize: 4 * KiB, leakDetection: 'paranoid' });
      for (let i = 0; i < 20; i++) a.malloc(3 * KiB);
    })();
    expect(binding.liveRegions()).toBeGreaterThan(before);
    expect(await collectUntil(() => binding.liveRegions() <= before)).toBe(true);
  });

  test('disabled: nothing is tracked, an unfreed allocation stays allocated', async () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    for (let i = 0; i < 300; i++) a.malloc(16);
    await collect();
    expect(a.stats()).toMatchObject({ leaks: 0, allocations: 300 });
  });
});
