'use strict';
// FrameReader: frames cut at every possible place come out intact; a frame
// inside one chunk is a view of it, a split one is copied once into pooled
// memory and given back on the next next(); the reader never keeps a chunk.

const { Arena, BytePool, FrameReader, ScalableAllocator } = require('../lib');
const { expectCode } = require('./helpers/expect_error');
const { seededRandom } = require('./helpers/random');

// The same frames and cuts every run.
const randomInt = (seed) => seededRandom(seed).int;

function encode(payloads, lengthBytes = 4) {
  const parts = [];
  for (const p of payloads) {
    const h = Buffer.alloc(lengthBytes);
    h.writeUIntBE(p.length, 0, lengthBytes);
    parts.push(h, p);
  }
  return Buffer.concat(parts);
}

// Buffer#equals per frame: Jest's toEqual walks Buffers byte by byte (slow).
function expectSame(frames, payloads) {
  expect(frames.length).toBe(payloads.length);
  expect(frames.every((f, i) => f.equals(payloads[i]))).toBe(true);
}

function makePayloads(random, count, max) {
  const out = [];
  for (let f = 0; f < count; f++) {
    const p = Buffer.alloc(random(max + 1));
    for (let i = 0; i < p.length; i++) p[i] = random(256);
    out.push(p);
  }
  return out;
}

// Feeds the stream in random cuts, each chunk a fresh copy that is scribbled
// over once next() returned null (as a freed read buffer would be).
function feed(reader, stream, random, maxCut) {
  const frames = [];
  let views = 0;
  for (let at = 0; at < stream.length;) {
    const n = 1 + random(maxCut);
    const chunk = Buffer.from(stream.subarray(at, at + n));
    at += chunk.length;
    reader.push(chunk);
    let f;
    while ((f = reader.next()) !== null) {
      if (f.buffer === chunk.buffer) views++;
      frames.push(Buffer.from(f)); // copy before the next next()
    }
    chunk.fill(0xee);
  }
  return { frames, views };
}

