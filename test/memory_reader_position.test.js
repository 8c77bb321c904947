'use strict';
// MemoryReader's position: skip, unread, moveToEnd, current, range, rangeN
// and clipFront, with bad input beside good.

const { Buffer } = require('node:buffer');
const { Memory, MemoryReader } = require('..');

const B = (...bytes) => Buffer.from(bytes);
const sample = () => new Memory(B(1, 2, 3), B(4, 5), B(6));
const code = (c) => expect.objectContaining({ code: c });
const RANGE = code('ERR_OUT_OF_RANGE');
const TYPE = code('ERR_INVALID_ARG_TYPE');

function collect(fn) {
  const pieces = [];
  fn((buf) => pieces.push([...buf]));
  return pieces;
}

describe('MemoryReader#skip()', () => {
  // The cases GoMem got wrong (§2.7), with what a correct skip does.
  test.each([
    [[2, 10], 4, 4],
    [[2, 10], 5, 5],
    [[4, 1, 4], 6, 6],
    [[0, 3], 1, 1],
    [[10, 2], 11, 11],
    [[3, 3, 3], 7, 7],
  ])('over buffers of %j, skip(%d) moves to offset %d', (lengths, n, offset) => {
    let v = 0;
    const mem = new Memory(...lengths.map((len) => Buffer.from(Array.from({ length: len }, () => v++))));
    const r = mem.reader();
    r.skip(n);
    expect(r.offset).toBe(offset);
    expect(r.length).toBe(v - offset);
    if (offset < v) expect(r.readByte()).toBe(offset);
  });

  test('skip(0) and skip(length) work; past the end throws and does not move', () => {
    const r = sample().reader();
    r.skip(0);
    expect(r.offset).toBe(0);
    r.skip(1);
    expect(() => r.skip(6)).toThrow(RANGE);
    expect(r.offset).toBe(1);
    r.skip(5);
    expect(r.length).toBe(0);
    r.skip(0);
    expect(() => r.skip(1)).toThrow(RANGE);
  });

  test('rejects bad counts and does not move', () => {
    const r = sample().reader();
    for (const n of [-1, 0.5, NaN, Infinity]) expect(() => r.skip(n)).toThrow(RANGE);
    for (const n of ['1', undefined, null, 1n]) expect(() => r.skip(n)).toThrow(TYPE);
    expect(r.offset).toBe(0);
  });
});

describe('MemoryReader#unread()', () => {
  test('moves back across boundaries and empty buffers', () => {
    const r = new MemoryReader(B(1, 2, 3), B(), B(4, 5), B(6));
    r.skip(5);
    r.unread(3);
    expect(r.offset).toBe(2);
    expect(r.readByte()).toBe(3);
    expect(r.readByte()).toBe(4);
    r.unread(4);
    expect(r.readUInt32BE()).toBe(0x01020304);
  });

  test('works from the end: moveToEnd(); unread(1); readByte() is the last byte', () => {
    const r = sample().reader();
    r.moveToEnd();
    r.unread(1);
    expect(r.readByte()).toBe(6);
    r.unread(6);
    expect(r.offset).toBe(0);
  });

  test('past the start or a bad count throws and does not move (GoMem did not check)', () => {
    const r = sample().reader();
    r.skip(2);
    expect(() => r.unread(3)).toThrow(RANGE);
    expect(() => r.unread(-1)).toThrow(RANGE);
    expect(() => r.unread(1.5)).toThrow(RANGE);
    expect(() => r.unread('1')).toThrow(TYPE);
    expect(r.offset).toBe(2);
    expect(() => new MemoryReader(new Memory()).unread(1)).toThrow(RANGE);
  });
});

describe('MemoryReader#moveToEnd()', () => {
  test('consumes everything; on an empty memory it does nothing', () => {
    const r = sample().reader();
    r.moveToEnd();
    expect(r.length).toBe(0);
    expect(r.offset).toBe(6);
    const e = new MemoryReader(new Memory());
    e.moveToEnd();
    expect(e.offset).toBe(0);
  });
});

describe('MemoryReader#current()', () => {
  test('is a view of the unread rest of the current buffer and consumes nothing', () => {
    const mem = new Memory(B(), B(1, 2, 3), B(4));
    const r = mem.reader();
    r.readByte();
    const cur = r.current();
    expect(Buffer.isBuffer(cur)).toBe(true);
    expect([...cur]).toEqual([2, 3]);
    cur[0] = 20;
    expect(mem.buffers[1][1]).toBe(20);
    expect(r.offset).toBe(1);
    r.skip(2);
    expect([...r.current()]).toEqual([4]);
  });

  test('is empty at the end (GoMem panicked)', () => {
    const r = sample().reader();
    r.moveToEnd();
    expect(r.current().length).toBe(0);
    expect(new MemoryReader(new Memory()).current().length).toBe(0);
  });
});

