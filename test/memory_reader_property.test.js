'use strict';
// MemoryReader, a seeded property test: any split of the same bytes reads
// what Node's own Buffer reads on the concatenation, LEB128 included.

const { Buffer } = require('node:buffer');
const fc = require('fast-check');
const { Memory, MemoryReader } = require('..');

const code = (c) => expect.objectContaining({ code: c });

// ---------------------------------------------------------------------------
// Property: any split of the same bytes reads what Node's Buffer reads
// ---------------------------------------------------------------------------

// Reference LEB128 decoder over one Buffer: [value, bytes] or a string error.
function refLeb128(buf, at, maxBytes, big) {
  let v = 0n;
  for (let k = 0; k < maxBytes; k++) {
    if (at + k >= buf.length) return 'OOB';
    const x = buf[at + k];
    v |= BigInt(x & 0x7f) << BigInt(7 * k);
    if (x < 0x80) {
      const limit = big ? 2n ** 64n - 1n : 2n ** 53n - 1n;
      if (v > limit) return 'LEB';
      return [big ? v : Number(v), k + 1];
    }
  }
  return 'LEB';
}

const OPS = [
  ['readUInt8', 1, (b, at) => b.readUInt8(at)],
  ['readByte', 1, (b, at) => b.readUInt8(at)],
  ['readUInt16BE', 2, (b, at) => b.readUInt16BE(at)],
  ['readUInt16LE', 2, (b, at) => b.readUInt16LE(at)],
  ['readUInt32BE', 4, (b, at) => b.readUInt32BE(at)],
  ['readUInt32LE', 4, (b, at) => b.readUInt32LE(at)],
  ['readBigUInt64BE', 8, (b, at) => b.readBigUInt64BE(at)],
  ['readBigUInt64LE', 8, (b, at) => b.readBigUInt64LE(at)],
];

function splitAt(bytes, cuts) {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts = [];
  let prev = 0;
  for (const p of points) {
    parts.push(bytes.subarray(prev, p));
    prev = p;
  }
  parts.push(bytes.subarray(prev));
  return parts;
}

describe('MemoryReader: any split reads like one Buffer (property)', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('fixed'), i: fc.nat(OPS.length - 1) }),
    fc.record({ kind: fc.constantFrom('readBE', 'readLE'), n: fc.integer({ min: 1, max: 6 }) }),
    fc.record({ kind: fc.constantFrom('skip', 'readBytes', 'unread'), n: fc.nat(12) }),
    fc.record({ kind: fc.constantFrom('leb128', 'leb128BigInt') }),
  );

  // Random bytes, or bytes made of LEB128 edge values (long and overflowing runs).
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 96, size: 'max' }),
    fc.array(fc.constantFrom(0x00, 0x01, 0x02, 0x0f, 0x10, 0x7f, 0x80, 0x81, 0xff), { maxLength: 96, size: 'max' })
      .map((a) => Uint8Array.from(a)),
  );

  test('every operation returns Node\'s value, or throws and consumes nothing', () => {
    fc.assert(
      fc.property(
        bytes,
        fc.array(fc.nat(200), { maxLength: 24, size: 'max' }),
        fc.array(op, { minLength: 1, maxLength: 40, size: 'max' }),
        (u8, cuts, ops) => {
          const whole = Buffer.from(u8);
          const parts = splitAt(whole, cuts);
          const r = new MemoryReader(new Memory(...parts));
          let at = 0;
          for (const o of ops) {
            const before = r.offset;
            expect(before).toBe(at);
            expect(r.length).toBe(whole.length - at);
            let expected;
            let width;
            let call;
            if (o.kind === 'fixed') {
              const [name, w, ref] = OPS[o.i];
              width = w;
              call = () => r[name]();
              expected = at + w <= whole.length ? ref(whole, at) : 'OOB';
            } else if (o.kind === 'readBE' || o.kind === 'readLE') {
              width = o.n;
              call = () => r[o.kind](o.n);
              if (at + o.n > whole.length) expected = 'OOB';
              else expected = o.kind === 'readBE' ? whole.readUIntBE(at, o.n) : whole.readUIntLE(at, o.n);
            } else if (o.kind === 'skip' || o.kind === 'readBytes') {
              width = o.n;
              call = () => (o.kind === 'skip' ? (r.skip(o.n), null) : [...r.readBytes(o.n)]);
              if (at + o.n > whole.length) expected = 'RANGE';
              else expected = o.kind === 'skip' ? null : [...whole.subarray(at, at + o.n)];
            } else if (o.kind === 'unread') {
              width = -o.n;
              call = () => (r.unread(o.n), null);
              expected = o.n > at ? 'RANGE' : null;
            } else {
              const big = o.kind === 'leb128BigInt';
              const ref = refLeb128(whole, at, big ? 10 : 8, big);
              call = () => r[o.kind]();
              if (typeof ref === 'string') expected = ref;
              else [expected, width] = ref;
            }
            if (typeof expected === 'string') {
              const want = { OOB: 'ERR_BUFFER_OUT_OF_BOUNDS', RANGE: 'ERR_OUT_OF_RANGE', LEB: 'ERR_POOLMEM_INVALID_LEB128' };
              expect(call).toThrow(code(want[expected]));
              expect(r.offset).toBe(at);
            } else {
              expect(call()).toEqual(expected);
              at += width;
            }
          }
        },
      ),
      { seed: 0x6006, numRuns: 400 },
    );
  });

  test('range, rangeN and read see the same bytes as the concatenation', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64, size: 'max' }),
        fc.array(fc.nat(100), { maxLength: 16, size: 'max' }),
        fc.nat(64),
        (u8, cuts, n) => {
          const whole = Buffer.from(u8);
          const mem = new Memory(...splitAt(whole, cuts));
          const k = Math.min(n, whole.length);
          const r = mem.reader();
          const got = [];
          r.rangeN(k, (v) => got.push(...v));
          r.range((v) => got.push(...v));
          expect(got).toEqual([...whole]);
          const r2 = mem.reader();
          const out = Buffer.alloc(k);
          expect(r2.read(out)).toBe(k);
          expect(out.equals(whole.subarray(0, k))).toBe(true);
          expect(mem.equals(whole)).toBe(true);
          expect(mem.toBytes().equals(whole)).toBe(true);
        },
      ),
      { seed: 0x6007, numRuns: 300 },
    );
  });
});
