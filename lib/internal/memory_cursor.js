'use strict';
// How a MemoryReader (lib/memory_reader.js) moves across its Memory's buffers
// off the hot paths: re-finding a stale position, reads that cross a buffer
// boundary, bulk copies and views. Each works on locals and commits the
// reader's position (_i, _cur, _pos, _base) at the end, so a failed read
// consumes nothing.

const { Buffer } = require('node:buffer');
const { codes } = require('./errors');
const { viewBuffer, viewByteOffset } = require('./intrinsics');
const { view } = require('./pool_buffer');
const { isSize, validateInteger } = require('./validators');

const { ERR_BUFFER_OUT_OF_BOUNDS, ERR_POOLMEM_INVALID_LEB128 } = codes;

const MAX = Number.MAX_SAFE_INTEGER;
const EMPTY = Buffer.alloc(0);
// Cross-boundary 64-bit reads gather their bytes here. Nothing can run
// between filling and reading it, so one per thread is enough.
const SCRATCH = Buffer.alloc(8);
// Below this many bytes a copy loop beats Buffer#copy (which makes a view).
const SMALL_COPY = 32;

// Bytes left to read.
function remaining(r) {
  return r._m._size - (r._base + r._pos - r._m._head);
}

// If the memory changed other than by appending, re-finds the position
// from its absolute offset (clamped to the memory).
function sync(r) {
  const m = r._m;
  if (r._epoch === m._epoch) return;
  let rel = r._base + r._pos - m._head;
  if (rel < 0) rel = 0;
  else if (rel > m._size) rel = m._size;
  const bufs = m._buffers;
  let i = -1; let b = EMPTY; let base = m._head;
  while (i + 1 < bufs.length && rel > b.length) {
    rel -= b.length; base += b.length; b = bufs[++i];
  }
  r._i = i; r._cur = b; r._pos = rel; r._base = base;
  r._epoch = m._epoch;
}

// Moves past exhausted and empty buffers while a later one exists.
function skipExhausted(r) {
  const bufs = r._m._buffers;
  while (r._pos >= r._cur.length && r._i + 1 < bufs.length) {
    r._base += r._cur.length;
    r._cur = bufs[++r._i];
    r._pos = 0;
  }
}

// n must be a size no larger than what is left.
function checkCount(r, n, name) {
  sync(r);
  const left = remaining(r);
  if (!isSize(n, MAX) || n > left) validateInteger(n, name, 0, left);
}

// 1..6 bytes that cross a boundary (or a stale position): byte by byte on
// locals, committed at the end.
function slowUInt(r, n, le) {
  sync(r);
  if (remaining(r) < n) throw ERR_BUFFER_OUT_OF_BOUNDS();
  const bufs = r._m._buffers;
  let b = r._cur; let pos = r._pos; let i = r._i; let base = r._base;
  let v = 0; let mul = 1;
  for (let k = 0; k < n; k++) {
    while (pos >= b.length) {
      // Only a buffer that shrank under us (detached) can make this fail.
      if (i + 1 >= bufs.length) throw ERR_BUFFER_OUT_OF_BOUNDS();
      base += b.length; b = bufs[++i]; pos = 0;
    }
    const x = b[pos++];
    if (le) {
      v += x * mul;
      mul *= 256;
    } else {
      v = v * 256 + x;
    }
  }
  r._i = i; r._cur = b; r._pos = pos; r._base = base;
  return v;
}

// Consumes the next n (<= 8) bytes into SCRATCH, or throws consuming nothing.
function gather(r, n) {
  sync(r);
  if (remaining(r) < n) throw ERR_BUFFER_OUT_OF_BOUNDS();
  copyOut(r, n, SCRATCH, 0);
}

