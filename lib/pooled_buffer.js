'use strict';
// PooledBuffer: a reference-counted BytePool buffer (bytepool's Buffer, with
// Netty's rules). The count starts at 1; the release that brings it
// to zero returns the memory; retain after zero and release below zero throw
// ERR_POOLMEM_REFCOUNT. A pooled buffer's count lives in its tier's typed
// arrays, keyed by slot and checked against the slot's generation, not on this
// object, so the leak detector can read it without keeping anything alive.

const { codes } = require('./internal/errors');

const { ERR_ILLEGAL_CONSTRUCTOR, ERR_INVALID_THIS, ERR_POOLMEM_REFCOUNT } = codes;

const kToken = Symbol('PooledBuffer');
const MAX_COUNT = 0x7fffffff;

class PooledBuffer {
  #tier;   // the BytePool tier (Tier, lib/internal/tier.js), or null for an unpooled buffer
  #slot = 0;
  #gen = 0; // the slot's generation when handed out; any release to zero bumps it
  #count = 0; // unpooled buffers only
  #bytes;

  constructor(token, tier, slot, gen, bytes) {
    if (token !== kToken) throw ERR_ILLEGAL_CONSTRUCTOR();
    this.#tier = tier;
    this.#slot = slot;
    this.#gen = gen;
    this.#count = 1;
    this.#bytes = bytes;
  }

  static #check(self) {
    if (self === null || typeof self !== 'object' || !(#slot in self)) throw ERR_INVALID_THIS('PooledBuffer');
  }

  // The Buffer; throws once the count has reached zero.
  get bytes() {
    PooledBuffer.#check(this);
    if (this.#bytes === undefined) throw ERR_POOLMEM_REFCOUNT('the buffer was released (refCount: 0)');
    return this.#bytes;
  }

  get refCount() {
    PooledBuffer.#check(this);
    const tier = this.#tier;
    if (tier === null) return this.#count;
    return tier.gen[this.#slot] === this.#gen ? tier.refs[this.#slot] : 0;
  }

  retain() {
    PooledBuffer.#check(this);
    const count = this.refCount;
    if (count === 0) throw ERR_POOLMEM_REFCOUNT('retain after release (refCount: 0, increment: 1)');
    if (count >= MAX_COUNT) throw ERR_POOLMEM_REFCOUNT(`refCount: ${count}, increment: 1`);
    if (this.#tier === null) this.#count = count + 1;
    else this.#tier.refs[this.#slot] = count + 1;
    return this;
  }

  // True when this release returned the memory.
  release() {
    PooledBuffer.#check(this);
    const tier = this.#tier;
    if (tier === null) {
      if (this.#count === 0) throw ERR_POOLMEM_REFCOUNT('release below zero (refCount: 0, decrement: 1)');
      if (--this.#count !== 0) return false;
      this.#bytes = undefined;
      return true;
    }
    const slot = this.#slot;
    if (tier.gen[slot] !== this.#gen) throw ERR_POOLMEM_REFCOUNT('release below zero (refCount: 0, decrement: 1)');
    const count = tier.refs[slot] - 1;
    tier.refs[slot] = count;
    if (count !== 0) return false;
    const bytes = this.#bytes;
    this.#bytes = undefined;
    if (tier.core.safe !== null) tier.core.safe.hold(tier, slot, bytes); // poisoned, held until collected
    else tier.releaseBytes(slot, bytes);
    return true;
  }

  // Retains, and returns the bytes with a function that releases once; later
  // calls of that function do nothing.
  borrow() {
    PooledBuffer.#check(this);
    this.retain();
    const bytes = this.#bytes;
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      this.release();
    };
    return [bytes, release];
  }

  [Symbol.dispose]() {
    PooledBuffer.#check(this);
    this.release();
  }
}

function newPooledBuffer(tier, slot, gen, bytes) {
  return new PooledBuffer(kToken, tier, slot, gen, bytes);
}

module.exports = { PooledBuffer, newPooledBuffer };
