'use strict';
// PooledMemory: what BytePool#put cannot take from clipFront() (the rest of a
// partly read slot) goes back here, whole, once its last byte is consumed.

const { Arena, BytePool, PooledMemory, ScalableAllocator } = require('../lib');
const { expectCode } = require('./helpers/expect_error');

const inUse = (pool) => Object.values(pool.stats().tiers).reduce((a, t) => a + t.inUse, 0);

describe('PooledMemory', () => {
  test('clipFront gives each BytePool slot back once its last byte is read, however it was cut', () => {
    const pool = new BytePool(undefined, { leakDetection: 'disabled' });
    const mem = new PooledMemory(pool);
    const reader = mem.reader();
    for (let i = 0; i < 3; i++) mem.nextN(100).fill(i + 1);
    mem.pushOne(Buffer.alloc(10, 9)); // not owned: only dropped
    expect(inUse(pool)).toBe(3);
    reader.skip(30);
    reader.clipFront();               // a prefix piece: the slot stays out
    expect(inUse(pool)).toBe(3);
    reader.skip(70);
    reader.clipFront();               // the rest view goes: the whole slot is put
    expect(inUse(pool)).toBe(2);
    expect(reader.readByte()).toBe(2);
    reader.skip(99 + 100 + 5);
    reader.clipFront();
    expect(inUse(pool)).toBe(0);
    expect(pool.stats().totalPut).toBe(3);
    expect(pool.stats().discarded).toBe(0);
    mem.recycle();
    expect(mem.size).toBe(0);
  });

  test('recycle() gives back what is left; Arena and ScalableAllocator work the same', () => {
    for (const pool of [new Arena(1 << 16), new ScalableAllocator({ leakDetection: 'disabled' })]) {
      const mem = new PooledMemory(pool);
      mem.nextN(50);
      mem.addRecycleBytes(pool.malloc(20));
      mem.reader().skip(10);
      mem.recycle();
      expect(pool.usedSize ?? pool.stats().allocations).toBe(0);
    }
  });

  test('a full pool gives nextN an unpooled Buffer, counted', () => {
    const pool = new BytePool([128], { maxSize: 4096, leakDetection: 'disabled' });
    const mem = new PooledMemory(pool);
    for (let i = 0; i < 40; i++) mem.nextN(100);
    expect(mem.fallbacks).toBe(40 - 32);
    expect(mem.nextN(1000).length).toBe(1000); // above the largest tier
    expect(mem.fallbacks).toBe(40 - 32 + 1);
    mem.recycle();
    expect(inUse(pool)).toBe(0);
    expect(pool.stats().discarded).toBe(0);
  });

  test('validates', () => {
    expectCode(() => new PooledMemory({}), 'ERR_INVALID_ARG_TYPE', TypeError);
    const mem = new PooledMemory(new BytePool());
    expectCode(() => mem.nextN(-1), 'ERR_OUT_OF_RANGE', RangeError);
    expectCode(() => mem.addRecycleBytes('x'), 'ERR_INVALID_ARG_TYPE', TypeError);
    expectCode(() => PooledMemory.prototype.recycle.call({}), 'ERR_INVALID_THIS', TypeError);
  });
});