describe('FrameReader', () => {
  test.each([
    ['BytePool', () => new BytePool(undefined, { leakDetection: 'disabled' }), (p) => p.stats().totalGet - p.stats().totalPut],
    ['ScalableAllocator', () => new ScalableAllocator({ leakDetection: 'disabled' }), (p) => p.stats().allocations],
    ['Arena', () => new Arena(1 << 20), (p) => p.usedSize],
  ])('random cuts over %s: every frame intact, pooled copies given back', (name, makePool, live) => {
    const random = randomInt(0x5eed);
    const pool = makePool();
    for (const maxCut of [1, 3, 50, 700, 5000]) {
      const payloads = makePayloads(random, maxCut < 50 ? 15 : 150, 2000);
      const reader = new FrameReader({ pool });
      const { frames, views } = feed(reader, encode(payloads), random, maxCut);
      expectSame(frames, payloads);
      expect(reader.frames).toBe(payloads.length);
      expect(views + reader.assembled).toBe(payloads.length);
      if (maxCut >= 5000) expect(views).toBeGreaterThan(0);
      expect(reader.pending).toBe(0);
      reader.close();
      expect(live(pool)).toBe(0);
    }
  });

  test('advance() finds the same frames without making views', () => {
    const random = randomInt(11);
    const pool = new BytePool(undefined, { leakDetection: 'disabled' });
    const payloads = makePayloads(random, 120, 3000);
    const stream = encode(payloads);
    const reader = new FrameReader({ pool });
    const frames = [];
    for (let at = 0; at < stream.length;) {
      const chunk = Buffer.from(stream.subarray(at, at + 1 + random(4000)));
      at += chunk.length;
      reader.push(chunk);
      while (reader.advance()) frames.push(Buffer.from(reader.source.subarray(reader.start, reader.end)));
    }
    expectSame(frames, payloads);
    reader.close();
    expect(pool.stats().totalGet).toBe(pool.stats().totalPut);
  });

  test('no pool: split frames are plain Buffers; lengthBytes 1 and 2', () => {
    const random = randomInt(7);
    for (const lengthBytes of [1, 2]) {
      const payloads = makePayloads(random, 100, lengthBytes === 1 ? 255 : 3000);
      const reader = new FrameReader({ lengthBytes });
      expectSame(feed(reader, encode(payloads, lengthBytes), random, 40).frames, payloads);
    }
  });

  test('pool full: split frames fall back to plain Buffers and are counted', () => {
    const pool = new ScalableAllocator({ chunkSize: 4096, maxChunkSize: 4096, maxSize: 4096, leakDetection: 'disabled' });
    const hog = pool.malloc(4096);
    const random = randomInt(9);
    const payloads = makePayloads(random, 50, 1000);
    const reader = new FrameReader({ pool });
    expectSame(feed(reader, encode(payloads), random, 300).frames, payloads);
    expect(reader.fallbacks).toBe(reader.assembled);
    pool.free(hog);
    expect(pool.stats().allocations).toBe(0);
  });

  test('close() mid-frame gives the partial frame back; the reader is reusable', () => {
    const pool = new BytePool(undefined, { leakDetection: 'disabled' });
    const reader = new FrameReader({ pool });
    const stream = encode([Buffer.alloc(1000, 1)]);
    reader.push(stream.subarray(0, 500));
    expect(reader.next()).toBeNull();
    expect(reader.pending).toBe(496); // payload bytes held; the prefix is parsed
    reader.close();
    expect(pool.stats().tiers[1024].inUse).toBe(0);
    reader.push(stream);
    expect(reader.next()).toEqual(Buffer.alloc(1000, 1));
    expect(reader.next()).toBeNull();
  });

  test('a frame above maxFrameLength throws ERR_OUT_OF_RANGE and resets', () => {
    const pool = new BytePool(undefined, { leakDetection: 'disabled' });
    const reader = new FrameReader({ pool, maxFrameLength: 100 });
    reader.push(encode([Buffer.alloc(101)]));
    expectCode(() => reader.next(), 'ERR_OUT_OF_RANGE', RangeError);
    expect(reader.next()).toBeNull();
  });

  test('push() before the last chunk is used up throws ERR_INVALID_STATE', () => {
    const reader = new FrameReader();
    reader.push(encode([Buffer.alloc(3), Buffer.alloc(3)]));
    expect(reader.next()).toEqual(Buffer.alloc(3));
    expectCode(() => reader.push(Buffer.alloc(1)), 'ERR_INVALID_STATE', Error);
    expectCode(() => reader.push('x'), 'ERR_INVALID_ARG_TYPE', TypeError);
    expectCode(() => new FrameReader({ lengthBytes: 3 }), 'ERR_INVALID_ARG_VALUE', TypeError);
    expectCode(() => new FrameReader({ pool: {} }), 'ERR_INVALID_ARG_TYPE', TypeError);
  });

  test("a chunk whose length getter lies yields no frame beyond the chunk's real bytes", () => {
    // The chunk is the first 8 bytes of a pooled buffer; its owner's neighbour
    // holds the next bytes of the same ArrayBuffer. A subclass claims 108.
    const pool = new Arena(4096);
    const mine = pool.malloc(8);
    const neighbour = pool.malloc(100).fill(0x5a);
    mine.writeUInt32BE(100, 0);
    const TA = Object.getPrototypeOf(Uint8Array.prototype);
    const real = (name, v) => Reflect.apply(Object.getOwnPropertyDescriptor(TA, name).get, v, []);
    class Liar extends Uint8Array {
      get length() { return 108; }
    }
    const chunk = new Liar(real('buffer', mine), real('byteOffset', mine), 8);
    const reader = new FrameReader();
    reader.push(chunk);
    const frame = reader.next();
    expect(frame).toBeNull(); // 100 payload bytes announced, 4 present: the frame is incomplete
    expect(reader.pending).toBe(4);
    reader.close();
    expect(neighbour.every((b) => b === 0x5a)).toBe(true);
    expectCode(() => reader.push(chunk, 9), 'ERR_OUT_OF_RANGE', RangeError);
  });
});
