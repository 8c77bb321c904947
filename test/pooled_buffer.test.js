'use strict';
// PooledBuffer: Netty's reference-counting rules and the leak detector. The
// GC tests follow node-addon-api: gc(), then several setImmediate turns,
// before anything about finalizers is asserted.

const { BytePool, PoolError, PooledBuffer } = require('../lib');
const { expectCode } = require('./helpers/expect_error');
const { collect: settle, until, watch } = require('./helpers/gc');

function statsOf(pool) {
  return JSON.parse(JSON.stringify(pool.stats()));
}

describe.each(['disabled', 'paranoid'])('PooledBuffer (leakDetection %s)', (leakDetection) => {
  let pool;
  beforeEach(() => {
    pool = new BytePool([128, 256, 512], { leakDetection });
  });
  afterEach(() => pool.close());

  describe('BytePool#getBuffer()', () => {
    test('the count starts at 1 and bytes has the length asked for', () => {
      const pb = pool.getBuffer(100);
      expect(pb).toBeInstanceOf(PooledBuffer);
      expect(pb.refCount).toBe(1);
      expect(Buffer.isBuffer(pb.bytes)).toBe(true);
      expect(pb.bytes.length).toBe(100);
      expect(pool.stats().tiers[128]).toEqual({ get: 1, put: 0, inUse: 1 });
    });

    test('a length above the largest tier is counted and discarded, and still counts references', () => {
      const pb = pool.getBuffer(1000);
      expect(pb.bytes.length).toBe(1000);
      expect(pool.stats().discarded).toBe(1);
      pb.retain();
      expect(pb.release()).toBe(false);
      expect(pb.release()).toBe(true);
      expectCode(() => pb.release(), 'ERR_POOLMEM_REFCOUNT');
      expect(pool.stats().totalPut).toBe(0);
    });

    test('getBuffer(0) holds an empty Buffer', () => {
      const pb = pool.getBuffer(0);
      expect(pb.bytes.length).toBe(0);
      expect(pb.release()).toBe(true);
    });

    test.each([['a string', '1', 'ERR_INVALID_ARG_TYPE'], ['NaN', NaN, 'ERR_OUT_OF_RANGE'], ['-1', -1, 'ERR_OUT_OF_RANGE']])(
      'rejects %s and changes nothing', (_, length, code) => {
        const before = statsOf(pool);
        expectCode(() => pool.getBuffer(length), code);
        expect(statsOf(pool)).toEqual(before);
      });

    test('throws ERR_POOLMEM_CLOSED after close()', () => {
      pool.close();
      expectCode(() => pool.getBuffer(1), 'ERR_POOLMEM_CLOSED');
    });

    test('throws ERR_POOLMEM_OUT_OF_MEMORY at maxSize and changes nothing', () => {
      const capped = new BytePool([128], { maxSize: 128, leakDetection });
      const held = capped.getBuffer(128);
      const before = statsOf(capped);
      expectCode(() => capped.getBuffer(1), 'ERR_POOLMEM_OUT_OF_MEMORY');
      expect(statsOf(capped)).toEqual(before);
      held.release();
      capped.close();
    });
  });

  describe('PooledBuffer#retain()', () => {
    test('adds one and returns this', () => {
      const pb = pool.getBuffer(10);
      expect(pb.retain()).toBe(pb);
      expect(pb.retain().refCount).toBe(3);
    });

    test('after the count reached zero throws ERR_POOLMEM_REFCOUNT and changes nothing', () => {
      const pb = pool.getBuffer(10);
      pb.release();
      const before = statsOf(pool);
      expectCode(() => pb.retain(), 'ERR_POOLMEM_REFCOUNT', PoolError);
      expect(pb.refCount).toBe(0);
      expect(statsOf(pool)).toEqual(before);
    });
  });

  describe('PooledBuffer#release()', () => {
    test('returns true only for the release that returns the memory', () => {
      const pb = pool.getBuffer(200);
      pb.retain();
      expect(pb.release()).toBe(false);
      expect(pool.stats().tiers[256].inUse).toBe(1);
      expect(pb.release()).toBe(true);
      expect(pb.refCount).toBe(0);
      expect(pool.stats().tiers[256]).toEqual({ get: 1, put: 1, inUse: 0 });
    });

    test('below zero throws ERR_POOLMEM_REFCOUNT and changes nothing (bytepool went negative)', () => {
      const pb = pool.getBuffer(10);
      pb.release();
      const before = statsOf(pool);
      expectCode(() => pb.release(), 'ERR_POOLMEM_REFCOUNT', PoolError);
      expect(statsOf(pool)).toEqual(before);
    });

    test('a stale PooledBuffer cannot release the slot\'s next holder', () => {
      const first = pool.getBuffer(128);
      const offset = first.bytes.byteOffset;
      first.release();
      const second = pool.getBuffer(128);
      if (leakDetection === 'disabled') expect(second.bytes.byteOffset).toBe(offset);
      expectCode(() => first.release(), 'ERR_POOLMEM_REFCOUNT');
      expectCode(() => first.retain(), 'ERR_POOLMEM_REFCOUNT');
      expect(second.refCount).toBe(1);
      expect(first.refCount).toBe(0);
      expect(second.release()).toBe(true);
    });

    test('bytes throws once the memory went back', () => {
      const pb = pool.getBuffer(10);
      pb.release();
      expectCode(() => pb.bytes, 'ERR_POOLMEM_REFCOUNT');
    });

    test('five buffers balance (bytepool Example_bufferBalance)', () => {
      const bufs = Array.from({ length: 5 }, () => pool.getBuffer(100));
      expect(pool.stats()).toMatchObject({ totalGet: 5, totalPut: 0 });
      bufs.slice(0, 3).forEach((b) => b.release());
      expect(pool.stats()).toMatchObject({ totalGet: 5, totalPut: 3 });
      bufs.slice(3).forEach((b) => b.release());
      expect(pool.stats()).toMatchObject({ totalGet: 5, totalPut: 5 });
    });
  });

  describe('PooledBuffer#borrow()', () => {
    test('retains, and its release function works once', () => {
      const pb = pool.getBuffer(64);
      const [bytes, release] = pb.borrow();
      expect(bytes).toBe(pb.bytes);
      expect(pb.refCount).toBe(2);
      release();
      release();
      expect(pb.refCount).toBe(1);
      expect(pb.release()).toBe(true);
      release(); // still a no-op, never a release below zero
    });

    test('after the count reached zero throws ERR_POOLMEM_REFCOUNT (bytepool leaked a +1)', () => {
      const pb = pool.getBuffer(64);
      pb.release();
      expectCode(() => pb.borrow(), 'ERR_POOLMEM_REFCOUNT');
      expect(pb.refCount).toBe(0);
    });
  });

  describe('PooledBuffer#[Symbol.dispose]()', () => {
    test('releases', () => {
      const pb = pool.getBuffer(64);
      pb.retain();
      pb[Symbol.dispose]();
      expect(pb.refCount).toBe(1);
      pb[Symbol.dispose]();
      expect(pool.stats().tiers[128].inUse).toBe(0);
    });
  });

  describe('BytePool#put() of a PooledBuffer\'s bytes', () => {
    test('throws ERR_POOLMEM_REFCOUNT while counted and ERR_POOLMEM_DOUBLE_FREE after', () => {
      const pb = pool.getBuffer(128);
      const bytes = pb.bytes;
      const before = statsOf(pool);
      expectCode(() => pool.put(bytes), 'ERR_POOLMEM_REFCOUNT');
      expect(statsOf(pool)).toEqual(before);
      pb.release();
      expectCode(() => pool.put(bytes), 'ERR_POOLMEM_DOUBLE_FREE');
    });
  });
});

