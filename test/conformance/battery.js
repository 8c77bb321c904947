'use strict';
// The Buffer API battery: every call runs on a pooled buffer and on a real
// Buffer.allocUnsafe buffer holding the same bytes, and every difference is
// reported: return value (Buffers by prototype and bytes), thrown error
// (name, code, message) and the bytes of both buffers afterwards. Calls go
// one at a time through `step`, which names the call before it runs, so a
// hang is reported with the call that hung (test/conformance/child.js).

const assert = require('node:assert');
const crypto = require('node:crypto');
const util = require('node:util');
const v8 = require('node:v8');
const zlib = require('node:zlib');

const ENCODINGS = ['utf8', 'utf-8', 'ucs2', 'ucs-2', 'utf16le', 'utf-16le', 'latin1', 'binary', 'base64',
  'base64url', 'hex', 'ascii'];

// A comparable snapshot of a value or thrown error.
function describe(value) {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    return {
      kind: 'bytes',
      proto: Object.getPrototypeOf(value) === Buffer.prototype ? 'Buffer' : value.constructor.name,
      hex: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex'),
    };
  }
  if (typeof value === 'bigint') return { kind: 'bigint', value: value.toString() };
  if (typeof value === 'number' && Number.isNaN(value)) return { kind: 'NaN' };
  if (Array.isArray(value)) return value.map(describe);
  return value;
}

function call(fn) {
  try {
    return { ok: describe(fn()) };
  } catch (err) {
    return { threw: { name: err.name, code: err.code, message: err.message } };
  }
}

// Runs op(target) on both buffers and records a mismatch in results or bytes.
function compare(mismatches, name, pooled, real, op) {
  const a = call(() => op(pooled));
  const b = call(() => op(real));
  if (!util.isDeepStrictEqual(a, b)) mismatches.push({ name, pooled: a, real: b });
  if (!pooled.equals(real)) {
    mismatches.push({ name: `${name}: bytes afterwards`, pooled: pooled.toString('hex'), real: real.toString('hex') });
    real.set(pooled); // keep the rest of the battery comparable
  }
}

// Width of a fixed-width read/write method, or 0 for the variable-width ones.
function widthOf(method) {
  if (/BigU?Int64/.test(method)) return 8;
  if (/Double/.test(method)) return 8;
  if (/Float|32/.test(method)) return 4;
  if (/16/.test(method)) return 2;
  if (/8/.test(method)) return 1;
  return 0;
}

function valueFor(method, width) {
  if (/Big/.test(method)) return /BigUInt|BigUint/.test(method) ? 0x0102030405060708n : -0x0102030405060708n;
  if (/Double|Float/.test(method)) return -1.5;
  const bits = 8 * width;
  return /U[Ii]nt/.test(method) ? 2 ** bits - 3 : -(2 ** (bits - 1)) + 3;
}

function methods(prefix) {
  return Object.getOwnPropertyNames(Buffer.prototype).filter((n) => n.startsWith(prefix) && n !== prefix).sort();
}

