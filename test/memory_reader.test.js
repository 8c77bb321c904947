'use strict';
// MemoryReader reads: GoMem's observed cases with the fixed semantics and
// bad input beside good, for construction, every read method and LEB128; a
// reader that follows its Memory as it grows; receiver checks. Moving the
// position and the property test have files of their own.

const { Buffer } = require('node:buffer');
const { Memory, MemoryReader } = require('..');

const B = (...bytes) => Buffer.from(bytes);
const sample = () => new Memory(B(1, 2, 3), B(4, 5), B(6));
const code = (c) => expect.objectContaining({ code: c });
const OOB = code('ERR_BUFFER_OUT_OF_BOUNDS');
const RANGE = code('ERR_OUT_OF_RANGE');
const TYPE = code('ERR_INVALID_ARG_TYPE');
const LEB = code('ERR_POOLMEM_INVALID_LEB128');

describe('new MemoryReader()', () => {
  test('over buffers: length is the total (GoMem TestMemoryReader)', () => {
    const r = new MemoryReader(B(1, 2, 3), B(4, 5, 6));
    expect(r.length).toBe(6);
    expect(r.offset).toBe(0);
    const out = Buffer.alloc(6);
    expect(r.read(out)).toBe(6);
    expect([...out]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('over a Memory, a plain Uint8Array or an empty Memory', () => {
    expect(new MemoryReader(sample()).length).toBe(6);
    expect(new MemoryReader(new Uint8Array([9, 8])).readUInt16BE()).toBe(0x0908);
    expect(new MemoryReader(new Memory()).length).toBe(0);
  });

  test('rejects a bad source, or extra buffers beside a Memory', () => {
    for (const bad of [undefined, null, 'ab', [1, 2], 5, {}]) {
      expect(() => new MemoryReader(bad)).toThrow(TYPE);
    }
    expect(() => new MemoryReader(B(1), 'x')).toThrow(TYPE);
    expect(() => new MemoryReader(sample(), B(1))).toThrow(code('ERR_INVALID_ARG_VALUE'));
  });
});

describe('MemoryReader#read()', () => {
  test('copies across boundaries and returns the count (GoMem quick set)', () => {
    const r = sample().reader();
    const two = Buffer.alloc(2);
    expect(r.read(two)).toBe(2);
    expect([...two]).toEqual([1, 2]);
    expect(r.read(two)).toBe(2);
    expect([...two]).toEqual([3, 4]);
    const ten = Buffer.alloc(10);
    expect(r.read(ten)).toBe(2);
    expect([...ten.subarray(0, 2)]).toEqual([5, 6]);
    expect(r.length).toBe(0);
    expect(r.read(ten)).toBe(0);
  });

  test('an empty target reads nothing; empty buffers are skipped', () => {
    const r = new MemoryReader(B(), B(1), B(), B(), B(2, 3));
    expect(r.read(Buffer.alloc(0))).toBe(0);
    const out = new Uint8Array(3);
    expect(r.read(out)).toBe(3);
    expect([...out]).toEqual([1, 2, 3]);
  });

  test('copies large spans with Buffer#copy', () => {
    const big = Buffer.alloc(100, 7);
    const r = new MemoryReader(B(1), big, B(2));
    const out = Buffer.alloc(102);
    expect(r.read(out)).toBe(102);
    expect(out[0]).toBe(1);
    expect(out[50]).toBe(7);
    expect(out[101]).toBe(2);
  });

  test('rejects a non-buffer target', () => {
    const r = sample().reader();
    expect(() => r.read([0, 0])).toThrow(TYPE);
    expect(r.offset).toBe(0);
  });
});

describe('MemoryReader#readByte()', () => {
  test('reads every byte across leading, middle and trailing empty buffers (GoMem panicked)', () => {
    const r = new MemoryReader(B(), B(1, 2), B(), B(3), B());
    expect([r.readByte(), r.readByte(), r.readByte()]).toEqual([1, 2, 3]);
    expect(r.length).toBe(0);
  });

  test('at the end throws ERR_BUFFER_OUT_OF_BOUNDS', () => {
    const r = new MemoryReader(B(1));
    r.readByte();
    expect(() => r.readByte()).toThrow(OOB);
    expect(() => r.readByte()).toThrow(RangeError);
    expect(() => new MemoryReader(new Memory()).readByte()).toThrow(OOB);
  });
});

describe('MemoryReader#readUInt8() / readUInt16BE() / readUInt16LE() / readUInt32BE() / readUInt32LE()', () => {
  test('read inside one buffer and across boundaries', () => {
    const r = new MemoryReader(B(0xff, 0x01), B(0x02), B(0x03, 0x04, 0x05, 0x06, 0x07), B(0x80, 0, 0, 0xfe));
    expect(r.readUInt8()).toBe(0xff);
    expect(r.readUInt16BE()).toBe(0x0102);
    expect(r.readUInt16LE()).toBe(0x0403);
    expect(r.readUInt32BE()).toBe(0x05060780);
    expect(() => r.readUInt32LE()).toThrow(OOB);
    expect(r.readUInt16LE()).toBe(0);
    expect(r.readUInt8()).toBe(0xfe);
  });

  test('return unsigned values for the top bit', () => {
    expect(new MemoryReader(B(0xff, 0xff, 0xff, 0xff)).readUInt32BE()).toBe(0xffffffff);
    expect(new MemoryReader(B(0xff, 0xff), B(0xff, 0xff)).readUInt32LE()).toBe(0xffffffff);
    expect(new MemoryReader(B(0x01, 0x02, 0x03, 0x84)).readUInt32LE()).toBe(0x84030201);
    expect(new MemoryReader(B(0x84), B(0x03, 0x02, 0x01)).readUInt32BE()).toBe(0x84030201);
    expect(new MemoryReader(B(0xfe), B(0xff)).readUInt16LE()).toBe(0xfffe);
  });

  test('past the end throw and consume nothing', () => {
    const r = new MemoryReader(B(1, 2), B(3));
    expect(() => r.readUInt32BE()).toThrow(OOB);
    expect(() => r.readUInt32LE()).toThrow(OOB);
    expect(r.offset).toBe(0);
    expect(r.readUInt16BE()).toBe(0x0102);
    expect(() => r.readUInt16LE()).toThrow(OOB);
    expect(r.readUInt8()).toBe(3);
  });
});

describe('MemoryReader#readBigUInt64BE() / readBigUInt64LE()', () => {
  test('read inside one buffer and across boundaries', () => {
    const bytes = [1, 2, 3, 4, 5, 6, 7, 0xf8];
    expect(new MemoryReader(B(...bytes)).readBigUInt64BE()).toBe(0x01020304050607f8n);
    expect(new MemoryReader(B(...bytes.slice(0, 3)), B(...bytes.slice(3))).readBigUInt64BE()).toBe(0x01020304050607f8n);
    expect(new MemoryReader(B(...bytes)).readBigUInt64LE()).toBe(0xf807060504030201n);
    expect(new MemoryReader(B(1), B(), B(...bytes.slice(1))).readBigUInt64LE()).toBe(0xf807060504030201n);
  });

  test('past the end throw and consume nothing', () => {
    const r = new MemoryReader(B(1, 2, 3), B(4, 5, 6, 7));
    expect(() => r.readBigUInt64BE()).toThrow(OOB);
    expect(() => r.readBigUInt64LE()).toThrow(OOB);
    expect(r.length).toBe(7);
  });
});

describe('MemoryReader#readBE() / readLE()', () => {
  test('combine 1..6 bytes (GoMem kept only the low 32 bits)', () => {
    expect(new MemoryReader(B(1, 2, 3, 4, 5)).readBE(5)).toBe(0x0102030405);
    expect(new MemoryReader(B(1, 2), B(3, 4, 5)).readBE(5)).toBe(0x0102030405);
    expect(new MemoryReader(B(0xff, 0xff, 0xff), B(0xff, 0xff, 0xff)).readBE(6)).toBe(2 ** 48 - 1);
    expect(new MemoryReader(B(1, 2, 3, 4, 5, 6)).readLE(6)).toBe(0x060504030201);
    expect(new MemoryReader(B(1), B(2, 3)).readLE(3)).toBe(0x030201);
    expect(new MemoryReader(B(0x80)).readBE(1)).toBe(0x80);
    expect(new MemoryReader(B(0x80)).readLE(1)).toBe(0x80);
  });

  test('past the end throw and consume nothing (GoMem consumed)', () => {
    const r = new MemoryReader(B(1), B(2));
    expect(() => r.readBE(3)).toThrow(OOB);
    expect(() => r.readLE(3)).toThrow(OOB);
    expect(r.length).toBe(2);
  });

  test('reject n outside 1..6', () => {
    const r = new MemoryReader(B(1, 2, 3, 4, 5, 6, 7, 8));
    for (const n of [0, 7, -1, 1.5, NaN, Infinity]) {
      expect(() => r.readBE(n)).toThrow(RANGE);
      expect(() => r.readLE(n)).toThrow(RANGE);
    }
    expect(() => r.readBE('2')).toThrow(TYPE);
    expect(() => r.readLE()).toThrow(TYPE);
    expect(r.offset).toBe(0);
  });
});

describe('MemoryReader#readBytes()', () => {
  test('returns a copy of the next n bytes', () => {
    const mem = sample();
    const r = mem.reader();
    const out = r.readBytes(4);
    expect(Buffer.isBuffer(out)).toBe(true);
    expect([...out]).toEqual([1, 2, 3, 4]);
    out[0] = 99;
    expect(mem.buffers[0][0]).toBe(1);
    expect(r.readBytes(0).length).toBe(0);
    expect([...r.readBytes(2)]).toEqual([5, 6]);
    expect(r.readBytes(0).length).toBe(0);
  });

  test('n past the end throws ERR_OUT_OF_RANGE and consumes nothing', () => {
    const r = sample().reader();
    r.readByte();
    expect(() => r.readBytes(6)).toThrow(RANGE);
    expect(r.length).toBe(5);
    for (const n of [-1, 1.5, NaN]) expect(() => r.readBytes(n)).toThrow(RANGE);
    expect(() => r.readBytes('1')).toThrow(TYPE);
    expect(r.length).toBe(5);
  });
});

describe('MemoryReader#leb128()', () => {
  test('decodes GoMem\'s cases', () => {
    expect(new MemoryReader(B(0xe5, 0x8e, 0x26)).leb128()).toBe(624485);
    expect(new MemoryReader(B(0xe5), B(0x8e), B(0x26)).leb128()).toBe(624485);
    expect(new MemoryReader(B(0x7f)).leb128()).toBe(127);
    expect(new MemoryReader(B(0x80, 0x01)).leb128()).toBe(128);
    expect(new MemoryReader(B(0xff, 0xff, 0xff, 0x7f)).leb128()).toBe(2 ** 28 - 1);
    expect(new MemoryReader(B(0x80, 0x80, 0x80, 0x80, 0x01)).leb128()).toBe(2 ** 28);
  });

  test('reaches 2^53-1 in 8 bytes and accepts non-minimal padding', () => {
    expect(new MemoryReader(B(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f)).leb128()).toBe(Number.MAX_SAFE_INTEGER);
    expect(new MemoryReader(B(0xff, 0xff, 0xff), B(0xff, 0xff, 0xff, 0xff, 0x0f)).leb128()).toBe(Number.MAX_SAFE_INTEGER);
    const r = new MemoryReader(B(0x85, 0x80, 0x00, 0x01));
    expect(r.leb128()).toBe(5);
    expect(r.leb128()).toBe(1);
  });

  test('throws on overflow or more than 8 bytes, consuming nothing (GoMem stopped silently)', () => {
    const over = new MemoryReader(B(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f));
    expect(() => over.leb128()).toThrow(LEB);
    expect(() => over.leb128()).toThrow(/exceeds 2\^53 - 1/);
    expect(over.offset).toBe(0);
    expect(() => new MemoryReader(B(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10)).leb128()).toThrow(LEB); // 2^53
    expect(() => new MemoryReader(B(0xff, 0xff, 0xff, 0xff), B(0xff, 0xff, 0xff, 0x10)).leb128()).toThrow(LEB);
    const long = new MemoryReader(B(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x81, 0x01));
    expect(() => long.leb128()).toThrow(/does not end within 8 bytes/);
    expect(long.length).toBe(9);
    expect(() => long.leb128()).toThrow(RangeError);
  });

  test('a truncated value throws ERR_BUFFER_OUT_OF_BOUNDS and consumes nothing (GoMem consumed)', () => {
    const r = new MemoryReader(B(0x80));
    expect(() => r.leb128()).toThrow(OOB);
    expect(r.length).toBe(1);
    const r2 = new MemoryReader(B(0xe5, 0x8e), B(0x8e));
    expect(() => r2.leb128()).toThrow(OOB);
    expect(r2.offset).toBe(0);
    expect(() => new MemoryReader(new Memory()).leb128()).toThrow(OOB);
  });

  test('reads a stream of values, most of them one byte (GoMem benchmark data)', () => {
    const data = Buffer.alloc(300);
    for (let i = 0; i < data.length; i++) data[i] = i % 128;
    const r = new MemoryReader(data.subarray(0, 100), data.subarray(100, 101), data.subarray(101));
    for (let i = 0; i < data.length; i++) expect(r.leb128()).toBe(i % 128);
  });
});

describe('MemoryReader#leb128BigInt()', () => {
  test('decodes up to 2^64-1 in 10 bytes', () => {
    expect(new MemoryReader(B(0xe5, 0x8e, 0x26)).leb128BigInt()).toBe(624485n);
    expect(new MemoryReader(B(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)).leb128BigInt()).toBe(2n ** 56n - 1n);
    expect(new MemoryReader(B(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x81, 0x01)).leb128BigInt())
      .toBe(2n ** 49n + 2n ** 56n);
    const max = B(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
    expect(new MemoryReader(max).leb128BigInt()).toBe(2n ** 64n - 1n);
    expect(new MemoryReader(max.subarray(0, 4), max.subarray(4)).leb128BigInt()).toBe(2n ** 64n - 1n);
  });

  test('throws on overflow, more than 10 bytes or truncation, consuming nothing', () => {
    const over = new MemoryReader(B(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02));
    expect(() => over.leb128BigInt()).toThrow(/exceeds 2\^64 - 1/);
    expect(over.offset).toBe(0);
    const long = new MemoryReader(Buffer.alloc(11, 0x80));
    expect(() => long.leb128BigInt()).toThrow(LEB);
    expect(() => long.leb128BigInt()).toThrow(/does not end within 10 bytes/);
    const cut = new MemoryReader(B(0xff), B(0xff));
    expect(() => cut.leb128BigInt()).toThrow(OOB);
    expect(cut.length).toBe(2);
  });
});

describe('MemoryReader: following its Memory', () => {
  test('bytes pushed after creation become readable (GoMem snapshotted the length)', () => {
    const mem = new Memory(B(1));
    const r = mem.reader();
    expect(r.readByte()).toBe(1);
    expect(() => r.readUInt16BE()).toThrow(OOB);
    mem.pushOne(B(2));
    expect(r.offset).toBe(1);
    expect(r.length).toBe(1);
    mem.push(B(3), B(4, 5));
    expect(r.readUInt32BE()).toBe(0x02030405);
  });

  test('after reset() it reads what is pushed next', () => {
    const mem = sample();
    const r = mem.reader();
    r.skip(1); // mid-buffer: the fast path must notice the reset
    mem.reset();
    expect(() => r.readByte()).toThrow(OOB);
    mem.pushOne(B(9, 8));
    expect(r.offset).toBe(0);
    expect(r.readByte()).toBe(9);
  });

  test('after reset() and a push, the first read sees the new bytes', () => {
    const mem = sample();
    const r = mem.reader();
    r.skip(1);
    mem.reset();
    mem.pushOne(B(9, 8));
    expect(r.readUInt16BE()).toBe(0x0908);
  });

  test('after updateBuffer() it keeps its byte offset', () => {
    const mem = sample();
    const r = mem.reader();
    r.skip(1);
    mem.updateBuffer(0, B(7, 8, 9, 10));
    expect(r.offset).toBe(1);
    expect(r.readByte()).toBe(8);
    expect(r.length).toBe(5);
  });
});

describe('MemoryReader: receiver checks', () => {
  const methods = ['read', 'readByte', 'readBytes', 'readBE', 'readLE', 'readUInt8', 'readUInt16BE', 'readUInt16LE',
    'readUInt32BE', 'readUInt32LE', 'readBigUInt64BE', 'readBigUInt64LE', 'leb128', 'leb128BigInt', 'skip', 'unread',
    'range', 'rangeN', 'clipFront', 'current', 'moveToEnd'];
  const fake = { _m: new Memory(B(1, 2, 3, 4, 5, 6, 7, 8)), _i: 0, _cur: B(1, 2, 3, 4, 5, 6, 7, 8), _pos: 0, _base: 0, _epoch: 0 };

  test.each(methods)('MemoryReader#%s() on a non-reader throws ERR_INVALID_THIS', (name) => {
    for (const self of [fake, undefined, null, 1]) {
      expect(() => MemoryReader.prototype[name].call(self, 1, () => {}))
        .toThrow(code('ERR_INVALID_THIS'));
    }
  });

  test.each(['length', 'offset'])('MemoryReader#%s on a non-reader throws ERR_INVALID_THIS', (name) => {
    const get = Object.getOwnPropertyDescriptor(MemoryReader.prototype, name).get;
    expect(() => get.call(fake)).toThrow(code('ERR_INVALID_THIS'));
  });
});
