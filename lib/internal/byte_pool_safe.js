'use strict';
// BytePool's safe mode (docs/design.md, Safe mode). Every slot handed out
// (get() and getBuffer()) has an ArrayBuffer of its own over it, the slab's
// per-slot view, and nothing else views it. put() and a release to zero
// poison the slot (SAFE_POISON) and hold it: it goes back to its tier's free
// list only when a FinalizationRegistry sees that ArrayBuffer collected, the
// one object every view of the bytes (and a socket write of them) keeps
// alive, and the slab confirms the slot's backing store is gone too: after
// ArrayBuffer#transfer a new ArrayBuffer reaches the bytes, so the slot waits
// (#pending, looked at again when a tier runs out, and by heldSize and trim)
// until that one is collected. The same path returns a slot that was never
// given back, as a leak.

const { codes, fromNative } = require('./errors');
const { isDetached, viewByteOffset } = require('./intrinsics');
const { arrayBufferOf, fresh } = require('./pool_buffer');
const { newPooledBuffer } = require('../pooled_buffer');
const { TrackedBuffer } = require('./leak_detector');
const { FREE, HELD, IN_USE, LOST } = require('./tier');

const { ERR_POOLMEM_DOUBLE_FREE, ERR_POOLMEM_REFCOUNT } = codes;

class SafeSlots {
  #core;
  #onLeak;    // (core, record) -> reports one leak (byte_pool.js)
  #registry = new FinalizationRegistry((record) => this.#collected(record));
  #pending = []; // collected records whose memory a transferred ArrayBuffer may still reach
  #held = 0;     // bytes of held slots

  constructor(core, onLeak) {
    this.#core = core;
    this.#onLeak = onLeak;
  }

  // A Buffer of `length` bytes over a fresh slot of `tier` with its own
  // ArrayBuffer; refs is the slot's starting count (1 for a PooledBuffer).
  #take(tier, length, refs, site) {
    const core = this.#core;
    if (tier.freeTop === 0 && this.#pending.length !== 0) this.settle();
    const slot = tier.take();
    const slab = tier.slabs[slot >>> tier.shift];
    let arrayBuffer;
    try {
      arrayBuffer = slab.handle.view((slot & (tier.perSlab - 1)) * tier.stride, tier.size, true);
    } catch (err) {
      tier.untake(slot); // a failed call changes nothing
      tier.free[tier.freeTop++] = slot;
      throw fromNative(err);
    }
    core.record(length);
    tier.refs[slot] = refs;
    const record = new TrackedBuffer(arrayBuffer, core, tier, slot, tier.gen[slot], length, site);
    this.#registry.register(arrayBuffer, record);
    return fresh(arrayBuffer, 0, length);
  }

  get(tier, length) {
    return this.#take(tier, length, 0, null);
  }

  getBuffer(tier, length, site) {
    const bytes = this.#take(tier, length, 1, site);
    const record = TrackedBuffer.of(arrayBufferOf(bytes));
    return newPooledBuffer(tier, record.slot, record.gen, bytes);
  }

  // put() of a view over a slot this pool handed out (record: its stamp).
  put(buf, record) {
    const { tier, slot } = record;
    if (tier.state[slot] !== IN_USE || tier.gen[slot] !== record.gen) {
      throw ERR_POOLMEM_DOUBLE_FREE(`the ${tier.size}-byte slot is already in the pool`);
    }
    if (tier.refs[slot] !== 0) throw ERR_POOLMEM_REFCOUNT('the buffer belongs to a PooledBuffer; call release() on it');
    if (viewByteOffset(buf) !== 0) { // a view inside the slot, not the buffer handed out
      this.#core.discarded++;
      return;
    }
    this.hold(tier, slot, buf);
  }

  // Frees a slot handed out as `bytes` (put, or a PooledBuffer's release to
  // zero): poisoned and held. A slot whose ArrayBuffer a caller transferred
  // (ArrayBuffer#transfer) is still reachable through the new one: lost,
  // never handed out again, as in fast mode.
  hold(tier, slot, bytes) {
    tier.gen[slot]++; // stale PooledBuffers see it released
    if (isDetached(arrayBufferOf(bytes))) {
      tier.state[slot] = LOST;
      tier.dropped++; // left use without a put
      return;
    }
    tier.slabs[slot >>> tier.shift].handle.poison((slot & (tier.perSlab - 1)) * tier.stride, tier.size);
    tier.state[slot] = HELD;
    tier.puts++;
    this.#held += tier.size;
  }

  // Bytes of held slots, after returning those now unreachable.
  get held() {
    if (this.#pending.length !== 0) this.settle();
    return this.#held;
  }

  // Returns pending slots whose backing store is gone.
  settle() {
    const pending = this.#pending;
    this.#pending = [];
    for (const record of pending) this.#collected(record);
  }

  // FinalizationRegistry callback: the slot's own ArrayBuffer is gone.
  #collected(record) {
    const { tier, slot } = record;
    const core = record.owner;
    const slab = tier.slabs[slot >>> tier.shift];
    if (!core.closed && slab !== null && slab.handle.reachable((slot & (tier.perSlab - 1)) * tier.stride)) {
      this.#pending.push(record); // transferred, or its native finalizer has not run yet
      return;
    }
    const state = tier.state[slot];
    if (state === HELD) {
      this.#held -= tier.size;
      if (core.closed) return; // its slab is gone
    } else if (state === IN_USE && tier.gen[slot] === record.gen && !core.closed) {
      tier.gen[slot]++; // never given back: a leak
      tier.refs[slot] = 0;
      tier.dropped++; // left use without a put
      core.leaks++;
      this.#onLeak(core, record);
    } else {
      return; // lost (transferred), or the pool is closed
    }
    tier.state[slot] = FREE;
    tier.free[tier.freeTop++] = slot;
  }
}

module.exports = { SafeSlots };
