'use strict';
// transferableCopy(): just the bytes of a pooled buffer, in a Buffer whose
// ArrayBuffer is its own and can be transferred to a worker, where cloning
// the pooled buffer itself copies the whole chunk under it.

const { MessageChannel, receiveMessageOnPort } = require('node:worker_threads');
const { Arena, ScalableAllocator, transferableCopy } = require('../lib');
const { expectCode } = require('./helpers/expect_error');

describe('transferableCopy()', () => {
  test('copies exactly the bytes into a Buffer over an ArrayBuffer of that size', () => {
    const arena = new Arena(1 << 20);
    const buf = arena.malloc(16);
    buf.write('0123456789abcdef');
    const copy = transferableCopy(buf.subarray(2, 10));
    expect(Object.getPrototypeOf(copy)).toBe(Buffer.prototype);
    expect(copy.toString()).toBe('23456789');
    expect([copy.byteOffset, copy.buffer.byteLength]).toEqual([0, 8]);
    buf.fill(0);
    expect(copy.toString()).toBe('23456789'); // a copy, not a view
    arena.close();
  });

  test('cloning the pooled buffer copies its whole chunk; the copy clones as its own bytes', () => {
    const arena = new Arena(1 << 20);
    const buf = arena.malloc(16);
    expect(structuredClone(buf).buffer.byteLength).toBe(1 << 20);
    expect(structuredClone(transferableCopy(buf)).buffer.byteLength).toBe(16);
    arena.close();
  });

  test('the copy can be transferred through postMessage, leaving the pool untouched', () => {
    const pool = new ScalableAllocator({ leakDetection: 'disabled' });
    const buf = pool.malloc(32);
    buf.fill(7);
    const copy = transferableCopy(buf);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(copy, [copy.buffer]);
    const { message } = receiveMessageOnPort(port2);
    expect(copy.length).toBe(0); // moved, not copied
    expect(Buffer.from(message.buffer, message.byteOffset, message.length)).toEqual(Buffer.alloc(32, 7));
    expect(buf).toEqual(Buffer.alloc(32, 7));
    pool.free(buf);
    pool.close();
    port1.close();
  });

  test('reads the length through the intrinsic getter, not an own property', () => {
    const u8 = new Uint8Array([1, 2, 3]);
    Object.defineProperty(u8, 'length', { value: 1e9 });
    expect([...transferableCopy(u8)]).toEqual([1, 2, 3]);
  });

  test.each([['a string', 'abc'], ['an ArrayBuffer', new ArrayBuffer(4)], ['undefined', undefined]])(
    'rejects %s with ERR_INVALID_ARG_TYPE',
    (_, value) => {
      expectCode(() => transferableCopy(value), 'ERR_INVALID_ARG_TYPE', 'TypeError');
    },
  );
});
