'use strict';
// Memory: GoMem's cases with the fixed semantics and bad input, the
// subclass hook and receiver checks. The stream integration (writeTo,
// Memory.from) is in memory_streams.test.js.

const { Buffer } = require('node:buffer');
const { Memory, MemoryReader } = require('..');

const B = (...bytes) => Buffer.from(bytes);
const bytesOf = (mem) => [...mem.toBytes()];

describe('new Memory()', () => {
  test('holds the given buffers, empty ones included', () => {
    const mem = new Memory(B(1, 2, 3, 4, 5));
    expect(mem.size).toBe(5);
    expect(mem.count).toBe(1);
    expect(new Memory(B()).count).toBe(1);
    expect(new Memory().count).toBe(0);
  });

  test('keeps Buffers as they are and wraps other Uint8Arrays without copying', () => {
    const buf = B(1, 2);
    const u8 = new Uint8Array([7, 8, 9]).subarray(1);
    const mem = new Memory(buf, u8);
    const [a, b] = mem.buffers;
    expect(a).toBe(buf);
    expect(Buffer.isBuffer(b)).toBe(true);
    expect(b.buffer).toBe(u8.buffer);
    expect(b.byteOffset).toBe(1);
    u8[0] = 42;
    expect(b[0]).toBe(42);
  });

  test('rejects what is not a Uint8Array', () => {
    expect(() => new Memory(B(1), 'abc')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => new Memory([1, 2])).toThrow(TypeError);
  });
});