// Copies and consumes the next n bytes; the caller has checked they exist.
// Works on locals and commits at the end, so a throw consumes nothing.
function copyOut(r, n, target, at) {
  const bufs = r._m._buffers;
  let b = r._cur; let pos = r._pos; let i = r._i; let base = r._base;
  while (n > 0) {
    if (pos >= b.length) {
      // Only a buffer that shrank under us (detached) can make this fail.
      if (i + 1 >= bufs.length) throw ERR_BUFFER_OUT_OF_BOUNDS();
      base += b.length; b = bufs[++i]; pos = 0;
      continue;
    }
    const k = Math.min(n, b.length - pos);
    if (k < SMALL_COPY) {
      for (let j = 0; j < k; j++) target[at + j] = b[pos + j];
    } else {
      b.copy(target, at, pos, pos + k);
    }
    at += k; pos += k; n -= k;
  }
  r._i = i; r._cur = b; r._pos = pos; r._base = base;
}

function slowLeb128(r) {
  sync(r);
  const bufs = r._m._buffers;
  let b = r._cur; let pos = r._pos; let i = r._i; let base = r._base;
  let v = 0; let mul = 1;
  for (let k = 0; k < 8; k++) {
    while (pos >= b.length) {
      if (i + 1 >= bufs.length) throw ERR_BUFFER_OUT_OF_BOUNDS();
      base += b.length; b = bufs[++i]; pos = 0;
    }
    const x = b[pos++];
    if (k === 7 && x > 0x0f) throw invalidLeb128(x, 8, '2^53 - 1');
    v += (x & 0x7f) * mul;
    if (x < 0x80) {
      r._i = i; r._cur = b; r._pos = pos; r._base = base;
      return v;
    }
    mul *= 128;
  }
  throw invalidLeb128(0x80, 8, '2^53 - 1'); // unreachable: k === 7 returns or throws
}

// n bytes (checked) to fn as views; the position moves before each call,
// so a throwing fn leaves its piece consumed.
function views(r, n, fn) {
  while (n > 0) {
    skipExhausted(r);
    const b = r._cur;
    const pos = r._pos;
    // Only fn changing the memory under us can leave nothing here.
    if (pos >= b.length) throw ERR_BUFFER_OUT_OF_BOUNDS();
    const k = Math.min(n, b.length - pos);
    r._pos = pos + k;
    n -= k;
    fn(view(viewBuffer(b), viewByteOffset(b) + pos, k));
    sync(r);
  }
}

// Unsigned LEB128 up to 2^64-1 (at most 10 bytes), as a BigInt.
function leb128BigInt(r) {
  sync(r);
  const bufs = r._m._buffers;
  let b = r._cur; let pos = r._pos; let i = r._i; let base = r._base;
  let lo = 0; let hi = 0; let mul = 1;
  for (let k = 0; ; k++) {
    while (pos >= b.length) {
      if (i + 1 >= bufs.length) throw ERR_BUFFER_OUT_OF_BOUNDS();
      base += b.length; b = bufs[++i]; pos = 0;
    }
    const x = b[pos++];
    if (k === 9 && x > 1) throw invalidLeb128(x, 10, '2^64 - 1');
    if (k === 7) mul = 1; // bytes 7..9 go to hi, bits 49..63
    if (k < 7) lo += (x & 0x7f) * mul;
    else hi += (x & 0x7f) * mul;
    mul *= 128;
    if (x < 0x80) {
      r._i = i; r._cur = b; r._pos = pos; r._base = base;
      return hi === 0 ? BigInt(lo) : (BigInt(hi) << 49n) + BigInt(lo);
    }
  }
}

function invalidLeb128(lastByte, maxBytes, max) {
  return lastByte >= 0x80
    ? ERR_POOLMEM_INVALID_LEB128(`it does not end within ${maxBytes} bytes`)
    : ERR_POOLMEM_INVALID_LEB128(`the value exceeds ${max}`);
}

module.exports = {
  EMPTY, MAX, SCRATCH, SMALL_COPY, checkCount, copyOut, gather, leb128BigInt, skipExhausted, slowLeb128, slowUInt, sync,
  views,
};
