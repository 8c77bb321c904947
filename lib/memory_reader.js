'use strict';
// MemoryReader: reads a Memory front to back without concatenating (GoMem
// MemoryReader). The position is a buffer index _i, the current buffer _cur
// and a byte _pos in it; _base is the absolute offset of _cur's first byte
// (counted like Memory._head). Hot paths read straight from _cur when the
// bytes lie inside it; everything else takes the slow paths, which work on
// locals and commit at the end, so a failed read consumes nothing.
// Over 400 lines on purpose: each read keeps its own inline fast path, so V8
// sees one small monomorphic function per read and no extra call.

const { Buffer } = require('node:buffer');
const { inspect } = require('node:util');
const { codes } = require('./errors');
const { Memory, isMemory } = require('./memory');
const { view } = require('./pool_buffer');
const { viewBuffer, viewByteLength, viewByteOffset } = require('./intrinsics');
const { isSize, isUint8Array, validateBuffer, validateFunction, validateInteger } = require('./validators');

const {
  ERR_BUFFER_OUT_OF_BOUNDS, ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_INVALID_THIS,
  ERR_POOLMEM_INVALID_LEB128,
} = codes;

const MAX = Number.MAX_SAFE_INTEGER;
const EMPTY = Buffer.alloc(0);
// Cross-boundary 64-bit reads gather their bytes here. Nothing can run
// between filling and reading it, so one per thread is enough.
const SCRATCH = Buffer.alloc(8);
// Below this many bytes a copy loop beats Buffer#copy (which makes a view).
const SMALL_COPY = 32;

class MemoryReader {
  #brand = true;

  constructor(source, ...more) {
    let mem;
    if (isMemory(source)) {
      if (more.length !== 0) throw ERR_INVALID_ARG_VALUE('more', more, 'must be empty when source is a Memory');
      mem = source;
    } else if (isUint8Array(source)) {
      mem = new Memory(source, ...more);
    } else {
      throw ERR_INVALID_ARG_TYPE('source', 'an instance of Memory, Buffer or Uint8Array', source);
    }
    // All fields are set here, in this order, so every reader has one shape.
    this._m = mem;
    this._i = -1;
    this._cur = EMPTY;
    this._pos = 0;
    this._base = mem._head;
    this._epoch = mem._epoch;
  }