describe('PooledBuffer', () => {
  test('is not constructible by users', () => {
    expectCode(() => new PooledBuffer(), 'ERR_ILLEGAL_CONSTRUCTOR', TypeError);
  });

  test('methods check their receiver', () => {
    for (const name of ['retain', 'release', 'borrow', Symbol.dispose]) {
      expectCode(() => PooledBuffer.prototype[name].call({}), 'ERR_INVALID_THIS');
    }
    for (const name of ['bytes', 'refCount']) {
      const getter = Object.getOwnPropertyDescriptor(PooledBuffer.prototype, name).get;
      expectCode(() => getter.call({}), 'ERR_INVALID_THIS');
    }
  });

  test("'sample' tracks about one buffer in 128 and behaves the same", () => {
    const pool = new BytePool([128]);
    const held = [];
    for (let i = 0; i < 1000; i++) {
      const pb = pool.getBuffer(128);
      held.push([pb, pb.bytes.buffer]);
    }
    const own = held.filter(([, ab]) => ab.byteLength === 128).length; // a tracked slot's own ArrayBuffer
    expect(own).toBeGreaterThan(0);
    expect(own).toBeLessThan(40);
    for (const [pb] of held) expect(pb.release()).toBe(true);
    expect(pool.stats().tiers[128]).toEqual({ get: 1000, put: 1000, inUse: 0 });
    pool.close();
  });
});

