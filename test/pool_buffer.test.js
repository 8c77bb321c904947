'use strict';
// PoolBuffer: real Buffers over pool memory, and the recorded ArrayBuffer and
// offset that free() paths read instead of the slow typed-array getters.

const { PoolBuffer, arrayBufferOf, byteOffsetOf, view } = require('../lib/pool_buffer');

describe('view()', () => {
  test('is a real Buffer over the given bytes', () => {
    const ab = new ArrayBuffer(64);
    const buf = view(ab, 8, 16);
    expect(Buffer.isBuffer(buf)).toBe(true);
    expect(buf).toBeInstanceOf(PoolBuffer);
    expect([buf.buffer === ab, buf.byteOffset, buf.length]).toEqual([true, 8, 16]);
    buf.write('abc');
    expect(Buffer.from(ab, 8, 3).toString()).toBe('abc');
  });
});

describe('arrayBufferOf() and byteOffsetOf()', () => {
  const ab = new ArrayBuffer(64);
  const buf = view(ab, 8, 16);

  test.each([
    ['a view made here', () => buf, 8],
    ['its subarray', () => buf.subarray(4, 10), 12],
    ['a subarray of a subarray', () => buf.subarray(2).subarray(3), 13],
    ["Node's slice()", () => buf.slice(1, 5), 9],
    ['a plain Uint8Array', () => new Uint8Array(ab, 20, 4), 20],
    ['a Node Buffer over it', () => Buffer.from(ab, 30, 2), 30],
  ])('agree with .buffer and .byteOffset for %s', (_, make, offset) => {
    const v = make();
    expect(arrayBufferOf(v)).toBe(v.buffer);
    expect(arrayBufferOf(v)).toBe(ab);
    expect(byteOffsetOf(v)).toBe(offset);
    expect(byteOffsetOf(v)).toBe(v.byteOffset);
  });

  test('a copy made through the species constructor reports its own new ArrayBuffer', () => {
    const copy = buf.map((x) => x + 1);
    expect(arrayBufferOf(copy)).toBe(copy.buffer);
    expect(arrayBufferOf(copy)).not.toBe(ab);
    expect(byteOffsetOf(copy)).toBe(0);
  });

  test('the record cannot be changed from outside', () => {
    const v = view(ab, 4, 4);
    // Own properties shadow the getters for ordinary readers, not for the record.
    Object.defineProperty(v, 'buffer', { value: new ArrayBuffer(1) });
    Object.defineProperty(v, 'byteOffset', { value: 40 });
    expect(v.byteOffset).toBe(40);
    expect(arrayBufferOf(v)).toBe(ab);
    expect(byteOffsetOf(v)).toBe(4);
  });
});