  static #check(self) {
    if (self === null || typeof self !== 'object' || !(#brand in self)) throw ERR_INVALID_THIS('MemoryReader');
  }

  /** Bytes left to read, including bytes pushed into the memory after this reader was made. */
  get length() {
    MemoryReader.#check(this);
    this.#sync();
    return this._m._size - (this._base + this._pos - this._m._head);
  }

  /** Bytes consumed since the memory's front (clipFront() brings it back to 0). */
  get offset() {
    MemoryReader.#check(this);
    this.#sync();
    return this._base + this._pos - this._m._head;
  }

  // -------------------------------------------------------------------------
  // Hot paths: bytes inside the current buffer. Each falls back to a slow
  // path that also checks the receiver and re-finds a stale position.
  // -------------------------------------------------------------------------

  readByte() {
    MemoryReader.#check(this);
    const b = this._cur;
    const pos = this._pos;
    if (pos < b.length && this._epoch === this._m._epoch) {
      this._pos = pos + 1;
      return b[pos];
    }
    return this.#slowUInt(1, false);
  }

  readUInt8() {
    MemoryReader.#check(this);
    const b = this._cur;
    const pos = this._pos;
    if (pos < b.length && this._epoch === this._m._epoch) {
      this._pos = pos + 1;
      return b[pos];
    }
    return this.#slowUInt(1, false);
  }

  readUInt16BE() {
    MemoryReader.#check(this);
    const b = this._cur;
    const pos = this._pos;
    if (pos + 2 <= b.length && this._epoch === this._m._epoch) {
      this._pos = pos + 2;
      return (b[pos] << 8) | b[pos + 1];
    }
    return this.#slowUInt(2, false);
  }

  readUInt16LE() {
    MemoryReader.#check(this);
    const b = this._cur;
    const pos = this._pos;
    if (pos + 2 <= b.length && this._epoch === this._m._epoch) {
      this._pos = pos + 2;
      return b[pos] | (b[pos + 1] << 8);
    }
    return this.#slowUInt(2, true);
  }

  readUInt32BE() {
    MemoryReader.#check(this);
    const b = this._cur;
    const pos = this._pos;
    if (pos + 4 <= b.length && this._epoch === this._m._epoch) {
      this._pos = pos + 4;
      return b[pos] * 0x1000000 + ((b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3]);
    }
    return this.#slowUInt(4, false);
  }

  readUInt32LE() {
    MemoryReader.#check(this);
    const b = this._cur;
    const pos = this._pos;
    if (pos + 4 <= b.length && this._epoch === this._m._epoch) {
      this._pos = pos + 4;
      return (b[pos] | (b[pos + 1] << 8) | (b[pos + 2] << 16)) + b[pos + 3] * 0x1000000;
    }
    return this.#slowUInt(4, true);
  }

  /** 1..6 bytes, big-endian, unsigned. */
  readBE(n) {
    MemoryReader.#check(this);
    if (!(n >= 1 && n <= 6 && (n | 0) === n)) validateInteger(n, 'n', 1, 6);
    const b = this._cur;
    const pos = this._pos;
    if (pos + n <= b.length && this._epoch === this._m._epoch) {
      let v = b[pos];
      for (let k = 1; k < n; k++) v = v * 256 + b[pos + k];
      this._pos = pos + n;
      return v;
    }
    return this.#slowUInt(n, false);
  }

  /** 1..6 bytes, little-endian, unsigned. */
  readLE(n) {
    MemoryReader.#check(this);
    if (!(n >= 1 && n <= 6 && (n | 0) === n)) validateInteger(n, 'n', 1, 6);
    const b = this._cur;
    const pos = this._pos;
    if (pos + n <= b.length && this._epoch === this._m._epoch) {
      let v = b[pos + n - 1];
      for (let k = n - 2; k >= 0; k--) v = v * 256 + b[pos + k];
      this._pos = pos + n;
      return v;
    }
    return this.#slowUInt(n, true);
  }

  readBigUInt64BE() {
    MemoryReader.#check(this);
    const b = this._cur;
    const pos = this._pos;
    if (pos + 8 <= b.length && this._epoch === this._m._epoch) {
      this._pos = pos + 8;
      return b.readBigUInt64BE(pos);
    }
    this.#gather(8);
    return SCRATCH.readBigUInt64BE(0);
  }

  readBigUInt64LE() {
    MemoryReader.#check(this);
    const b = this._cur;
    const pos = this._pos;
    if (pos + 8 <= b.length && this._epoch === this._m._epoch) {
      this._pos = pos + 8;
      return b.readBigUInt64LE(pos);
    }
    this.#gather(8);
    return SCRATCH.readBigUInt64LE(0);
  }

  /**
   * Unsigned LEB128 up to 2^53-1 (at most 8 bytes). Non-minimal encodings
   * within 8 bytes are accepted, as WebAssembly and DWARF do; a value that
   * does not end within 8 bytes or exceeds 2^53-1 throws
   * ERR_POOLMEM_INVALID_LEB128, and a truncated one ERR_BUFFER_OUT_OF_BOUNDS.
   */
  leb128() {
    MemoryReader.#check(this);
    const b = this._cur;
    const pos = this._pos;
    // One to four bytes inside the current buffer: 28 bits, int32 math.
    if (pos + 4 <= b.length && this._epoch === this._m._epoch) {
      let x = b[pos];
      if (x < 0x80) {
        this._pos = pos + 1;
        return x;
      }
      let v = x & 0x7f;
      x = b[pos + 1];
      v |= (x & 0x7f) << 7;
      if (x < 0x80) {
        this._pos = pos + 2;
        return v;
      }
      x = b[pos + 2];
      v |= (x & 0x7f) << 14;
      if (x < 0x80) {
        this._pos = pos + 3;
        return v;
      }
      x = b[pos + 3];
      if (x < 0x80) {
        this._pos = pos + 4;
        return v | (x << 21);
      }
    }
    return this.#slowLeb128();
  }

  /** Unsigned LEB128 up to 2^64-1 (at most 10 bytes), as a BigInt. */
  leb128BigInt() {
    MemoryReader.#check(this);
    this.#sync();
    const bufs = this._m._buffers;
    let b = this._cur; let pos = this._pos; let i = this._i; let base = this._base;
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
        this._i = i; this._cur = b; this._pos = pos; this._base = base;
        return hi === 0 ? BigInt(lo) : (BigInt(hi) << 49n) + BigInt(lo);
      }
    }
  }

  // -------------------------------------------------------------------------
  // Bulk reads and moves
  // -------------------------------------------------------------------------

  /** Copies min(target.length, length) bytes into target; 0 at the end. */
  read(target) {
    MemoryReader.#check(this);
    if (!isUint8Array(target)) validateBuffer(target, 'target');
    const n = Math.min(viewByteLength(target), this.length); // intrinsic: no caller getter mid-read
    if (n !== 0) this.#copyOut(n, target, 0);
    return n;
  }

  /** The next n bytes as a new Buffer (a copy). */
  readBytes(n) {
    MemoryReader.#check(this);
    const b = this._cur;
    const pos = this._pos;
    if (isSize(n, MAX) && pos + n <= b.length && this._epoch === this._m._epoch) {
      const out = Buffer.allocUnsafe(n);
      if (n < SMALL_COPY) {
        for (let j = 0; j < n; j++) out[j] = b[pos + j];
      } else {
        b.copy(out, 0, pos, pos + n);
      }
      this._pos = pos + n;
      return out;
    }
    this.#checkCount(n, 'n');
    const out = Buffer.allocUnsafe(n);
    if (n !== 0) this.#copyOut(n, out, 0);
    return out;
  }

  skip(n) {
    MemoryReader.#check(this);
    if (isSize(n, MAX)) {
      const pos = this._pos;
      if (pos + n <= this._cur.length && this._epoch === this._m._epoch) {
        this._pos = pos + n;
        return;
      }
    }
    this.#checkCount(n, 'n');
    const bufs = this._m._buffers;
    let b = this._cur; let pos = this._pos; let i = this._i; let base = this._base;
    while (n > b.length - pos) {
      if (i + 1 >= bufs.length) throw ERR_BUFFER_OUT_OF_BOUNDS(); // a buffer shrank (detached)
      n -= b.length - pos;
      base += b.length; b = bufs[++i]; pos = 0;
    }
    this._i = i; this._cur = b; this._pos = pos + n; this._base = base;
  }

  /** Moves back n bytes (n <= offset). */
  unread(n) {
    MemoryReader.#check(this);
    this.#sync();
    const offset = this._base + this._pos - this._m._head;
    if (!isSize(n, MAX) || n > offset) validateInteger(n, 'n', 0, offset);
    const bufs = this._m._buffers;
    let b = this._cur; let pos = this._pos; let i = this._i; let base = this._base;
    while (n > pos) {
      n -= pos;
      b = bufs[--i]; pos = b.length; base -= b.length;
    }
    this._i = i; this._cur = b; this._pos = pos - n; this._base = base;
  }

  moveToEnd() {
    MemoryReader.#check(this);
    this.#sync();
    const m = this._m;
    const bufs = m._buffers;
    if (bufs.length === 0) return;
    const b = bufs[bufs.length - 1];
    this._i = bufs.length - 1; this._cur = b; this._pos = b.length;
    this._base = m._head + m._size - b.length;
  }

  /** The unread rest of the current buffer as a view (empty at the end); consumes nothing. */
  current() {
    MemoryReader.#check(this);
    this.#sync();
    this.#skipExhausted();
    const b = this._cur;
    return view(viewBuffer(b), viewByteOffset(b) + this._pos, viewByteLength(b) - this._pos);
  }

  // -------------------------------------------------------------------------
  // Views and clipping
  // -------------------------------------------------------------------------

  /** Hands the rest to fn as views, one per non-empty buffer piece, and consumes it. */
  range(fn) {
    MemoryReader.#check(this);
    validateFunction(fn, 'fn');
    this.#views(this.length, fn);
  }

  /** Hands the next n bytes to fn as views, one per buffer piece, and consumes them. */
  rangeN(n, fn) {
    MemoryReader.#check(this);
    this.#checkCount(n, 'n');
    validateFunction(fn, 'fn');
    this.#views(n, fn);
  }

  /**
   * Removes the consumed prefix from the memory: whole buffers are dropped
   * (and passed to the memory's _onClipFront hook), a partly read buffer is
   * replaced by a view of its rest. fn, if given, sees each removed piece.
   * Afterwards offset is 0; other readers of the memory keep their place.
   */
  clipFront(fn = undefined) {
    MemoryReader.#check(this);
    if (fn !== undefined) validateFunction(fn, 'fn');
    this.#sync();
    const m = this._m;
    if (this._base + this._pos === m._head) return;
    const whole = this._pos === this._cur.length ? this._i + 1 : this._i;
    const prefix = this._pos === this._cur.length ? 0 : this._pos;
    const pos = this._base + this._pos;
    try {
      m._clipFront(whole, prefix, fn);
    } finally {
      // Re-find the position (the new front), whatever fn did to the memory.
      this._i = -1; this._cur = EMPTY; this._pos = 0;
      this._base = pos;
      this._epoch = m._epoch - 1;
      this.#sync();
    }
  }

  [inspect.custom](depth, options) {
    if (depth < 0) return options.stylize('[MemoryReader]', 'special');
    return `MemoryReader { offset: ${this.offset}, length: ${this.length} }`;
  }

  // -------------------------------------------------------------------------
  // Slow paths
  // -------------------------------------------------------------------------

  // Checks the receiver and, if the memory changed other than by appending,
  // re-finds the position from its absolute offset (clamped to the memory).
  #sync() {
    const m = this._m;
    if (this._epoch === m._epoch) return;
    let rel = this._base + this._pos - m._head;
    if (rel < 0) rel = 0;
    else if (rel > m._size) rel = m._size;
    const bufs = m._buffers;
    let i = -1; let b = EMPTY; let base = m._head;
    while (i + 1 < bufs.length && rel > b.length) {
      rel -= b.length; base += b.length; b = bufs[++i];
    }
    this._i = i; this._cur = b; this._pos = rel; this._base = base;
    this._epoch = m._epoch;
  }

  // Moves past exhausted and empty buffers while a later one exists.
  #skipExhausted() {
    const bufs = this._m._buffers;
    while (this._pos >= this._cur.length && this._i + 1 < bufs.length) {
      this._base += this._cur.length;
      this._cur = bufs[++this._i];
      this._pos = 0;
    }
  }

  #left() {
    return this._m._size - (this._base + this._pos - this._m._head);
  }

  // n must be a size no larger than what is left.
  #checkCount(n, name) {
    this.#sync();
    const left = this.#left();
    if (!isSize(n, MAX) || n > left) validateInteger(n, name, 0, left);
  }

  // 1..6 bytes that cross a boundary (or a stale position): byte by byte on
  // locals, committed at the end.
  #slowUInt(n, le) {
    this.#sync();
    if (this.#left() < n) throw ERR_BUFFER_OUT_OF_BOUNDS();
    const bufs = this._m._buffers;
    let b = this._cur; let pos = this._pos; let i = this._i; let base = this._base;
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
    this._i = i; this._cur = b; this._pos = pos; this._base = base;
    return v;
  }

  // Consumes the next n (<= 8) bytes into SCRATCH, or throws consuming nothing.
  #gather(n) {
    this.#sync();
    if (this.#left() < n) throw ERR_BUFFER_OUT_OF_BOUNDS();
    this.#copyOut(n, SCRATCH, 0);
  }

  // Copies and consumes the next n bytes; the caller has checked they exist.
  // Works on locals and commits at the end, so a throw consumes nothing.
  #copyOut(n, target, at) {
    const bufs = this._m._buffers;
    let b = this._cur; let pos = this._pos; let i = this._i; let base = this._base;
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
    this._i = i; this._cur = b; this._pos = pos; this._base = base;
  }

  #slowLeb128() {
    this.#sync();
    const bufs = this._m._buffers;
    let b = this._cur; let pos = this._pos; let i = this._i; let base = this._base;
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
        this._i = i; this._cur = b; this._pos = pos; this._base = base;
        return v;
      }
      mul *= 128;
    }
    throw invalidLeb128(0x80, 8, '2^53 - 1'); // unreachable: k === 7 returns or throws
  }

  // n bytes (checked) to fn as views; the position moves before each call,
  // so a throwing fn leaves its piece consumed.
  #views(n, fn) {
    while (n > 0) {
      this.#skipExhausted();
      const b = this._cur;
      const pos = this._pos;
      // Only fn changing the memory under us can leave nothing here.
      if (pos >= b.length) throw ERR_BUFFER_OUT_OF_BOUNDS();
      const k = Math.min(n, b.length - pos);
      this._pos = pos + k;
      n -= k;
      fn(view(viewBuffer(b), viewByteOffset(b) + pos, k));
      this.#sync();
    }
  }
}

function invalidLeb128(lastByte, maxBytes, max) {
  return lastByte >= 0x80
    ? ERR_POOLMEM_INVALID_LEB128(`it does not end within ${maxBytes} bytes`)
    : ERR_POOLMEM_INVALID_LEB128(`the value exceeds ${max}`);
}

module.exports = { MemoryReader };
