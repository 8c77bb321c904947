'use strict';
// MemoryReader: reads a Memory front to back without concatenating (GoMem
// MemoryReader). The position is a buffer index _i, the current buffer _cur
// and a byte _pos in it; _base is the absolute offset of _cur's first byte
// (counted like Memory._head). Hot paths read straight from _cur when the
// bytes lie inside it, each written out in its own method so V8 sees one
// small monomorphic function per read and no extra call; everything else
// takes the slow paths of lib/internal/memory_cursor.js.

const { Buffer } = require('node:buffer');
const { inspect } = require('node:util');
const { codes } = require('./internal/errors');
const { Memory, isMemory } = require('./memory');
const {
  EMPTY, MAX, SCRATCH, SMALL_COPY, checkCount, copyOut, gather, leb128BigInt, skipExhausted, slowLeb128, slowUInt, sync,
  views,
} = require('./internal/memory_cursor');
const { view } = require('./internal/pool_buffer');
const { viewBuffer, viewByteLength, viewByteOffset } = require('./internal/intrinsics');
const { isSize, isUint8Array, validateBuffer, validateFunction, validateInteger } = require('./internal/validators');

const {
  ERR_BUFFER_OUT_OF_BOUNDS, ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_INVALID_THIS,
} = codes;

// What _m holds until the constructor sets the reader's own Memory.
const NO_MEMORY = new Memory();

class MemoryReader {
  #brand = true;
  // Declared, so each is defined on the reader (never assigned through an
  // accessor a caller put on Object.prototype); all are set in the constructor,
  // in this order, so every reader has one shape. Each starts with a value of
  // the kind it will hold: numbers with a number, _m with a Memory. From
  // undefined, V8 would keep a number as a tagged value and record _m as
  // holding any value, and check either at every read (docs/design.md,
  // "Fields declared with a value of their kind").
  _m = NO_MEMORY;
  _i = -1;
  _cur = EMPTY;
  _pos = 0;
  _base = 0;
  _epoch = 0;

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
    sync(this);
    return this._m._size - (this._base + this._pos - this._m._head);
  }

  /** Bytes consumed since the memory's front (clipFront() brings it back to 0). */
  get offset() {
    MemoryReader.#check(this);
    sync(this);
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
    return slowUInt(this, 1, false);
  }

  readUInt8() {
    MemoryReader.#check(this);
    const b = this._cur;
    const pos = this._pos;
    if (pos < b.length && this._epoch === this._m._epoch) {
      this._pos = pos + 1;
      return b[pos];
    }
    return slowUInt(this, 1, false);
  }

  readUInt16BE() {
    MemoryReader.#check(this);
    const b = this._cur;
    const pos = this._pos;
    if (pos + 2 <= b.length && this._epoch === this._m._epoch) {
      this._pos = pos + 2;
      return (b[pos] << 8) | b[pos + 1];
    }
    return slowUInt(this, 2, false);
  }

  readUInt16LE() {
    MemoryReader.#check(this);
    const b = this._cur;
    const pos = this._pos;
    if (pos + 2 <= b.length && this._epoch === this._m._epoch) {
      this._pos = pos + 2;
      return b[pos] | (b[pos + 1] << 8);
    }
    return slowUInt(this, 2, true);
  }

  readUInt32BE() {
    MemoryReader.#check(this);
    const b = this._cur;
    const pos = this._pos;
    if (pos + 4 <= b.length && this._epoch === this._m._epoch) {
      this._pos = pos + 4;
      return b[pos] * 0x1000000 + ((b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3]);
    }
    return slowUInt(this, 4, false);
  }

  readUInt32LE() {
    MemoryReader.#check(this);
    const b = this._cur;
    const pos = this._pos;
    if (pos + 4 <= b.length && this._epoch === this._m._epoch) {
      this._pos = pos + 4;
      return (b[pos] | (b[pos + 1] << 8) | (b[pos + 2] << 16)) + b[pos + 3] * 0x1000000;
    }
    return slowUInt(this, 4, true);
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
    return slowUInt(this, n, false);
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
    return slowUInt(this, n, true);
  }

  readBigUInt64BE() {
    MemoryReader.#check(this);
    const b = this._cur;
    const pos = this._pos;
    if (pos + 8 <= b.length && this._epoch === this._m._epoch) {
      this._pos = pos + 8;
      return b.readBigUInt64BE(pos);
    }
    gather(this, 8);
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
    gather(this, 8);
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
    return slowLeb128(this);
  }

  /** Unsigned LEB128 up to 2^64-1 (at most 10 bytes), as a BigInt. */
  leb128BigInt() {
    MemoryReader.#check(this);
    return leb128BigInt(this);
  }

  // -------------------------------------------------------------------------
  // Bulk reads and moves
  // -------------------------------------------------------------------------

  /** Copies min(target.length, length) bytes into target; 0 at the end. */
  read(target) {
    MemoryReader.#check(this);
    if (!isUint8Array(target)) validateBuffer(target, 'target');
    const n = Math.min(viewByteLength(target), this.length); // intrinsic: no caller getter mid-read
    if (n !== 0) copyOut(this, n, target, 0);
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
    checkCount(this, n, 'n');
    const out = Buffer.allocUnsafe(n);
    if (n !== 0) copyOut(this, n, out, 0);
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
    checkCount(this, n, 'n');
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
    sync(this);
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
    sync(this);
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
    sync(this);
    skipExhausted(this);
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
    views(this, this.length, fn);
  }

  /** Hands the next n bytes to fn as views, one per buffer piece, and consumes them. */
  rangeN(n, fn) {
    MemoryReader.#check(this);
    checkCount(this, n, 'n');
    validateFunction(fn, 'fn');
    views(this, n, fn);
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
    sync(this);
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
      sync(this);
    }
  }

  [inspect.custom](depth, options) {
    if (depth < 0) return options.stylize('[MemoryReader]', 'special');
    return `MemoryReader { offset: ${this.offset}, length: ${this.length} }`;
  }
}

module.exports = { MemoryReader };
