'use strict';
// PooledMemory: a Memory over any pool (BytePool, Arena, ScalableAllocator)
// that owns the buffers nextN() took and addRecycleBytes() was given, and
// gives each back whole once MemoryReader#clipFront() has dropped its last
// byte, or all at once on recycle(). This is how clipped pieces go back to a
// BytePool: put() takes a slot's buffer (or a prefix of it), never the
// pieces clipFront() cuts, so the original buffer is remembered here and put
// when nothing of it is left in the list.

const { Buffer } = require('node:buffer');
const { codes } = require('./internal/errors');
const { Memory } = require('./memory');
const { accessFor } = require('./internal/pool_access');
const { ArrayPrototypeSplice, ownArray, viewByteLength } = require('./internal/intrinsics');
const { arrayBufferOf, byteOffsetOf } = require('./internal/pool_buffer');
const { isSize, isUint8Array, validateBuffer, validateInteger } = require('./internal/validators');

const { ERR_INVALID_THIS } = codes;
const MAX_REQUEST = 2 ** 32;

class PooledMemory extends Memory {
  #access;
  #owned = ownArray(); // buffers to give back, in push order
  #fallbacks = 0;

  constructor(pool) {
    super();
    this.#access = accessFor(pool, 'pool');
  }

  static #check(self) {
    if (self === null || typeof self !== 'object' || !(#owned in self)) throw ERR_INVALID_THIS('PooledMemory');
  }

  /** nextN() calls the pool could not serve (they got an unpooled Buffer). */
  get fallbacks() {
    PooledMemory.#check(this);
    return this.#fallbacks;
  }

  /** Takes size bytes from the pool (an unpooled Buffer when it is full), pushes and returns them. */
  nextN(size) {
    PooledMemory.#check(this);
    if (!isSize(size, MAX_REQUEST)) validateInteger(size, 'size', 0, MAX_REQUEST);
    let buf = size === 0 ? null : this.#access.take(size);
    if (buf === null) {
      if (size !== 0) this.#fallbacks++;
      buf = Buffer.allocUnsafe(size);
    } else {
      const owned = this.#owned;
      owned[owned.length] = buf;
    }
    this.pushOne(buf);
    return buf;
  }

  /** Pushes a buffer taken from the same pool; it is given back with the others. */
  addRecycleBytes(buf) {
    PooledMemory.#check(this);
    if (!isUint8Array(buf)) validateBuffer(buf, 'buf');
    this.pushOne(buf);
    const owned = this.#owned;
    if (viewByteLength(buf) !== 0) owned[owned.length] = buf;
  }

  /** Gives back every buffer still owned, then reset(). */
  recycle() {
    PooledMemory.#check(this);
    const owned = this.#owned;
    this.#owned = ownArray();
    this.reset();
    let failed = false;
    let error;
    for (let i = 0; i < owned.length; i++) {
      try {
        this.#access.give(owned[i]);
      } catch (err) {
        if (!failed) error = err;
        failed = true;
      }
    }
    if (failed) throw error;
  }

  [Symbol.dispose]() {
    PooledMemory.#check(this);
    this.recycle();
  }

  // clipFront dropped `piece` whole: the original buffer, or the view of its
  // rest an earlier clipFront left. Either way it ends where the original
  // ends, and nothing of the original is left in the list.
  _onClipFront(piece) {
    PooledMemory.#check(this);
    const owned = this.#owned;
    const ab = arrayBufferOf(piece);
    const end = byteOffsetOf(piece) + viewByteLength(piece);
    for (let i = 0; i < owned.length; i++) {
      const o = owned[i];
      if (arrayBufferOf(o) !== ab || byteOffsetOf(o) + viewByteLength(o) !== end) continue;
      ArrayPrototypeSplice(owned, i, 1);
      this.#access.give(o);
      return;
    }
  }
}

module.exports = { PooledMemory };