describe('MemoryReader#range()', () => {
  test('hands out views of the rest and consumes it', () => {
    const mem = new Memory(B(1, 2, 3), B(), B(4, 5), B());
    const r = mem.reader();
    r.readByte();
    const views = [];
    r.range((buf) => views.push(buf));
    expect(views.map((v) => [...v])).toEqual([[2, 3], [4, 5]]);
    expect(r.length).toBe(0);
    views[0][0] = 42;
    expect(mem.buffers[0][1]).toBe(42);
    expect(views.every((v) => Buffer.isBuffer(v))).toBe(true);
    expect(collect((fn) => r.range(fn))).toEqual([]);
  });

  test('a throwing callback leaves the pieces handed out consumed', () => {
    const r = sample().reader();
    expect(() => r.range(() => { throw new Error('stop'); })).toThrow('stop');
    expect(r.offset).toBe(3);
  });

  test('rejects a non-function and consumes nothing', () => {
    const r = sample().reader();
    expect(() => r.range()).toThrow(TYPE);
    expect(() => r.range({})).toThrow(TYPE);
    expect(r.offset).toBe(0);
  });
});

describe('MemoryReader#rangeN()', () => {
  test('hands out the next n bytes as views (GoMem cases)', () => {
    const r = sample().reader();
    r.readByte();
    expect(collect((fn) => r.rangeN(3, fn))).toEqual([[2, 3], [4]]);
    const r2 = sample().reader();
    expect(collect((fn) => r2.rangeN(3, fn))).toEqual([[1, 2, 3]]);
    expect(r2.readByte()).toBe(4);
    expect(collect((fn) => r2.rangeN(0, fn))).toEqual([]);
  });

  test('n past the end throws and consumes nothing (GoMem consumed all)', () => {
    const r = sample().reader();
    expect(() => r.rangeN(7, () => {})).toThrow(RANGE);
    expect(() => r.rangeN(-1, () => {})).toThrow(RANGE);
    expect(() => r.rangeN(1, 'fn')).toThrow(TYPE);
    expect(r.offset).toBe(0);
  });
});

describe('MemoryReader#clipFront()', () => {
  test('drops the consumed prefix and hands out the pieces (GoMem case)', () => {
    const mem = sample();
    const r = mem.reader();
    r.skip(4);
    expect(collect((fn) => r.clipFront(fn))).toEqual([[1, 2, 3], [4]]);
    expect(mem.buffers.map((b) => [...b])).toEqual([[5], [6]]);
    expect(mem.size).toBe(2);
    expect(r.length).toBe(2);
    expect(r.offset).toBe(0);
    expect(r.readUInt16BE()).toBe(0x0506);
  });

  test('does nothing when nothing was consumed', () => {
    const mem = sample();
    const r = mem.reader();
    expect(collect((fn) => r.clipFront(fn))).toEqual([]);
    expect(mem.count).toBe(3);
  });

  test('drops every buffer when everything was consumed; fn is optional', () => {
    const mem = sample();
    const r = mem.reader();
    r.moveToEnd();
    r.clipFront();
    expect(mem.count).toBe(0);
    expect(mem.size).toBe(0);
    mem.pushOne(B(7));
    expect(r.readByte()).toBe(7);
  });

  test('on a boundary drops whole buffers only, and passes views never copies', () => {
    const mem = sample();
    const first = mem.buffers[0];
    const r = mem.reader();
    r.skip(3);
    const pieces = [];
    r.clipFront((b) => pieces.push(b));
    expect(pieces).toEqual([first]);
    expect(pieces[0]).toBe(first);
    expect(mem.count).toBe(2);
  });

  test('other readers keep their place', () => {
    const mem = sample();
    const a = mem.reader();
    const b = mem.reader();
    b.skip(5);
    a.skip(2);
    a.clipFront();
    expect(b.offset).toBe(3);
    expect(b.readByte()).toBe(6);
    const c = mem.reader();
    expect(c.readByte()).toBe(3);
  });

  test('a reader behind the clipped part moves to the new front', () => {
    const mem = sample();
    const a = mem.reader();
    const b = mem.reader();
    a.skip(4);
    a.clipFront();
    expect(b.offset).toBe(0);
    expect(b.readByte()).toBe(5);
  });

  test('rejects a non-function and changes nothing', () => {
    const mem = sample();
    const r = mem.reader();
    r.skip(2);
    expect(() => r.clipFront(5)).toThrow(TYPE);
    expect(mem.size).toBe(6);
    expect(r.offset).toBe(2);
  });
});
