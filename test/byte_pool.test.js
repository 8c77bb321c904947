'use strict';
// BytePool: tiers, get/put identity rules, trim/close and receiver checks;
// bytepool's own tests are re-expressed where they describe intended
// behaviour. Stats and metrics, and the model test, have files of their own.

const binding = require('../lib/internal/binding');
const { BytePool, PoolError } = require('../lib');
const { expectCode } = require('./helpers/expect_error');
const { until, settled, watch } = require('./helpers/gc');

const TIERS = [128, 256, 512, 1024];

function statsOf(pool) {
  return JSON.parse(JSON.stringify(pool.stats()));
}

describe('BytePool.powerOfTwo()', () => {
  test('is bytepool SizePowerOfTwo: 15 tiers, 128 B to 2 MiB', () => {
    const tiers = BytePool.powerOfTwo();
    expect(tiers).toHaveLength(15);
    expect(tiers[0]).toBe(128);
    expect(tiers[14]).toBe(2 * 1024 * 1024);
    for (let i = 1; i < tiers.length; i++) expect(tiers[i]).toBe(tiers[i - 1] * 2);
  });

  test('returns a fresh array each time', () => {
    const a = BytePool.powerOfTwo();
    a.push(1);
    expect(BytePool.powerOfTwo()).toHaveLength(15);
  });
});

describe('BytePool.stream()', () => {
  test('is bytepool SizeStream', () => {
    expect(BytePool.stream()).toEqual([1024, 4096, 16384, 32768, 65536, 131072]);
  });
});

describe('new BytePool()', () => {
  test('defaults to powerOfTwo() tiers', () => {
    const pool = new BytePool();
    expect(pool.tierSizes()).toEqual(BytePool.powerOfTwo());
    pool.close();
  });

  test('copies the caller\'s tiers', () => {
    const tiers = [16, 32];
    const pool = new BytePool(tiers);
    tiers.push(64);
    expect(pool.tierSizes()).toEqual([16, 32]);
    pool.close();
  });

  test.each([
    ['not an array', 128, 'ERR_INVALID_ARG_TYPE'],
    ['empty', [], 'ERR_INVALID_ARG_VALUE'],
    ['a string tier', ['128'], 'ERR_INVALID_ARG_TYPE'],
    ['a zero tier', [0, 128], 'ERR_OUT_OF_RANGE'],
    ['a negative tier', [-128], 'ERR_OUT_OF_RANGE'],
    ['a fractional tier', [12.5], 'ERR_OUT_OF_RANGE'],
    ['a NaN tier', [NaN], 'ERR_OUT_OF_RANGE'],
    ['a huge tier', [2 ** 53], 'ERR_OUT_OF_RANGE'],
    ['descending tiers', [256, 128], 'ERR_INVALID_ARG_VALUE'],
    ['duplicate tiers', [128, 128], 'ERR_INVALID_ARG_VALUE'],
  ])('rejects %s', (_, tiers, code) => {
    expectCode(() => new BytePool(tiers), code);
  });

  test.each([
    ['options not an object', 'x', 'ERR_INVALID_ARG_TYPE'],
    ['an unknown leakDetection', { leakDetection: 'simple' }, 'ERR_INVALID_ARG_VALUE'],
    ['a negative maxSize', { maxSize: -1 }, 'ERR_OUT_OF_RANGE'],
    ['a NaN maxSize', { maxSize: NaN }, 'ERR_OUT_OF_RANGE'],
    ['a string maxSize', { maxSize: '1' }, 'ERR_INVALID_ARG_TYPE'],
  ])('rejects %s', (_, options, code) => {
    expectCode(() => new BytePool(TIERS, options), code);
  });
});

