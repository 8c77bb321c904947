'use strict';
// alloc()/free(): the process-wide first-fit allocator (smasher164/mem, fixed).
// mem's own tests only checked round trips; these also check alignment,
// non-overlap, validated frees, unmapping and threads.

const { constants } = require('node:buffer');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const binding = require('../lib/internal/binding');
const { spawnSync } = require('node:child_process');
const { Arena, PoolError, alloc, allocStats, free } = require('../lib');
const { CACHE_CAP_BYTES, MAX_CLASS, settle } = require('../lib/process_allocator');
const { collect, collectUntil, settled } = require('./helpers/gc');
const { expectCode } = require('./helpers/expect_error');
const { TRANSFER_FLAGS } = require('./helpers/transfer');
const { childEnv, childNode } = require('./helpers/child_env');

// True when fn made a native alloc or free call: each writes the scratch
// slots lib/ shares with native code, which start out as NaN here.
function callsNative(fn) {
  binding.processScratch.fill(NaN);
  fn();
  return binding.processScratch.some((v) => !Number.isNaN(v));
}

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

describe('alloc()/free(): the size-class cache (fast mode)', () => {
  test('a freed block comes back for the next request of its class, 16-byte aligned, with no native call', () => {
    const keep = alloc(40);
    const a = alloc(100); // class 112
    free(a);
    let b;
    expect(callsNative(() => { b = alloc(110); })).toBe(false);
    expect([b.buffer, b.byteOffset, b.length]).toEqual([a.buffer, a.byteOffset, 110]);
    expect(callsNative(() => free(b))).toBe(false);
    const sizes = [1, 8, 9, 17, 24, 33, 63, 65, 100, 129, 1000, 4097, 70000, MAX_CLASS];
    for (let round = 0; round < 2; round++) { // the second round reuses cached blocks
      const bufs = sizes.map((n) => alloc(n));
      expect(bufs.map((buf) => buf.byteOffset % 16)).toEqual(sizes.map(() => 0));
      bufs.forEach(free);
    }
    expect(callsNative(() => free(alloc(MAX_CLASS + 1)))).toBe(true); // above the classes: native both ways
    free(keep);
    expect(processValidate()).toBe(true);
  });

  test('a ring of large buffers over more arenas than alloc() keeps at hand never overlaps, and every arena goes back', () => {
    const before = arenas();
    const K = 96; // 96 blocks of 176-256 KiB: four to an arena, 24 and more arenas
    const ring = [];
    let next = 0;
    const take = () => {
      const size = (176 << 10) + ((next * 7919) % (80 << 10));
      const buf = alloc(size).fill(next & 0xff);
      buf.tag = next++ & 0xff;
      return buf;
    };
    for (let i = 0; i < K; i++) ring.push(take());
    expect(arenas() - before).toBeGreaterThan(16);
    for (let step = 0; step < 4 * K; step++) {
      const i = (step * 37) % K; // frees out of order
      const old = ring[i];
      expect(old[0] === old.tag && old[old.length - 1] === old.tag).toBe(true);
      free(old);
      ring[i] = take();
    }
    for (const buf of ring) expect(buf.every((v) => v === buf.tag)).toBe(true);
    ring.forEach(free);
    expect(processValidate()).toBe(true);
    expect(arenas()).toBeLessThanOrEqual(before + 1); // the spare
  });

  test('a cached block in an arena alloc() moved away from, whose ArrayBuffer a caller transferred, is never handed out', () => {
    const script = `
      const { alloc, free } = require(${JSON.stringify(require.resolve('..'))});
      const size = 200 << 10; // four to an arena
      const first = [alloc(size), alloc(size), alloc(size), alloc(size)];
      const others = [];
      for (let i = 0; i < 40; i++) others.push(alloc(size)); // ten more arenas: alloc() moved on
      const sameArena = first.every((b) => b.buffer === first[0].buffer) && others[0].buffer !== first[0].buffer;
      const offset = first[1].byteOffset;
      free(first[1]); // cached, in an arena alloc() no longer allocates from
      const moved = first[0].buffer.transfer();
      new Uint8Array(moved, offset, size).fill(0x5a); // the new owner's bytes
      const got = [];
      for (let i = 0; i < 8; i++) got.push(alloc(size).fill(1));
      const inMoved = new Uint8Array(moved, offset, size).every((x) => x === 0x5a);
      const attached = got.every((b) => b.buffer.byteLength > 0);
      got.forEach(free);
      others.forEach(free);
      process.stdout.write(JSON.stringify({ sameArena, inMoved, attached }));
    `;
    const [node, ...leading] = childNode();
    const r = spawnSync(node, [...leading, ...TRANSFER_FLAGS, '-e', script], {
      encoding: 'utf8', env: childEnv(), timeout: 60000,
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ sameArena: true, inMoved: true, attached: true });
  });

  test('a view kept after free, its block handed out again, is a double free and leaves the new owner alone', () => {
    const a = alloc(100);
    free(a);
    const b = alloc(100).fill(5); // a's block, a new owner
    expect([b.buffer, b.byteOffset]).toEqual([a.buffer, a.byteOffset]);
    const before = processStats();
    expectCode(() => free(a), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
    expect(b.every((x) => x === 5)).toBe(true);
    expect(processStats()).toEqual(before);
    free(b);
    expectCode(() => free(b), 'ERR_POOLMEM_DOUBLE_FREE'); // cached now
    expectCode(() => free(a), 'ERR_POOLMEM_DOUBLE_FREE');
  });

  test('allocStats() counts what callers hold, not cached blocks or class slack', () => {
    const before = allocStats().usedSize;
    const a = alloc(100); // class 112: 12 bytes of slack, granules of 16
    expect(allocStats().usedSize).toBe(before + 112);
    free(a);
    const b = alloc(100);
    free(b);
    expect(binding.processStats()[2]).toBe(before + 112); // natively, the cached block is still allocated
    expect(allocStats().usedSize).toBe(before); // settled first
    const c = alloc(70); // class 80: 10 bytes of slack
    const d = alloc(50);
    free(d);
    expect(allocStats().usedSize).toBe(before + 80);
    free(c); // settled: the native allocator frees it
    expect(allocStats().usedSize).toBe(before);
    expectCode(() => free(c), 'ERR_POOLMEM_DOUBLE_FREE');
  });

  test('a partial free settles the cache; the rest of the block, then its whole view, are judged natively', async () => {
    const keep = alloc(16);
    const a = alloc(100).fill(1);
    const other = alloc(200);
    free(other); // cached
    // The count is the process's: earlier tests' garbage and workers must be
    // gone first, and each free is measured alone, so another thread's
    // teardown does not land between the two reads.
    await settled(() => processStats()[2]);
    let used = processStats()[2];
    free(a.subarray(0, 32));
    expect(used - processStats()[2]).toBe(32);
    expectCode(() => free(a.subarray(16, 48)), 'ERR_POOLMEM_DOUBLE_FREE');
    used = processStats()[2];
    free(a.subarray(32));
    expect(used - processStats()[2]).toBe(80);
    expectCode(() => free(a), 'ERR_POOLMEM_DOUBLE_FREE');
    const b = alloc(100).fill(2); // not handed out twice
    expect(keep.buffer === b.buffer && b.byteOffset < keep.byteOffset + 16 && keep.byteOffset < b.byteOffset + 100)
      .toBe(false);
    free(b);
    free(keep);
    expect(processValidate()).toBe(true);
  });

  test('a view over a cached block, or not made by alloc(), is judged natively', () => {
    const keep = alloc(64).fill(7);
    const a = alloc(64);
    free(a); // cached: natively still allocated
    expectCode(() => free(new Uint8Array(keep.buffer, keep.byteOffset, 128)), 'ERR_POOLMEM_DOUBLE_FREE');
    expectCode(() => free(Buffer.from(a.buffer, a.byteOffset, 64)), 'ERR_POOLMEM_DOUBLE_FREE');
    expectCode(() => free(new Arena(4096).malloc(64)), 'ERR_POOLMEM_FOREIGN_BUFFER');
    const b = alloc(64).fill(9);
    expect(keep.every((x) => x === 7)).toBe(true);
    free(Buffer.from(b.buffer, b.byteOffset, 64)); // the same bytes through another view: freed natively
    expectCode(() => free(b), 'ERR_POOLMEM_DOUBLE_FREE');
    free(keep);
    expect(processValidate()).toBe(true);
  });

  test(`a thread's cache holds at most ${CACHE_CAP_BYTES} bytes: frees beyond it go native`, () => {
    const size = 64 << 10;
    const bufs = Array.from({ length: CACHE_CAP_BYTES / size + 8 }, () => alloc(size));
    const native = bufs.map((buf) => callsNative(() => free(buf)));
    expect(native.filter((x) => !x).length).toBe(CACHE_CAP_BYTES / size);
    expect(native.slice(-8)).toEqual(new Array(8).fill(true));
    expect(processValidate()).toBe(true);
  });

  test('an arena whose ArrayBuffer a caller transferred is never handed out again, even once no view of the old one is left', () => {
    const script = `
      const { alloc, free, allocStats } = require(${JSON.stringify(require.resolve('..'))});
      (async () => {
        let keep = alloc(64);
        let a = alloc(64);
        const offset = a.byteOffset;
        free(a); // cached
        const moved = keep.buffer.transfer();
        keep = null; // no view of the detached ArrayBuffer is left
        a = null;
        new Uint8Array(moved, offset, 64).fill(0x5a); // the new owner's bytes
        const big = alloc(5 << 20); // an arena of its own: the last arena alloc() used is another
        for (let i = 0; i < 5; i++) {
          globalThis.gc();
          await new Promise((resolve) => setImmediate(resolve));
        }
        allocStats(); // settles the cache
        const b = alloc(64).fill(1);
        const inMoved = new Uint8Array(moved, offset, 64).every((x) => x === 0x5a);
        free(b);
        free(big);
        process.stdout.write(JSON.stringify({ inMoved }));
      })();
    `;
    const [node, ...leading] = childNode();
    const r = spawnSync(node, [...leading, ...TRANSFER_FLAGS, '--expose-gc', '-e', script], {
      encoding: 'utf8', env: childEnv(), timeout: 60000,
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ inMoved: true });
  });

  test('the same holds for an arena emptied once (kept as the spare) and then used again', () => {
    const script = `
      const { alloc, free, allocStats } = require(${JSON.stringify(require.resolve('..'))});
      (async () => {
        let exact = alloc(300 * 1024); // above the classes: freed natively
        free(exact); // empties its arena, which stays mapped as the spare
        let keep = alloc(64); // lands in that arena again
        let a = alloc(64);
        const offset = a.byteOffset;
        const sameArena = keep.buffer === a.buffer && exact.buffer === a.buffer;
        exact = null;
        free(a); // cached
        const moved = keep.buffer.transfer();
        keep = null;
        a = null;
        new Uint8Array(moved, offset, 64).fill(0x5a);
        const big = alloc(5 << 20);
        for (let i = 0; i < 5; i++) {
          globalThis.gc();
          await new Promise((resolve) => setImmediate(resolve));
        }
        allocStats();
        const b = alloc(64).fill(1);
        const inMoved = new Uint8Array(moved, offset, 64).every((x) => x === 0x5a);
        free(b);
        free(big);
        process.stdout.write(JSON.stringify({ sameArena, inMoved }));
      })();
    `;
    const [node, ...leading] = childNode();
    const r = spawnSync(node, [...leading, ...TRANSFER_FLAGS, '--expose-gc', '-e', script], {
      encoding: 'utf8', env: childEnv(), timeout: 60000,
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ sameArena: true, inMoved: true });
  });

  test('a cached block in an arena whose ArrayBuffer a caller transferred is never handed out', () => {
    const script = `
      const { alloc, free } = require(${JSON.stringify(require.resolve('..'))});
      const keep = alloc(64);
      const a = alloc(64);
      const offset = a.byteOffset;
      free(a); // cached
      const moved = keep.buffer.transfer();
      new Uint8Array(moved, offset, 64).fill(0x5a); // the new owner's bytes
      const b = alloc(64).fill(1);
      const inMoved = new Uint8Array(moved, offset, 64).every((x) => x === 0x5a);
      process.stdout.write(JSON.stringify({ inMoved, length: b.length, attached: b.buffer.byteLength > 0 }));
    `;
    const [node, ...leading] = childNode();
    const r = spawnSync(node, [...leading, ...TRANSFER_FLAGS, '-e', script], {
      encoding: 'utf8', env: childEnv(), timeout: 60000,
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ inMoved: true, length: 64, attached: true });
  });
});