// ---- leak detection under --expose-gc ------------------------------------------

describe('PooledBuffer leak detection', () => {
  let warn;
  beforeEach(() => {
    warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
  });
  afterEach(() => warn.mockRestore());

  function leakOne(pool, length = 100) {
    pool.getBuffer(length).retain(); // count 2, then unreachable
  }

  test('an unreachable PooledBuffer with a count above zero is released, counted and reported once', async () => {
    const pool = new BytePool([128, 256], { leakDetection: 'paranoid' });
    for (let i = 0; i < 2; i++) leakOne(pool);
    expect(pool.stats().tiers[128].inUse).toBe(2);
    expect(await until(() => pool.stats().leaks === 2)).toBe(true);
    const stats = pool.stats();
    expect(stats.leaks).toBe(2);
    expect(stats.tiers[128]).toEqual({ get: 2, put: 0, inUse: 0 });
    // Both leaks come from the same site: one warning (Netty dedupes records).
    expect(warn).toHaveBeenCalledTimes(1);
    const [message, options] = warn.mock.calls[0];
    expect(message).toMatch(/^LEAK: PooledBuffer\.release\(\) was not called/);
    expect(options.code).toBe('POOLMEM_LEAK');
    expect(options.detail).toMatch(/Allocated at:[\s\S]*leakOne/);
    expect(pool.getBuffer(128).bytes.length).toBe(128); // the slot is usable again
    pool.close();
  });

  test('a released PooledBuffer is never reported', async () => {
    const pool = new BytePool([128], { leakDetection: 'paranoid' });
    (() => {
      const pb = pool.getBuffer(50);
      pb.retain();
      pb.release();
      pb.release();
    })();
    await settle();
    expect(pool.stats().leaks).toBe(0);
    expect(warn).not.toHaveBeenCalled();
    pool.close();
  });

  test('a live subarray keeps the slot: the fallback never returns reachable memory', async () => {
    const pool = new BytePool([128], { leakDetection: 'paranoid' });
    let sub = (() => {
      const pb = pool.getBuffer(128);
      pb.bytes.fill(7);
      return pb.bytes.subarray(10, 20); // the PooledBuffer and its Buffer become unreachable
    })();
    let slice = (() => pool.getBuffer(128).bytes.slice(0, 4))();
    await settle();
    expect(pool.stats().leaks).toBe(0);
    expect(pool.stats().tiers[128].inUse).toBe(2);
    // Nobody else gets the slot while the views live.
    const other = pool.getBuffer(128);
    other.bytes.fill(9);
    expect([...sub]).toEqual(new Array(10).fill(7));
    expect(slice.length).toBe(4);
    other.release();
    sub = null;
    slice = null;
    expect(await until(() => pool.stats().leaks === 2)).toBe(true);
    expect(pool.stats().tiers[128].inUse).toBe(0);
    expect(warn).toHaveBeenCalledTimes(2); // two allocation sites
    pool.close();
  });

  // A pool's own registry, dropped with the pool while a callback is pending,
  // can stop every FinalizationRegistry in the process (Node.js 20 to 24).
  test('pools make no FinalizationRegistry of their own: a dropped pool cannot take one down with it', () => {
    const made = Buffer[Symbol.for('poolmem.test.keptRegistries')]; // test/setup/keep_registries.js
    const before = made.length;
    const pools = ['paranoid', 'sample'].map((level) => new BytePool([128], { leakDetection: level }));
    (() => { for (const pool of pools) for (let i = 0; i < 256; i++) pool.getBuffer(100); })(); // leaked
    expect(made.length).toBe(before);
    for (const pool of pools) pool.close();
  });

  // The pools' one registry outlives every pool. A released leak-tracked
  // buffer's ArrayBuffer waits in its tier for the slot's next tracked get;
  // held strongly there, it kept its own registration (whose record names the
  // pool) alive, and with it the pool and its slabs, for the life of the process.
  test.each(['closed', 'dropped'])('a %s pool whose tracked buffer was released is collected, slabs and all', async (how) => {
    const gone = (() => {
      const pool = new BytePool([4096], { leakDetection: 'paranoid' });
      pool.getBuffer(100).release(); // its ArrayBuffer now waits for the slot's next tracked get
      const slab = pool.get(100).buffer; // another slot of the same slab
      if (how === 'closed') pool.close();
      return watch(slab);
    })();
    expect(await until(gone, { timeoutMs: 10000 })).toBe(true);
  });

  test('the pitfall this avoids: a FinalizationRegistry on a view fires while its subarray lives', async () => {
    let fired = 0;
    const registry = new FinalizationRegistry(() => fired++);
    const pool = new BytePool([128], { leakDetection: 'disabled' });
    const sub = (() => {
      const buf = pool.getBuffer(100).bytes; // a fresh view (full-length views are cached)
      registry.register(buf, 0);
      return buf.subarray(0, 8);
    })();
    expect(await until(() => fired === 1)).toBe(true); // the view is gone...
    expect(sub.length).toBe(8); // ...while its memory is still reachable
    pool.close();
  });

  test("'disabled' never reclaims: a leaked slot stays in use", async () => {
    const pool = new BytePool([128], { leakDetection: 'disabled' });
    leakOne(pool);
    await settle();
    expect(pool.stats().leaks).toBe(0);
    expect(pool.stats().tiers[128].inUse).toBe(1);
    expect(warn).not.toHaveBeenCalled();
    pool.close();
  });

  test("'sample' reports without an allocation stack", async () => {
    const pool = new BytePool([128]);
    for (let i = 0; i < 1000; i++) leakOne(pool);
    expect(await until(() => pool.stats().leaks > 0)).toBe(true);
    await settle(); // the rest of that collection's finalizers
    const { leaks, tiers } = pool.stats();
    expect(leaks).toBeGreaterThan(0);
    expect(leaks).toBeLessThan(40);
    expect(tiers[128].inUse).toBe(1000 - leaks);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][1].detail).toMatch(/paranoid/);
    pool.close();
  });

  test('leaks after close() are ignored', async () => {
    const pool = new BytePool([128], { leakDetection: 'paranoid' });
    leakOne(pool);
    pool.close();
    await settle();
    expect(pool.stats().leaks).toBe(0);
    expect(warn).not.toHaveBeenCalled();
  });
});
