'use strict';
// BytePool: a view kept after put() whose slot was handed out again. Its put
// is ERR_POOLMEM_DOUBLE_FREE and the new owner keeps its slot, whichever way
// the stale view and the new owner's buffer were made (get at a tier's full
// length or below it, a repeated length, getBuffer, leak-tracked, safe mode).
// The limits of that check (the same Buffer object handed out again, a prefix
// the caller made) are pinned at the end.

const { BytePool } = require('../lib');
const { expectCode } = require('./helpers/expect_error');

const TIERS = [128, 256, 4096];

function sameBytes(a, b) {
  return a.buffer === b.buffer && a.byteOffset === b.byteOffset;
}

// True when writing a's first byte changes b's (a leak-tracked buffer has an
// ArrayBuffer of its own over the slot).
function aliases(a, b) {
  a[0] = 1;
  b[0] = 2;
  return a[0] === 2;
}

// `stale` views the slot `owner` now holds: putting it again throws
// ERR_POOLMEM_DOUBLE_FREE, changes no count, and the next get of `n` bytes
// does not hand out the owner's bytes, which stay as the owner wrote them.
function expectOwnerKept(pool, stale, owner, n, putStale = () => pool.put(stale)) {
  expect(aliases(stale, owner)).toBe(true);
  expect(stale).not.toBe(owner);
  owner.fill(7);
  const before = JSON.stringify(pool.stats());
  expectCode(putStale, 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
  expect(JSON.stringify(pool.stats())).toBe(before);
  const next = pool.get(n);
  expect(aliases(next, owner)).toBe(false);
  owner.fill(7);
  next.fill(9);
  expect(owner.every((x) => x === 7)).toBe(true);
  return next;
}

describe('BytePool#put() of a view whose slot was handed out again', () => {
  let pool;
  beforeEach(() => {
    pool = new BytePool(BytePool.powerOfTwo());
  });
  afterEach(() => pool.close());

  test('below a tier: the repro (get(100), put, get(100), put of the first view)', () => {
    const b = pool.get(100);
    pool.put(b);
    const c = pool.get(100);
    const d = expectOwnerKept(pool, b, c, 100);
    expect(pool.stats().tiers[128].inUse).toBe(2);
    pool.put(c);
    pool.put(d);
    expect(pool.stats().tiers[128].inUse).toBe(0);
  });

  test('a tier-length view, the new owner at another length', () => {
    const b = pool.get(128);
    pool.put(b);
    const c = pool.get(100);
    const d = expectOwnerKept(pool, b, c, 128);
    pool.put(c);
    pool.put(d);
  });

  test('a tier-length view, the slot\'s reused view replaced by another object of the same length', () => {
    const b = pool.get(128);
    pool.put(b);
    // Eight gets of 100 in a row make 100 a cached length: the slot's cached
    // view becomes a 100-byte one, and the next 128-byte get makes a new one.
    for (let i = 0; i < 10; i++) pool.put(pool.get(100));
    const c = pool.get(128);
    expect(c.length).toBe(128);
    const d = expectOwnerKept(pool, b, c, 128);
    pool.put(c);
    pool.put(d);
  });

  test('a view of a repeated length, the new owner at the tier length', () => {
    let b;
    for (let i = 0; i < 10; i++) pool.put(b = pool.get(100));
    expect(pool.get(100)).toBe(b); // the cached 100-byte view
    pool.put(b);
    const c = pool.get(128);
    const d = expectOwnerKept(pool, b, c, 100);
    pool.put(c);
    pool.put(d);
  });

  test('a stale view put after several handouts of its slot', () => {
    const b = pool.get(300);
    pool.put(b);
    for (let i = 0; i < 5; i++) pool.put(pool.get(300 - i));
    const c = pool.get(290);
    const d = expectOwnerKept(pool, b, c, 300);
    pool.put(c);
    pool.put(d);
  });

  test('with other buffers outstanding in the slab', () => {
    const held = [];
    for (let i = 0; i < 5; i++) held.push(pool.get(4000));
    const b = held[2];
    pool.put(b);
    const c = pool.get(3000);
    const d = expectOwnerKept(pool, b, c, 4000);
    for (const x of [...held.filter((x) => x !== b), c, d]) pool.put(x);
    expect(pool.stats().tiers[4096].inUse).toBe(0);
  });

  test('after trim(): the slab was unmapped and a new one holds the slot id', () => {
    const b = pool.get(100);
    pool.put(b);
    expect(pool.trim()).toBeGreaterThan(0);
    const c = pool.get(100);
    expect(sameBytes(b, c)).toBe(false); // b's chunk is gone (b reads length 0)
    c.fill(7);
    expectCode(() => pool.put(b), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
    expect(pool.stats().tiers[128].inUse).toBe(1);
    expect(sameBytes(pool.get(100), c)).toBe(false);
    expect(c.every((x) => x === 7)).toBe(true);
  });

  test('after close(): ERR_POOLMEM_CLOSED, as every put', () => {
    const b = pool.get(100);
    pool.put(b);
    pool.get(100);
    pool.close();
    expectCode(() => pool.put(b), 'ERR_POOLMEM_CLOSED', 'PoolError');
  });
});

describe('getBuffer() and stale views', () => {
  test.each(['disabled', 'paranoid'])('leakDetection %s: a released PooledBuffer\'s bytes, the slot re-got by get()', (leakDetection) => {
    const pool = new BytePool(TIERS, { leakDetection });
    const pb = pool.getBuffer(100);
    const bytes = pb.bytes;
    expect(pb.release()).toBe(true);
    const c = pool.get(100);
    const d = expectOwnerKept(pool, bytes, c, 100);
    pool.put(c);
    pool.put(d);
    pool.close();
  });

  test.each(['disabled', 'paranoid'])('leakDetection %s: a stale get() view, the slot re-got by getBuffer()', (leakDetection) => {
    const pool = new BytePool(TIERS, { leakDetection });
    const b = pool.get(100);
    pool.put(b);
    const pb = pool.getBuffer(100);
    const d = expectOwnerKept(pool, b, pb.bytes, 100);
    expect(pb.refCount).toBe(1);
    expect(pb.release()).toBe(true);
    pool.put(d);
    pool.close();
  });

  test('a released PooledBuffer\'s bytes, the slot re-got by getBuffer()', () => {
    const pool = new BytePool(TIERS, { leakDetection: 'disabled' });
    const first = pool.getBuffer(100);
    const bytes = first.bytes;
    first.release();
    const pb = pool.getBuffer(100);
    const d = expectOwnerKept(pool, bytes, pb.bytes, 100);
    expect(pb.release()).toBe(true);
    pool.put(d);
    pool.close();
  });
});

describe('one reused Buffer object between get() and getBuffer()', () => {
  test('is refused while a PooledBuffer holds it and freed only by whoever holds it now', () => {
    const pool = new BytePool(TIERS, { leakDetection: 'disabled' });
    const b = pool.get(128);
    pool.put(b);
    const pb = pool.getBuffer(128);
    expect(pb.bytes).toBe(b); // the slot's cached view, now the PooledBuffer's
    expectCode(() => pool.put(b), 'ERR_POOLMEM_REFCOUNT', 'PoolError');
    expect(pool.stats().tiers[128].inUse).toBe(1);
    expect(pb.release()).toBe(true);
    expectCode(() => pool.put(b), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
    const c = pool.get(128);
    expect(c).toBe(b); // a get() again: the object is that caller's
    pool.put(b);
    expect(pool.stats().tiers[128].inUse).toBe(0);
    pool.close();
  });
});

describe('safe mode and stale views', () => {
  test('a stale view never reaches another slot (each buffer has its own ArrayBuffer)', () => {
    const pool = new BytePool(TIERS, { safe: true });
    const b = pool.get(100);
    pool.put(b);
    const c = pool.get(100);
    c.fill(7);
    const before = JSON.stringify(pool.stats());
    expectCode(() => pool.put(b), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
    expect(JSON.stringify(pool.stats())).toBe(before);
    expect(c.every((x) => x === 7)).toBe(true);
    pool.put(c);
    pool.close();
  });
});

describe('what the check does not see', () => {
  let pool;
  beforeEach(() => {
    pool = new BytePool(TIERS);
  });
  afterEach(() => pool.close());

  // As with Go's sync.Pool: a Buffer object kept after put() may be the one
  // the next get() of that length returns, and then it is that caller's.
  test('the same Buffer object handed out again belongs to its new caller', () => {
    const b = pool.get(128);
    pool.put(b);
    const c = pool.get(128);
    expect(c).toBe(b);
    pool.put(b); // returns c's slot: it is c
    expect(pool.stats().tiers[128].inUse).toBe(0);
    expectCode(() => pool.put(c), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
  });

  test('a reused object made non-extensible by its holder is still handed out and checked', () => {
    const b = pool.get(128);
    Object.preventExtensions(b);
    pool.put(b);
    const c = pool.get(128);
    expect(c).toBe(b); // its generation is rewritten: private fields ignore extensibility
    const other = pool.get(100); // another slot
    pool.put(c);
    expectCode(() => pool.put(b), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
    pool.put(other);
    expect(pool.stats().tiers[128].inUse).toBe(0);
  });

  test('a prefix the caller made is checked against the slot\'s state only', () => {
    const b = pool.get(100);
    const prefix = b.subarray(0, 50);
    pool.put(b);
    expectCode(() => pool.put(prefix), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError'); // slot in the pool
    const c = pool.get(100);
    // A subarray carries nothing of the get() it came from: once the slot is
    // handed out again, its put returns the new owner's slot (README, BytePool).
    pool.put(prefix);
    expect(pool.stats().tiers[128].inUse).toBe(0);
    expectCode(() => pool.put(c), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
  });
});
