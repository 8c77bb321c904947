'use strict';
// PoolBuffer: real Buffers over pool memory, and the recorded ArrayBuffer and
// offset that free() paths read instead of the slow typed-array getters.

const assert = require('node:assert');
const util = require('node:util');
const v8 = require('node:v8');
const { arrayBufferOf, byteOffsetOf, detachProbe, view } = require('../lib/internal/pool_buffer');

describe('view()', () => {
  test('is a real Buffer over the given bytes', () => {
    const ab = new ArrayBuffer(64);
    const buf = view(ab, 8, 16);
    expect(Buffer.isBuffer(buf)).toBe(true);
    expect([buf.buffer === ab, buf.byteOffset, buf.length]).toEqual([true, 8, 16]);
    buf.write('abc');
    expect(Buffer.from(ab, 8, 3).toString()).toBe('abc');
  });
});

describe('view() makes a Buffer.prototype object, as Buffer.allocUnsafe does', () => {
  const ab = new ArrayBuffer(64);
  const make = () => {
    const buf = view(ab, 8, 4);
    buf.set([1, 2, 3, 4]);
    return buf;
  };
  const same = () => Buffer.from([1, 2, 3, 4]);

  test('its prototype is Buffer.prototype and its constructor Buffer', () => {
    const buf = make();
    expect(Object.getPrototypeOf(buf)).toBe(Buffer.prototype);
    expect(buf.constructor).toBe(Buffer);
  });

  test('it inspects as <Buffer ...>', () => {
    expect(util.inspect(make())).toBe(util.inspect(same()));
    expect(util.inspect(make())).toBe('<Buffer 01 02 03 04>');
  });

  test('it deep-equals a real Buffer with the same bytes', () => {
    expect(() => assert.deepStrictEqual(make(), same())).not.toThrow();
    expect(util.isDeepStrictEqual(make(), same())).toBe(true);
    expect(make()).toStrictEqual(same());
    expect(same()).toStrictEqual(make());
  });

  test('v8 serialization round-trips it as a Buffer', () => {
    const back = v8.deserialize(v8.serialize(make()));
    expect(Buffer.isBuffer(back)).toBe(true);
    expect(back).toStrictEqual(same());
  });

  test('its constructor makes Buffers: from() and alloc()', () => {
    const buf = make();
    expect(buf.constructor.from('ab')).toStrictEqual(Buffer.from('ab'));
    expect(buf.constructor.alloc(2)).toStrictEqual(Buffer.alloc(2));
  });

  test.each([
    ['map', (b) => b.map((x) => x)],
    ['filter', (b) => b.filter(() => true)],
    ['subarray', (b) => b.subarray(0)],
    ['slice', (b) => b.slice(0)],
  ])('%s returns a plain Buffer', (_, derive) => {
    const out = derive(make());
    expect(Object.getPrototypeOf(out)).toBe(Buffer.prototype);
    expect(out).toStrictEqual(same());
  });

  test('it has no own properties, as a Buffer has none', () => {
    expect(Reflect.ownKeys(make())).toEqual(Reflect.ownKeys(same()));
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

describe('detachProbe', () => {
  test('element 0 reads undefined exactly when its ArrayBuffer is detached, whenever that happened', () => {
    const live = new ArrayBuffer(8);
    const probe = detachProbe(live);
    expect(probe[0]).toBe(0);
    structuredClone(live, { transfer: [live] });
    expect(probe[0]).toBeUndefined();
    // Of an ArrayBuffer detached before the probe was asked for: the same kind of probe.
    const gone = new ArrayBuffer(8);
    structuredClone(gone, { transfer: [gone] });
    const late = detachProbe(gone);
    expect(late[0]).toBeUndefined();
    expect(Object.getPrototypeOf(late)).toBe(Object.getPrototypeOf(probe));
  });
});