describe('Memory#pushOne()', () => {
  test('appends one buffer and adds its length (GoMem TestMemory)', () => {
    const mem = new Memory(B(1, 2, 3, 4, 5));
    expect(mem.pushOne(B(6, 7))).toBe(mem);
    expect(mem.size).toBe(7);
    expect(mem.count).toBe(2);
    mem.pushOne(B());
    expect(mem.count).toBe(3);
    expect(mem.size).toBe(7);
  });

  test('rejects a non-buffer and changes nothing', () => {
    const mem = new Memory(B(1));
    for (const bad of [undefined, null, 1, 'ab', [1], new ArrayBuffer(2), new Uint16Array(2)]) {
      expect(() => mem.pushOne(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    }
    expect(mem.size).toBe(1);
    expect(mem.count).toBe(1);
  });
});

describe('Memory#push()', () => {
  test('appends each buffer in order, empty and all', () => {
    const mem = new Memory(B(1));
    mem.push(B(), new Uint8Array(0), B(8));
    expect(mem.count).toBe(4);
    expect(mem.size).toBe(2);
    expect(bytesOf(mem)).toEqual([1, 8]);
    expect(mem.push()).toBe(mem);
    expect(mem.count).toBe(4);
  });

  test('a bad buffer anywhere in the list changes nothing', () => {
    const mem = new Memory(B(1));
    expect(() => mem.push(B(2), 3, B(4))).toThrow(expect.objectContaining({
      code: 'ERR_INVALID_ARG_TYPE', message: expect.stringContaining('"bufs[1]"'),
    }));
    expect(mem.count).toBe(1);
    expect(mem.size).toBe(1);
  });
});

describe('Memory#append()', () => {
  test('shares the other memory\'s buffers and chains', () => {
    const a = new Memory(B(1));
    const b = new Memory(B(2, 3));
    expect(a.append(b).append(b)).toBe(a);
    expect(a.count).toBe(3);
    expect(a.size).toBe(5);
    expect(a.buffers[1]).toBe(b.buffers[0]);
  });

  test('appending itself doubles it', () => {
    const a = new Memory(B(1, 2), B(3));
    a.append(a);
    expect(bytesOf(a)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(a.count).toBe(4);
  });

  test('rejects what is not a Memory', () => {
    const a = new Memory(B(1));
    expect(() => a.append(B(2))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => a.append({ _buffers: [], _size: 0 })).toThrow(TypeError);
    expect(a.size).toBe(1);
  });
});

describe('Memory#count / #size / #buffers', () => {
  test('buffers is a snapshot', () => {
    const mem = new Memory(B(1), B(2));
    const list = mem.buffers;
    list.pop();
    expect(mem.count).toBe(2);
    expect(Object.isFrozen(list)).toBe(false);
  });

  test('reading them from a non-Memory throws ERR_INVALID_THIS', () => {
    for (const name of ['size', 'count', 'buffers']) {
      const get = Object.getOwnPropertyDescriptor(Memory.prototype, name).get;
      expect(() => get.call({})).toThrow(expect.objectContaining({ code: 'ERR_INVALID_THIS' }));
    }
  });
});

describe('Memory#range()', () => {
  test('visits the buffers present at the start, with their index', () => {
    const mem = new Memory(B(1), B(2), B(3));
    const seen = [];
    mem.range((buf, i) => {
      seen.push([buf[0], i]);
      mem.pushOne(B(9));
    });
    expect(seen).toEqual([[1, 0], [2, 1], [3, 2]]);
    expect(mem.count).toBe(6);
  });

  test('stops early if buffers are removed during the loop', () => {
    const mem = new Memory(B(1), B(2), B(3));
    const seen = [];
    mem.range((buf) => {
      seen.push(buf[0]);
      mem.reset();
    });
    expect(seen).toEqual([1]);
  });

  test('rejects a non-function', () => {
    expect(() => new Memory().range(null)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});

describe('Memory#[Symbol.iterator]()', () => {
  test('yields the buffers in order', () => {
    const a = B(1);
    const b = B(2, 3);
    expect([...new Memory(a, b)]).toEqual([a, b]);
    expect([...new Memory()]).toEqual([]);
  });
});

describe('Memory#copyTo()', () => {
  const mem = () => new Memory(B(1, 2), B(3));

  test('copies everything into a larger target and leaves the rest alone', () => {
    const target = Buffer.alloc(5, 0xee);
    expect(mem().copyTo(target)).toBe(3);
    expect([...target]).toEqual([1, 2, 3, 0xee, 0xee]);
  });

  test('copies what fits into a shorter target (GoMem panicked)', () => {
    const two = Buffer.alloc(2);
    expect(mem().copyTo(two)).toBe(2);
    expect([...two]).toEqual([1, 2]);
    const one = Buffer.alloc(1);
    expect(mem().copyTo(one)).toBe(1);
    expect([...one]).toEqual([1]);
  });

  test('starts at targetStart', () => {
    const target = new Uint8Array(4);
    expect(mem().copyTo(target, 2)).toBe(2);
    expect([...target]).toEqual([0, 0, 1, 2]);
    expect(mem().copyTo(target, 4)).toBe(0);
    expect(mem().copyTo(target, 100)).toBe(0);
  });

  test('rejects a bad target or targetStart', () => {
    expect(() => mem().copyTo([0, 0])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => mem().copyTo(Buffer.alloc(2), -1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => mem().copyTo(Buffer.alloc(2), 0.5)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => mem().copyTo(Buffer.alloc(2), '1')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});

describe('Memory#toBytes()', () => {
  test('concatenates into a new Buffer (GoMem example: 1..8)', () => {
    const mem = new Memory(B(1, 2, 3, 4, 5)).pushOne(B(6, 7, 8));
    expect(mem.size).toBe(8);
    expect(mem.count).toBe(2);
    const out = mem.toBytes();
    expect(Buffer.isBuffer(out)).toBe(true);
    expect([...out]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    out[0] = 99;
    expect(mem.buffers[0][0]).toBe(1);
  });

  test('an empty memory gives an empty Buffer', () => {
    expect(new Memory().toBytes().length).toBe(0);
    expect(new Memory(B(), B()).toBytes().length).toBe(0);
  });
});

describe('Memory#equals()', () => {
  test('compares content however it is split (GoMem compared the split)', () => {
    expect(new Memory(B(1, 2, 3)).equals(new Memory(B(1, 2), B(3)))).toBe(true);
    expect(new Memory(B(1), B(), B(2, 3)).equals(new Memory(B(1, 2), B(), B(3), B()))).toBe(true);
    expect(new Memory(B(1, 2, 3)).equals(new Memory(B(1, 2), B(4)))).toBe(false);
    expect(new Memory(B(1, 2, 3)).equals(new Memory(B(1, 2)))).toBe(false);
    expect(new Memory().equals(new Memory(B()))).toBe(true);
  });

  test('accepts a single Buffer or Uint8Array', () => {
    const mem = new Memory(B(1), B(2, 3));
    expect(mem.equals(B(1, 2, 3))).toBe(true);
    expect(mem.equals(new Uint8Array([1, 2, 4]))).toBe(false);
  });

  test('rejects other types', () => {
    expect(() => new Memory().equals([1])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => new Memory().equals(null)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});

describe('Memory#updateBuffer()', () => {
  test('adjusts size by the difference (GoMem assigned it: size 2)', () => {
    const mem = new Memory(B(1, 2, 3), B(4, 5));
    mem.updateBuffer(-1, B(9, 9, 9, 9));
    expect(mem.size).toBe(7);
    expect(bytesOf(mem)).toEqual([1, 2, 3, 9, 9, 9, 9]);
    mem.updateBuffer(0, new Uint8Array([7]));
    expect(mem.size).toBe(5);
    expect(Buffer.isBuffer(mem.buffers[0])).toBe(true);
    mem.updateBuffer(-2, B());
    expect(mem.size).toBe(4);
  });

  test('rejects an index out of range or a bad buffer and changes nothing', () => {
    const mem = new Memory(B(1, 2), B(3));
    for (const index of [2, -3, 0.5, NaN]) {
      expect(() => mem.updateBuffer(index, B(1))).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    }
    expect(() => mem.updateBuffer('0', B(1))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => mem.updateBuffer(0, 'x')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => new Memory().updateBuffer(0, B(1))).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(bytesOf(mem)).toEqual([1, 2, 3]);
    expect(mem.size).toBe(3);
  });
});

describe('Memory#reset()', () => {
  test('drops everything (GoMem TestMemory)', () => {
    const mem = new Memory(B(1, 2, 3, 4, 5), B(6, 7));
    mem.reset();
    expect(mem.size).toBe(0);
    expect(mem.count).toBe(0);
    mem.pushOne(B(8));
    expect(bytesOf(mem)).toEqual([8]);
  });
});

describe('Memory#reader()', () => {
  test('returns a reader at the front of this memory', () => {
    const mem = new Memory(B(1, 2, 3), B(4, 5, 6));
    const r = mem.reader();
    expect(r).toBeInstanceOf(MemoryReader);
    expect(r.length).toBe(6);
    expect(r.offset).toBe(0);
  });
});

describe('Memory#_onClipFront() (subclass hook)', () => {
  test('is called once per whole buffer clipFront drops, after the caller\'s fn', () => {
    const events = [];
    class Tracking extends Memory {
      _onClipFront(buf) { events.push(['hook', [...buf]]); }
    }
    const mem = new Tracking(B(1, 2), B(3), B(4, 5, 6));
    const r = mem.reader();
    r.skip(4);
    r.clipFront((buf) => events.push(['fn', [...buf]]));
    expect(events).toEqual([
      ['fn', [1, 2]], ['hook', [1, 2]],
      ['fn', [3]], ['hook', [3]],
      ['fn', [4]],
    ]);
    expect(bytesOf(mem)).toEqual([5, 6]);
  });

  test('still sees every dropped buffer when fn throws; the first error is rethrown', () => {
    const hooked = [];
    class Tracking extends Memory {
      _onClipFront(buf) { hooked.push(buf[0]); }
    }
    const mem = new Tracking(B(1), B(2), B(3, 4));
    const r = mem.reader();
    r.skip(3);
    let calls = 0;
    expect(() => r.clipFront(() => { throw new Error(`fn ${++calls}`); })).toThrow('fn 1');
    expect(calls).toBe(3);
    expect(hooked).toEqual([1, 2]);
    expect(bytesOf(mem)).toEqual([4]);
    expect(r.offset).toBe(0);
    expect(r.readByte()).toBe(4);
  });
});

describe('Memory: receiver checks', () => {
  const methods = ['pushOne', 'push', 'append', 'range', 'copyTo', 'toBytes', 'equals', 'updateBuffer',
    'reset', 'reader', 'writeTo'];
  test.each(methods)('Memory#%s() on a non-Memory throws ERR_INVALID_THIS', (name) => {
    expect(() => Memory.prototype[name].call({ _buffers: [], _size: 0 }, B(1)))
      .toThrow(expect.objectContaining({ code: 'ERR_INVALID_THIS' }));
  });

  test('errors start at the caller\'s frame', () => {
    let err;
    try {
      new Memory().pushOne(5);
    } catch (e) {
      err = e;
    }
    expect(err.stack.split('\n')[1]).toContain('memory.test.js');
  });
});
