'use strict';
// FrameReader: length-prefixed frames out of a byte stream, with no per-frame
// closure and no retained socket chunk. push(chunk) lends it a chunk; next()
// returns the next whole frame's payload: a view into the chunk when the
// frame lies inside it, or the frame assembled in pooled memory when it
// spans chunks (copied once, given back to the pool on the following next()
// or close()). When next() returns null the chunk is fully consumed (an
// incomplete frame has been copied out), so the caller may free or reuse the
// chunk at once: the reader never keeps a reference to it.

const { Buffer } = require('node:buffer');
const { codes } = require('./internal/errors');
const { accessFor } = require('./internal/pool_access');
const { ArrayBuffer, MathMin, Uint8Array, typedArraySet, viewByteLength } = require('./internal/intrinsics');
const { arrayBufferOf, byteOffsetOf, view } = require('./internal/pool_buffer');
const { isUint8Array, validateBuffer, validateInteger, validateOneOf, validateOptions } = require('./internal/validators');

const { ERR_INVALID_STATE, ERR_INVALID_THIS, ERR_OUT_OF_RANGE } = codes;
const EMPTY = new ArrayBuffer(0);

class FrameReader {
  #access;          // PoolAccess, or null: spanning frames go to Buffer.allocUnsafe
  #lengthBytes = 4;
  #max = 0;
  #chunk = null;    // the lent chunk, its ArrayBuffer, offset and read window
  #ab = EMPTY;
  #base = 0;
  #pos = 0;
  #end = 0;
  #header = 0;      // a length prefix split across chunks: value and bytes so far
  #headerGot = 0;
  #frame = null;    // a spanning frame being assembled, its length and bytes so far
  #frameLength = 0;
  #framePooled = false;
  #frameGot = 0;
  #lent = null;     // the assembled pooled frame last returned; given back next
  #source = null;   // where the frame advance() found lies: source[start, end)
  #start = 0;
  #sourceEnd = 0;
  #frames = 0;
  #assembled = 0;
  #fallbacks = 0;