describe('BytePool#get()', () => {
  let pool;
  beforeEach(() => {
    pool = new BytePool(TIERS);
  });
  afterEach(() => pool.close());

  test('returns a Buffer of exactly the length asked for', () => {
    for (const length of [1, 100, 128, 129, 300, 1024]) {
      const buf = pool.get(length);
      expect(Buffer.isBuffer(buf)).toBe(true);
      expect(buf.length).toBe(length);
    }
  });

  test('takes memory from the smallest tier that fits (bytepool: Get(100) -> cap 128)', () => {
    pool.get(100);
    pool.get(129);
    pool.get(512);
    pool.get(513);
    const { tiers } = pool.stats();
    expect(tiers[128]).toEqual({ get: 1, put: 0, inUse: 1 });
    expect(tiers[256]).toEqual({ get: 1, put: 0, inUse: 1 });
    expect(tiers[512]).toEqual({ get: 1, put: 0, inUse: 1 });
    expect(tiers[1024]).toEqual({ get: 1, put: 0, inUse: 1 });
  });

  test('slots of one tier are disjoint and 16-byte aligned', () => {
    const odd = new BytePool([100, 1000]);
    const bufs = [];
    for (let i = 0; i < 50; i++) bufs.push(odd.get(i % 2 ? 100 : 1 + i));
    const ranges = bufs.map((b) => [b.byteOffset, b.byteOffset + 100]).sort((x, y) => x[0] - y[0]);
    for (const b of bufs) expect(b.byteOffset % 16).toBe(0);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i][0]).toBeGreaterThanOrEqual(ranges[i - 1][1]);
    odd.close();
  });

  test('reuses the slot put last (LIFO) and the same Buffer object at full tier length', () => {
    const a = pool.get(128);
    a.fill(0xaa);
    pool.put(a);
    const b = pool.get(128);
    expect(b).toBe(a);
    expect(b[0]).toBe(0xaa); // not zeroed, as with Buffer.allocUnsafe
    const c = pool.get(128);
    expect(c.byteOffset).not.toBe(b.byteOffset);
  });

  test('a shorter length gets an exact-length view of the same slot', () => {
    const a = pool.get(128);
    const offset = a.byteOffset;
    pool.put(a);
    const b = pool.get(50);
    expect(b.length).toBe(50);
    expect(b.byteOffset).toBe(offset);
    expect(b.buffer).toBe(a.buffer);
  });

  test('a length asked for many times in a row reuses its Buffer object too', () => {
    let last = null;
    for (let i = 0; i < 20; i++) {
      const b = pool.get(100);
      expect(b.length).toBe(100);
      if (i >= 10) expect(b).toBe(last); // a server's fixed frame size: no view per get
      last = b;
      pool.put(b);
    }
    const other = pool.get(99); // another length still gets its own exact view
    expect(other.length).toBe(99);
    expect(other).not.toBe(last);
    pool.put(other);
  });

  test("a cached Buffer's own length property is never read", () => {
    for (let i = 0; i < 20; i++) pool.put(pool.get(100));
    const b = pool.get(100);
    let calls = 0;
    Object.defineProperty(b, 'length', { get() { calls++; return 100; } });
    pool.put(b);
    const again = pool.get(100);
    expect(again).toBe(b);
    expect(calls).toBe(0);
    pool.put(again);
    const full = pool.get(128); // another length: a new view, whatever the old one claims
    expect(calls).toBe(0);
    expect(full).not.toBe(b);
    pool.put(full);
  });

  test('get(0) returns an empty Buffer and records nothing', () => {
    const before = statsOf(pool);
    const buf = pool.get(0);
    expect(buf.length).toBe(0);
    expect(statsOf(pool)).toEqual(before);
    pool.put(buf); // owns no memory: a no-op, not discarded
    expect(statsOf(pool)).toEqual(before);
  });

  test('a request above the largest tier gets a plain Buffer and counts as discarded', () => {
    const buf = pool.get(5000);
    expect(buf.length).toBe(5000);
    const stats = pool.stats();
    expect(stats.discarded).toBe(1);
    expect(stats.totalGet).toBe(0);
    expect(stats.recentLengths).toEqual([5000]);
    pool.put(buf); // not ours: discarded again, as in bytepool
    expect(pool.stats().discarded).toBe(2);
    expect(pool.stats().totalPut).toBe(0);
  });

  test.each([
    ['a string', '1', 'ERR_INVALID_ARG_TYPE'],
    ['undefined', undefined, 'ERR_INVALID_ARG_TYPE'],
    ['NaN', NaN, 'ERR_OUT_OF_RANGE'],
    ['a negative length', -1, 'ERR_OUT_OF_RANGE'],
    ['a fractional length', 1.5, 'ERR_OUT_OF_RANGE'],
    ['a huge length', 2 ** 53, 'ERR_OUT_OF_RANGE'],
    ['Infinity', Infinity, 'ERR_OUT_OF_RANGE'],
  ])('rejects %s and changes nothing', (_, length, code) => {
    pool.get(10);
    const before = statsOf(pool);
    expectCode(() => pool.get(length), code);
    expect(statsOf(pool)).toEqual(before);
  });

  test('throws ERR_POOLMEM_OUT_OF_MEMORY at maxSize and changes nothing', () => {
    const capped = new BytePool([4096], { maxSize: 3 * 4096 });
    const bufs = [capped.get(4096), capped.get(4096), capped.get(4096)];
    const before = statsOf(capped);
    const err = expectCode(() => capped.get(4096), 'ERR_POOLMEM_OUT_OF_MEMORY', PoolError);
    expect(err.message).toMatch(/maxSize/);
    expect(statsOf(capped)).toEqual(before);
    expect(before.reservedSize).toBe(3 * 4096);
    capped.put(bufs[0]);
    expect(capped.get(4096).length).toBe(4096);
    capped.close();
  });

  test('maxSize 0 refuses every pooled request but still serves oversize ones', () => {
    const none = new BytePool([128], { maxSize: 0 });
    expectCode(() => none.get(1), 'ERR_POOLMEM_OUT_OF_MEMORY');
    expect(none.get(129).length).toBe(129);
    none.close();
  });

  test('throws ERR_POOLMEM_CLOSED after close()', () => {
    pool.close();
    expectCode(() => pool.get(1), 'ERR_POOLMEM_CLOSED', PoolError);
  });

  test('an error\'s stack starts at the caller', () => {
    const err = expectCode(() => pool.get(-1), 'ERR_OUT_OF_RANGE');
    expect(err.stack.split('\n')[1]).not.toMatch(/[/\\]lib[/\\]/);
  });
});

