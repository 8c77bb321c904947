'use strict';
// alloc()/free(): the process-wide first-fit allocator (smasher164/mem, fixed).
// mem's own tests only checked round trips; these also check alignment,
// non-overlap, validated frees, unmapping and threads.

const { constants } = require('node:buffer');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const binding = require('../lib/internal/binding');
const { Arena, PoolError, alloc, free } = require('../lib');
const { settle } = require('../lib/process_allocator');
const { collect, collectUntil, settled } = require('./helpers/gc');
const { expectCode } = require('./helpers/expect_error');

// The native numbers, this thread's size-class cache settled first (as
// allocStats() does), so they count exactly what callers hold.
function processStats() {
  settle();
  return binding.processStats();
}

function processValidate() {
  settle();
  return binding.processValidate();
}

function arenas() {
  return processStats()[0];
}

describe('alloc()', () => {
  test('returns a Buffer of the size asked for, 16-byte aligned (mem misaligned all but the first)', () => {
    const bufs = [1, 1, 24, 8, 3, 17, 100, 4095].map((n) => alloc(n));
    for (const [i, n] of [1, 1, 24, 8, 3, 17, 100, 4095].entries()) {
      expect(Buffer.isBuffer(bufs[i])).toBe(true);
      expect(bufs[i].length).toBe(n);
      expect(bufs[i].byteOffset % 16).toBe(0);
    }
    bufs.forEach(free);
    expect(processValidate()).toBe(true);
  });

  test('10,000 live blocks never overlap', () => {
    const before = arenas();
    const live = [];
    for (let i = 0; i < 10000; i++) {
      const buf = alloc(1 + (i % 97));
      buf.fill(i & 0xff);
      live.push(buf);
    }
    live.forEach((buf, i) => expect(buf.every((v) => v === (i & 0xff))).toBe(true));
    for (let i = 0; i < live.length; i += 2) free(live[i]);
    for (let i = 1; i < live.length; i += 2) expect(live[i][0]).toBe(i & 0xff);
    for (let i = 1; i < live.length; i += 2) free(live[i]);
    expect(processValidate()).toBe(true);
    expect(arenas()).toBe(before);
  });

  test('alloc(0) is an empty Buffer and free() of it does nothing (mem: Alloc(0) is nil, Free(nil) a no-op)', () => {
    const before = processStats();
    const empty = alloc(0);
    expect(empty.length).toBe(0);
    free(empty);
    expect(processStats()).toEqual(before);
  });

  test('a request above half an arena gets an arena of its own, sized to it', () => {
    const small = alloc(64);
    const before = arenas();
    const big = alloc((5 << 20) + 5); // above the 4 MiB spare limit too: unmapped at its free
    expect(big.length).toBe((5 << 20) + 5);
    expect(big.buffer).not.toBe(small.buffer);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe((5 << 20) + 4096);
    expect(arenas()).toBe(before + 1);
    free(big);
    expect(arenas()).toBe(before);
    free(small);
  });

  test.each([
    ['a string', '16', 'ERR_INVALID_ARG_TYPE'],
    ['NaN', NaN, 'ERR_OUT_OF_RANGE'],
    ['a negative size', -1, 'ERR_OUT_OF_RANGE'],
    ['a fractional size', 1.5, 'ERR_OUT_OF_RANGE'],
    ['a huge size', 2 ** 53, 'ERR_OUT_OF_RANGE'],
    // 4 GiB is the largest block (first-fit's granule limit); Node 22 and
    // newer allow larger Buffers, Node 20 stops at 4 GiB itself.
    ['a size above the largest block', Math.min(constants.MAX_LENGTH, 2 ** 32) + 1, 'ERR_OUT_OF_RANGE'],
  ])('rejects %s and changes nothing', (_, size, code) => {
    const before = processStats();
    expectCode(() => alloc(size), code);
    expect(processStats()).toEqual(before);
  });
});