  constructor(options = undefined) {
    const opts = validateOptions(options);
    this.#access = opts.pool === undefined || opts.pool === null ? null : accessFor(opts.pool, 'options.pool');
    this.#lengthBytes = opts.lengthBytes === undefined ? 4 : validateOneOf(opts.lengthBytes, 'options.lengthBytes', [1, 2, 4]);
    const limit = 2 ** (8 * this.#lengthBytes) - 1;
    this.#max = opts.maxFrameLength === undefined ? MathMin(limit, 64 * 1024 * 1024)
      : validateInteger(opts.maxFrameLength, 'options.maxFrameLength', 0, limit);
  }

  static #check(self) {
    if (self === null || typeof self !== 'object' || !(#lengthBytes in self)) throw ERR_INVALID_THIS('FrameReader');
  }

  /** Frames returned so far; of those, frames copied because they spanned chunks. */
  get frames() {
    FrameReader.#check(this);
    return this.#frames;
  }

  get assembled() {
    FrameReader.#check(this);
    return this.#assembled;
  }

  /** Spanning frames for which the pool had no memory (assembled in a plain Buffer). */
  get fallbacks() {
    FrameReader.#check(this);
    return this.#fallbacks;
  }

  /** Bytes of an incomplete frame held in the reader: its payload so far, or its length prefix so far. */
  get pending() {
    FrameReader.#check(this);
    return this.#headerGot + this.#frameGot;
  }

  /**
   * Lends the reader chunk[0, end). Call next() until it returns null before
   * the next push(); after that the reader holds no reference to chunk.
   */
  push(chunk, end = undefined) {
    FrameReader.#check(this);
    if (!isUint8Array(chunk)) validateBuffer(chunk, 'chunk');
    // The chunk's real length (an intrinsic read): a subclass's length getter
    // could claim more, and frames would then be views of bytes past the
    // chunk, perhaps another owner's in the same pool memory.
    const length = viewByteLength(chunk);
    if (end === undefined) end = length;
    else validateInteger(end, 'end', 0, length);
    if (this.#chunk !== null) throw ERR_INVALID_STATE('call next() until it returns null before push()');
    this.#chunk = chunk;
    this.#ab = arrayBufferOf(chunk);
    this.#base = byteOffsetOf(chunk);
    this.#pos = 0;
    this.#end = end;
  }

  /**
   * The next whole frame's payload, or null when the lent chunk is used up.
   * A view is valid as long as the chunk is; an assembled frame until the
   * next call to next(), advance() or close().
   */
  next() {
    FrameReader.#check(this);
    if (!this.advance()) return null;
    const source = this.#source;
    if (source !== this.#chunk) return source; // assembled: the whole buffer
    return view(this.#ab, this.#base + this.#start, this.#sourceEnd - this.#start);
  }

  /**
   * next() without making a view: true when a frame is ready, which then
   * lies in `source` from `start` to `end` (valid as next() says).
   */
  advance() {
    FrameReader.#check(this);
    if (this.#lent !== null) this.#giveBackLent();
    const chunk = this.#chunk;
    if (chunk === null) return false;
    if (this.#frame !== null) return this.#continueFrame();
    let pos = this.#pos;
    const end = this.#end;
    let length;
    if (this.#headerGot === 0 && end - pos >= this.#lengthBytes) {
      length = readPrefix(chunk, pos, this.#lengthBytes);
      pos += this.#lengthBytes;
    } else {
      while (this.#headerGot < this.#lengthBytes) {
        if (pos === end) return this.#release();
        this.#header = this.#header * 256 + chunk[pos++];
        this.#headerGot++;
      }
      length = this.#header;
      this.#header = 0;
      this.#headerGot = 0;
    }
    if (length > this.#max) {
      this.close();
      throw ERR_OUT_OF_RANGE('frame length', `<= ${this.#max}`, length);
    }
    if (end - pos >= length) {
      this.#pos = pos + length;
      this.#frames++;
      this.#source = chunk;
      this.#start = pos;
      this.#sourceEnd = pos + length;
      return true;
    }
    this.#pos = pos;
    this.#startFrame(length);
    return this.#continueFrame();
  }

  /** After advance() returned true: the Uint8Array holding the frame, and where. */
  get source() {
    FrameReader.#check(this);
    return this.#source;
  }

  get start() {
    FrameReader.#check(this);
    return this.#start;
  }

  get end() {
    FrameReader.#check(this);
    return this.#sourceEnd;
  }

  /** Gives back every pooled buffer it holds and forgets any partial frame; reusable afterwards. */
  close() {
    FrameReader.#check(this);
    if (this.#lent !== null) this.#giveBackLent();
    const frame = this.#frame;
    const pooled = this.#framePooled;
    this.#frame = null;
    this.#framePooled = false;
    this.#frameGot = 0;
    this.#header = 0;
    this.#headerGot = 0;
    this.#release();
    if (frame !== null && pooled) this.#access.give(frame);
  }

  #startFrame(length) {
    let frame = this.#access === null ? null : this.#access.take(length);
    this.#framePooled = frame !== null;
    if (frame === null) {
      if (this.#access !== null) this.#fallbacks++;
      frame = Buffer.allocUnsafe(length);
    }
    this.#frame = frame;
    this.#frameLength = length;
    this.#frameGot = 0;
  }

  #continueFrame() {
    const frame = this.#frame;
    const pos = this.#pos;
    const n = MathMin(this.#end - pos, this.#frameLength - this.#frameGot);
    // Copied through the %TypedArray%.prototype.set captured at load (Buffer#copy reads byteLength getters).
    typedArraySet(frame, new Uint8Array(this.#ab, this.#base + pos, n), this.#frameGot);
    this.#pos = pos + n;
    this.#frameGot += n;
    if (this.#frameGot < this.#frameLength) return this.#release();
    this.#source = frame;
    this.#start = 0;
    this.#sourceEnd = this.#frameLength;
    this.#frame = null;
    this.#frameGot = 0;
    this.#frames++;
    this.#assembled++;
    if (this.#framePooled) this.#lent = frame;
    this.#framePooled = false;
    return true;
  }

  #giveBackLent() {
    const lent = this.#lent;
    this.#lent = null;
    this.#access.give(lent);
  }

  // The chunk is used up: drop every reference to it.
  #release() {
    this.#chunk = null;
    this.#source = null;
    this.#ab = EMPTY;
    this.#base = 0;
    this.#pos = 0;
    this.#end = 0;
    return false;
  }
}

function readPrefix(b, pos, n) {
  if (n === 4) return b[pos] * 0x1000000 + ((b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3]);
  if (n === 2) return (b[pos] << 8) | b[pos + 1];
  return b[pos];
}

module.exports = { FrameReader };