describe('BytePool#put()', () => {
  let pool;
  beforeEach(() => {
    pool = new BytePool(TIERS);
  });
  afterEach(() => pool.close());

  test('returns the slot to its tier', () => {
    const buf = pool.get(200);
    pool.put(buf);
    expect(pool.stats().tiers[256]).toEqual({ get: 1, put: 1, inUse: 0 });
    expect(pool.stats().totalPut).toBe(1);
  });

  test('a second put of the same buffer throws ERR_POOLMEM_DOUBLE_FREE and changes nothing', () => {
    const buf = pool.get(128);
    pool.put(buf);
    const before = statsOf(pool);
    expectCode(() => pool.put(buf), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
    expect(statsOf(pool)).toEqual(before);
    // bytepool's double Put made two later Gets alias one buffer: not here
    const a = pool.get(128);
    const b = pool.get(128);
    expect(a.byteOffset).not.toBe(b.byteOffset);
  });

  test('a double put of a shorter view is detected too', () => {
    const buf = pool.get(10);
    pool.put(buf);
    expectCode(() => pool.put(buf), 'ERR_POOLMEM_DOUBLE_FREE');
  });

  test('a foreign buffer of a tier\'s exact capacity is discarded, never pooled (bytepool adopted it)', () => {
    const foreign = Buffer.allocUnsafe(128);
    const slow = Buffer.allocUnsafeSlow(256);
    pool.put(foreign);
    pool.put(slow);
    pool.put(new Uint8Array(512));
    const stats = pool.stats();
    expect(stats.discarded).toBe(3);
    expect(stats.totalPut).toBe(0);
    expect(pool.get(128).buffer).not.toBe(foreign.buffer);
    expect(pool.get(256).buffer).not.toBe(slow.buffer);
  });

  test('another pool\'s buffer is discarded and leaves that pool unchanged', () => {
    const other = new BytePool(TIERS);
    const buf = other.get(128);
    const otherBefore = statsOf(other);
    pool.put(buf);
    pool.put(buf.subarray(0, 64));
    expect(pool.stats().discarded).toBe(2);
    expect(statsOf(other)).toEqual(otherBefore);
    other.put(buf);
    expect(other.stats().tiers[128].inUse).toBe(0);
    other.close();
  });

  test('a prefix subarray returns the whole slot', () => {
    const buf = pool.get(256);
    pool.put(buf.subarray(0, 10));
    expect(pool.stats().tiers[256]).toEqual({ get: 1, put: 1, inUse: 0 });
    expectCode(() => pool.put(buf), 'ERR_POOLMEM_DOUBLE_FREE');
  });

  test('a view that does not start at a slot is discarded and the slot stays in use', () => {
    const buf = pool.get(256);
    pool.put(buf.subarray(1));
    pool.put(buf.subarray(16, 32));
    const stats = pool.stats();
    expect(stats.discarded).toBe(2);
    expect(stats.tiers[256].inUse).toBe(1);
    pool.put(buf);
    expect(pool.stats().tiers[256].inUse).toBe(0);
  });

  test('a view running past its slot is discarded', () => {
    const buf = pool.get(128);
    const wide = Buffer.from(buf.buffer, buf.byteOffset, 256);
    pool.put(wide);
    expect(pool.stats().discarded).toBe(1);
    expect(pool.stats().tiers[128].inUse).toBe(1);
  });

  test.each([
    ['a string', 'abc'],
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an ArrayBuffer', new ArrayBuffer(8)],
    ['a plain object', { buffer: 1 }],
    ['a DataView', new DataView(new ArrayBuffer(8))],
  ])('rejects %s with ERR_INVALID_ARG_TYPE and changes nothing', (_, value) => {
    pool.get(10);
    const before = statsOf(pool);
    expectCode(() => pool.put(value), 'ERR_INVALID_ARG_TYPE', TypeError);
    expect(statsOf(pool)).toEqual(before);
  });

  test('throws ERR_POOLMEM_CLOSED after close()', () => {
    const buf = pool.get(10);
    pool.close();
    expectCode(() => pool.put(buf), 'ERR_POOLMEM_CLOSED');
    expectCode(() => pool.put(Buffer.alloc(1)), 'ERR_POOLMEM_CLOSED');
  });

  test('a stale view of a trimmed slab throws ERR_POOLMEM_DOUBLE_FREE', () => {
    const buf = pool.get(128);
    pool.put(buf);
    expect(pool.trim()).toBeGreaterThan(0);
    expect(buf.length).toBe(0);
    expectCode(() => pool.put(buf), 'ERR_POOLMEM_DOUBLE_FREE');
  });
});

describe('BytePool#tierSizes()', () => {
  test('returns a copy of the tiers', () => {
    const pool = new BytePool([64, 4096]);
    const sizes = pool.tierSizes();
    sizes.push(1);
    expect(pool.tierSizes()).toEqual([64, 4096]);
    pool.close();
  });
});

describe('BytePool#trim()', () => {
  test('unmaps slabs with no slot in use and returns the bytes released', async () => {
    const regions = await settled(() => binding.liveRegions());
    const pool = new BytePool([4096, 65536]);
    const keep = pool.get(4096);
    const drop = pool.get(65536);
    const reserved = pool.stats().reservedSize;
    expect(binding.liveRegions()).toBe(regions + 2);
    pool.put(drop);
    const released = pool.trim();
    expect(released).toBeGreaterThanOrEqual(65536);
    expect(pool.stats().reservedSize).toBe(reserved - released);
    expect(drop.length).toBe(0); // a stale view reads length 0
    expect(keep.length).toBe(4096);
    expect(pool.trim()).toBe(0);
    expect(await until(() => binding.liveRegions() === regions + 1)).toBe(true);
    pool.put(keep);
    expect(pool.get(65536).length).toBe(65536); // a new slab
    pool.close();
    expect(await until(() => binding.liveRegions() === regions)).toBe(true);
  });

  test('keeps the free list consistent', () => {
    const pool = new BytePool([128]);
    const bufs = Array.from({ length: 10 }, () => pool.get(128));
    for (const b of bufs) pool.put(b);
    pool.trim();
    const again = Array.from({ length: 10 }, () => pool.get(128));
    expect(new Set(again.map((b) => b.byteOffset)).size).toBe(10);
    expect(pool.stats().tiers[128].inUse).toBe(10);
    pool.close();
  });

  test('returns 0 after close()', () => {
    const pool = new BytePool([128]);
    pool.put(pool.get(1));
    pool.close();
    expect(pool.trim()).toBe(0);
  });
});

describe('BytePool#close()', () => {
  test('outstanding buffers read length 0; closing twice is harmless', () => {
    const pool = new BytePool([128]);
    const buf = pool.get(100);
    const pb = pool.getBuffer(128);
    pool.close();
    expect(buf.length).toBe(0);
    expect(pb.bytes.length).toBe(0);
    expect(pool.closed).toBe(true);
    pool.close();
    expect(pb.release()).toBe(true); // bookkeeping still balances
  });

  test('Symbol.dispose closes', () => {
    const pool = new BytePool([128]);
    pool[Symbol.dispose]();
    expect(pool.closed).toBe(true);
  });
});

describe('a BytePool nobody closed', () => {
  // Each slab's native handle held its chunk strongly, and the chunk's stamp
  // names the slab: a cycle through a native reference, which the garbage
  // collector treats as a root, so a dropped pool and its slabs stayed mapped
  // for the life of the process.
  test('is collected with its slabs once unreachable, its buffers with it', async () => {
    const gone = (() => {
      const pool = new BytePool([4096, 65536]);
      const bufs = [pool.get(100), pool.get(60000)];
      pool.put(bufs[0]);
      return bufs.map((b) => watch(b.buffer));
    })();
    expect(await until(() => gone.every((g) => g()), { timeoutMs: 10000 })).toBe(true);
  });
});

describe('BytePool receiver checks', () => {
  const pool = new BytePool([128]);
  const methods = ['get', 'put', 'getBuffer', 'tierSizes', 'trim', 'stats', 'metrics', 'close', Symbol.dispose];
  test.each(methods.map((m) => [String(m), m]))('%s with a foreign this throws ERR_INVALID_THIS', (_, m) => {
    for (const self of [{}, null, undefined, Buffer.alloc(1), Object.create(BytePool.prototype)]) {
      expectCode(() => BytePool.prototype[m].call(self, 1), 'ERR_INVALID_THIS', TypeError);
    }
  });
  test('closed getter too', () => {
    const getter = Object.getOwnPropertyDescriptor(BytePool.prototype, 'closed').get;
    expectCode(() => getter.call({}), 'ERR_INVALID_THIS');
  });
  afterAll(() => pool.close());
});
