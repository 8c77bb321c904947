'use strict';
// The error registry: Node-style names, codes and messages; PoolError is a
// real exported Error subclass; stacks start at the user's frame.

const { PoolError, Arena } = require('..');
const { codes, fromNative } = require('../lib/internal/errors');
const { expectCode } = require('./helpers/expect_error');

describe('PoolError', () => {
  test('is an Error with a code and its own name', () => {
    const err = new PoolError('ERR_POOLMEM_CLOSED', 'closed');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('PoolError');
    expect(err.code).toBe('ERR_POOLMEM_CLOSED');
    expect(String(err)).toBe('PoolError: closed');
  });

  test('thrown pool errors show the code in the stack like Node does', () => {
    const arena = new Arena(64);
    arena.close();
    const err = expectCode(() => arena.malloc(1), 'ERR_POOLMEM_CLOSED', 'PoolError');
    expect(err.stack.split('\n')[0]).toBe('PoolError [ERR_POOLMEM_CLOSED]: The arena is closed');
    expect(err.name).toBe('PoolError');
  });
});

describe('codes', () => {
  test('registry is alphabetical and every factory sets its code', () => {
    const names = Object.keys(codes);
    expect([...names].sort()).toEqual(names);
    for (const name of names) {
      const err = codes[name]('x', 'y', 'z');
      expect(err.code).toBe(name);
      expect(err.message.length).toBeGreaterThan(0);
    }
  });

  test("messages copy Node's wording", () => {
    expect(codes.ERR_INVALID_ARG_TYPE('size', 'of type number', 'abc').message).toBe(
      'The "size" argument must be of type number. Received type string (\'abc\')');
    expect(codes.ERR_INVALID_ARG_TYPE('buf', 'an instance of Buffer or Uint8Array', null).message).toBe(
      'The "buf" argument must be an instance of Buffer or Uint8Array. Received null');
    expect(codes.ERR_INVALID_ARG_TYPE('x', 'of type number', new Map()).message).toBe(
      'The "x" argument must be of type number. Received an instance of Map');
    expect(codes.ERR_OUT_OF_RANGE('size', '>= 0 && <= 10', 2 ** 40).message).toBe(
      'The value of "size" is out of range. It must be >= 0 && <= 10. Received 1_099_511_627_776');
    expect(codes.ERR_OUT_OF_RANGE('size', 'an integer', 1.5).message).toBe(
      'The value of "size" is out of range. It must be an integer. Received 1.5');
  });

  test('built-in error classes keep their names', () => {
    const err = codes.ERR_OUT_OF_RANGE('a', 'b', 1);
    expect(err.name).toBe('RangeError');
    expect(err.constructor.name).toBe('RangeError');
    expect(err.stack.startsWith('RangeError [ERR_OUT_OF_RANGE]: ')).toBe(true);
  });
});

describe('fromNative()', () => {
  test('turns coded native pool errors into PoolError and leaves others alone', () => {
    const native = Object.assign(new Error('Cannot reserve arena memory'), { code: 'ERR_POOLMEM_OUT_OF_MEMORY' });
    const converted = fromNative(native);
    expect(converted).toBeInstanceOf(PoolError);
    expect(converted.code).toBe('ERR_POOLMEM_OUT_OF_MEMORY');
    const other = new TypeError('x');
    expect(fromNative(other)).toBe(other);
  });
});