// The synchronous battery, as a list of [name, op] steps.
function* steps(L) {
  // Reads and writes: every method, every offset (and past the end).
  for (const m of methods('read')) {
    const w = widthOf(m);
    for (const width of w === 0 ? [1, 2, 3, 4, 5, 6] : [w]) {
      for (const off of [-1, 0, 1, 3, 7, L - width, L - width + 1, 1.5]) {
        yield [`${m}(${off}${w === 0 ? `, ${width}` : ''})`, (b) => (w === 0 ? b[m](off, width) : b[m](off))];
      }
    }
  }
  for (const m of methods('write').filter((n) => n !== 'write')) {
    const w = widthOf(m);
    for (const width of w === 0 ? [1, 3, 6] : [w]) {
      const v = valueFor(m, width);
      for (const off of [0, 1, 3, L - width, L - width + 1]) {
        yield [`${m}(${v}, ${off})`, (b) => (w === 0 ? b[m](v, off, width) : b[m](v, off))];
      }
    }
  }
  const text = 'héllo wörld ☃ 0123';
  for (const enc of ENCODINGS) {
    const needle = enc === 'hex' ? 'abcd' : enc.startsWith('base64') ? 'aGVsbG8' : 'lo';
    yield [`write(${enc})`, (b) => b.write(enc === 'hex' ? '00ff10ab' : text, 2, enc)];
    yield [`write(${enc}) at the end`, (b) => b.write(enc === 'hex' ? '00ff10ab' : text, L - 3, 10, enc)];
    for (const [s, e] of [[undefined, undefined], [0, L], [1, 9], [3, L - 1], [L, L]]) {
      yield [`toString(${enc}, ${s}, ${e})`, (b) => b.toString(enc, s, e)];
    }
    for (const offset of [undefined, 0, 1, 2, 3, -5, L + 1]) {
      yield [`indexOf('${needle}', ${offset}, ${enc})`, (b) => b.indexOf(needle, offset, enc)];
      yield [`lastIndexOf('${needle}', ${offset}, ${enc})`, (b) => b.lastIndexOf(needle, offset, enc)];
      yield [`includes('${needle}', ${offset}, ${enc})`, (b) => b.includes(needle, offset, enc)];
      yield [`indexOf('o', ${offset}, ${enc})`, (b) => b.indexOf('o', offset, enc)];
      yield [`lastIndexOf('o', ${offset}, ${enc})`, (b) => b.lastIndexOf('o', offset, enc)];
    }
    yield [`fill('ab', 4, 20, ${enc})`, (b) => b.fill(enc === 'hex' ? 'ab' : 'ab', 4, 20, enc)];
    yield [`Buffer.byteLength of toString(${enc})`, (b) => Buffer.byteLength(b.toString(enc), enc)];
  }
  // Known search content, then numbers and Buffers as needles.
  yield ['write search text (utf16le)', (b) => b.write('abcdefgo hello o', 0, 'utf16le')];
  for (const enc of ['ucs2', 'utf16le', 'latin1', 'utf8']) {
    for (const offset of [undefined, 0, 1, 2, -3, 40]) {
      yield [`indexOf('o', ${offset}, ${enc}) in text`, (b) => b.indexOf('o', offset, enc)];
      yield [`lastIndexOf('o', ${offset}, ${enc}) in text`, (b) => b.lastIndexOf('o', offset, enc)];
      yield [`includes('hello', ${offset}, ${enc}) in text`, (b) => b.includes('hello', offset, enc)];
    }
  }
  for (const needle of [0x6f, 0, 256 + 0x6f, Buffer.from('o\0'), Buffer.alloc(0), new Uint8Array([0x68, 0])]) {
    for (const offset of [undefined, 1, -2]) {
      yield [`indexOf(${util.inspect(needle)}, ${offset})`, (b) => b.indexOf(needle, offset)];
      yield [`lastIndexOf(${util.inspect(needle)}, ${offset})`, (b) => b.lastIndexOf(needle, offset)];
    }
  }
  // Whole-buffer operations.
  const other = Buffer.from('0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
  yield ['compare(other)', (b) => b.compare(other)];
  yield ['compare(other, 2, 9, 1, 8)', (b) => b.compare(other, 2, 9, 1, 8)];
  yield ['Buffer.compare(b, other)', (b) => Buffer.compare(b, other)];
  yield ['equals(other)', (b) => b.equals(other)];
  yield ['equals(itself copied)', (b) => b.equals(Buffer.from(b))];
  yield ['copy(into other copy, 3, 1, 20)', (b) => { const t = Buffer.from(other); const n = b.copy(t, 3, 1, 20); return [n, t]; }];
  yield ['copy(from other, 5)', (b) => other.copy(b, 5, 10, 30)];
  yield ['copyWithin(0, 7, 20)', (b) => b.copyWithin(0, 7, 20)];
  yield ['Buffer.concat([b, other])', (b) => Buffer.concat([b, other])];
  yield ['Buffer.concat([b, b], 70)', (b) => Buffer.concat([b, b], 70)];
  for (const n of [16, 32, 64]) {
    yield [`swap${n}()`, (b) => b[`swap${n}`]()];
    yield [`subarray(1, 9).swap${n}()`, (b) => b.subarray(1, 9)[`swap${n}`]()];
    yield [`subarray(0, 3).swap${n}()`, (b) => b.subarray(0, 3)[`swap${n}`]()];
  }
  yield ['fill(0x41)', (b) => b.fill(0x41, 1, 3)];
  yield ['fill(Buffer)', (b) => b.fill(Buffer.from([1, 2, 3]), 5, 30)];
  yield ['fill("") throws', (b) => b.fill('', 0, 4, 'hex')];
  yield ['reverse()', (b) => b.reverse()];
  yield ['sort()', (b) => b.subarray(40).sort()];
  yield ['toJSON()', (b) => b.toJSON()];
  yield ['JSON.stringify', (b) => JSON.stringify(b)];
  yield ['toString()', (b) => b.toString()];
  yield ['toLocaleString()', (b) => b.toLocaleString()];
  yield ['util.inspect', (b) => util.inspect(b)];
  yield ['util.inspect subarray', (b) => util.inspect(b.subarray(2, 5))];
  yield ['String(b)', (b) => String(b)];
  yield ['[...entries()]', (b) => [...b.entries()].flat()];
  yield ['[...keys()] length', (b) => [...b.keys()].length];
  yield ['[...values()]', (b) => [...b.values()]];
  yield ['Array.from', (b) => Array.from(b)];
  yield ['length, byteLength', (b) => [b.length, b.byteLength, b.BYTES_PER_ELEMENT]];
  yield ['constructor and prototype', (b) => [b.constructor === Buffer, Object.getPrototypeOf(b) === Buffer.prototype, Buffer.isBuffer(b)]];
  yield ['Object.prototype.toString', (b) => Object.prototype.toString.call(b)];
  yield ['util.types', (b) => [util.types.isUint8Array(b), util.types.isTypedArray(b), util.types.isArrayBufferView(b)]];
  yield ['own keys', (b) => Reflect.ownKeys(b).length];
  // Species: every derived buffer is a plain Buffer with the same bytes.
  yield ['slice(2, 9)', (b) => b.slice(2, 9)];
  yield ['subarray(2, 9)', (b) => b.subarray(2, 9)];
  yield ['subarray(-4)', (b) => b.subarray(-4)];
  yield ['map(x + 1)', (b) => b.map((x) => x + 1)];
  yield ['filter(odd)', (b) => b.filter((x) => x & 1)];
  yield ['Uint8Array.prototype.slice', (b) => Uint8Array.prototype.slice.call(b, 1, 4)];
  yield ['constructor.from("ab")', (b) => b.constructor.from('ab')];
  yield ['constructor.alloc(3)', (b) => b.constructor.alloc(3)];
  yield ['Buffer.from(b)', (b) => Buffer.from(b)];
  // Deep equality, serialization, and Node subsystems over the bytes.
  yield ['assert.deepStrictEqual with a real Buffer', (b) => assert.deepStrictEqual(b, Buffer.from(b))];
  yield ['util.isDeepStrictEqual with a real Buffer', (b) => util.isDeepStrictEqual(b, Buffer.from(b))];
  yield ['v8.serialize', (b) => v8.serialize(b)];
  yield ['v8.deserialize(v8.serialize)', (b) => v8.deserialize(v8.serialize(b))];
  yield ['structuredClone', (b) => structuredClone(b)];
  yield ['sha256', (b) => crypto.createHash('sha256').update(b).digest('hex')];
  yield ['hmac of a subarray', (b) => crypto.createHmac('sha1', 'k').update(b.subarray(3, 30)).digest('base64')];
  yield ['randomFillSync leaves the length', (b) => crypto.randomFillSync(b.subarray(0, 0)).length];
  yield ['deflateSync', (b) => zlib.deflateSync(b)];
  yield ['gunzipSync(gzipSync)', (b) => zlib.gunzipSync(zlib.gzipSync(b))];
  yield ['inflateSync into a pooled result', (b) => zlib.inflateSync(zlib.deflateSync(b))];
  yield ['TextDecoder utf-8', (b) => new TextDecoder().decode(b)];
  yield ['TextDecoder utf-16le', (b) => new TextDecoder('utf-16le').decode(b)];
  yield ['TextDecoder latin1', (b) => new TextDecoder('latin1').decode(b)];
  yield ['TextEncoder.encodeInto', (b) => new TextEncoder().encodeInto('héllo', b)];
  yield ['btoa(latin1)', (b) => btoa(b.toString('latin1'))];
  yield ['buffer.transcode', (b) => require('node:buffer').transcode(b.subarray(0, 20), 'latin1', 'utf8')];
  yield ['isUtf8', (b) => require('node:buffer').isUtf8?.(b)];
  yield ['isAscii', (b) => require('node:buffer').isAscii?.(b)];
}

module.exports = { ENCODINGS, compare, steps };