describe('free()', () => {
  test('the free that empties an arena above the spare limit unmaps it', async () => {
    const regions = await settled(() => binding.liveRegions());
    const before = arenas();
    const spare = processStats()[3];
    // 5 MiB: an arena of its own, above the 4 MiB a spare may hold.
    let a = alloc(5 << 20);
    let b = a.subarray(768 * 1024);
    expect(arenas()).toBe(before + 1);
    expect(binding.liveRegions()).toBe(regions + 1);
    free(a.subarray(0, 768 * 1024)); // a partial free keeps the arena
    expect(arenas()).toBe(before + 1);
    free(b);
    expect(arenas()).toBe(before);
    expect(processStats()[3]).toBe(spare); // the spare, if any, is untouched
    expect(a.length).toBe(0); // stale views read length 0
    expectCode(() => free(a), 'ERR_POOLMEM_DOUBLE_FREE');
    a = null;
    b = null;
    expect(await collectUntil(() => binding.liveRegions() === regions)).toBe(true);
  });

  test('the newest emptied arena stays as the one spare; the old spare is unmapped', async () => {
    await collect();
    const before = arenas();
    const blocks = [];
    // Fill past the arenas that exist (a spare among them fills first), so
    // the last block lands in a fresh arena of its own.
    while (arenas() === before) blocks.push(alloc(4096));
    const last = blocks.pop();
    free(last);
    expect(arenas()).toBe(before + 1); // kept: it is the spare
    expect(processStats()[3]).toBe(1 << 20);
    expect(last.length).toBe(4096); // its ArrayBuffer is still attached
    expect(processValidate()).toBe(true);
    // A second arena empties: it becomes the spare, the first one goes.
    let big = alloc(2 << 20);
    expect(arenas()).toBe(before + 2);
    free(big);
    expect(arenas()).toBe(before + 1);
    expect(processStats()[3]).toBe(2 << 20);
    expect(last.length).toBe(0); // the old spare was unmapped and its view detached
    expectCode(() => free(last), 'ERR_POOLMEM_DOUBLE_FREE');
    expectCode(() => free(big), 'ERR_POOLMEM_DOUBLE_FREE'); // the spare's bytes are free
    big = null;
    blocks.forEach(free);
    blocks.length = 0;
    expect(processValidate()).toBe(true);
  });

  test('allocating and freeing a block no other arena holds maps nothing after the first pair', () => {
    const first = alloc(768 * 1024); // above half an arena: not in a 1 MiB arena with blocks in it
    const chunk = first.buffer;
    const offset = first.byteOffset;
    free(first);
    const mapped = arenas();
    const regions = binding.liveRegions();
    for (let i = 0; i < 50; i++) {
      const b = alloc(768 * 1024);
      expect(b.buffer).toBe(chunk);
      expect(b.byteOffset).toBe(offset);
      free(b);
    }
    expect(arenas()).toBe(mapped);
    expect(binding.liveRegions()).toBe(regions);
  });

  test('a double free throws ERR_POOLMEM_DOUBLE_FREE and changes nothing', () => {
    const keep = alloc(32);
    const buf = alloc(32);
    free(buf);
    const before = processStats();
    expectCode(() => free(buf), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
    expect(processStats()).toEqual(before);
    free(keep);
    expectCode(() => free(keep), 'ERR_POOLMEM_DOUBLE_FREE'); // its arena is gone too
  });

  test('frees exactly the bytes of a subarray; a granule goes back once none of its bytes is live', () => {
    const buf = alloc(64);
    const keep = alloc(16);
    const used = processStats()[2];
    free(buf.subarray(3, 13)); // granule [0, 16) still holds bytes 0..2 and 13..15
    expect(processStats()[2]).toBe(used);
    expectCode(() => free(buf.subarray(0, 16)), 'ERR_POOLMEM_DOUBLE_FREE');
    free(buf.subarray(0, 3));
    free(buf.subarray(13, 16));
    expect(processStats()[2]).toBe(used - 16);
    free(buf.subarray(16));
    expect(processStats()[2]).toBe(used - 64);
    free(keep);
  });

  test('a partial free never hands out bytes the caller still holds', () => {
    const first = alloc(16).fill(0x11);
    const second = alloc(16).fill(0x22);
    free(first.subarray(0, 8)); // bytes 8..15 are still held
    const third = alloc(8).fill(0x33);
    const overlaps = third.buffer === first.buffer &&
      third.byteOffset < first.byteOffset + 16 && first.byteOffset < third.byteOffset + 8;
    expect(overlaps).toBe(false);
    expect(first.subarray(8).every((x) => x === 0x11)).toBe(true);
    free(first.subarray(8));
    expectCode(() => free(first.subarray(8)), 'ERR_POOLMEM_DOUBLE_FREE');
    expect(second.every((x) => x === 0x22)).toBe(true);
    free(second);
    free(third);
    expect(processValidate()).toBe(true);
  });

  test.each([
    ['a Buffer from Node\'s pool', () => Buffer.allocUnsafe(16)],
    ['an Arena\'s buffer', () => new Arena(64).malloc(16)],
    ['a plain Uint8Array', () => new Uint8Array(16)],
  ])('%s throws ERR_POOLMEM_FOREIGN_BUFFER and changes nothing', (_, make) => {
    const keep = alloc(16);
    const before = processStats();
    const err = expectCode(() => free(make()), 'ERR_POOLMEM_FOREIGN_BUFFER');
    expect(err).toBeInstanceOf(PoolError);
    expect(processStats()).toEqual(before);
    free(keep);
  });

  test.each([['a string', 'x'], ['undefined', undefined], ['a number', 16], ['an ArrayBuffer', new ArrayBuffer(8)]])(
    'rejects %s with ERR_INVALID_ARG_TYPE', (_, value) => {
      expectCode(() => free(value), 'ERR_INVALID_ARG_TYPE', 'TypeError');
    });
});

describe('alloc()/free() across worker threads', () => {
  test('threads share one allocator and never see each other\'s blocks', async () => {
    const lib = path.join(__dirname, '..', 'lib');
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { alloc, free } = require(${JSON.stringify(lib)});
      const live = [];
      let bad = 0;
      for (let i = 0; i < 20000; i++) {
        if (live.length < 500 || (i * 7919) % 3) {
          const b = alloc(1 + ((i * 31) % 300));
          b.fill(workerData);
          live.push(b);
        } else {
          const b = live.splice((i * 104729) % live.length, 1)[0];
          if (!b.every((v) => v === workerData)) bad++;
          free(b);
        }
      }
      for (const b of live) { if (!b.every((v) => v === workerData)) bad++; free(b); }
      parentPort.postMessage(bad);
    `;
    const run = (tag) => new Promise((resolve, reject) => {
      const w = new Worker(code, { eval: true, workerData: tag });
      w.once('message', resolve);
      w.once('error', reject);
    });
    const mine = [];
    for (let i = 0; i < 2000; i++) mine.push(alloc(40).fill(0x33));
    const results = await Promise.all([run(0x11), run(0x22)]);
    expect(results).toEqual([0, 0]);
    expect(mine.every((b) => b.every((v) => v === 0x33))).toBe(true);
    const before = arenas();
    mine.forEach(free);
    expect(processValidate()).toBe(true);
    expect(arenas()).toBeLessThanOrEqual(before);
  });
});
