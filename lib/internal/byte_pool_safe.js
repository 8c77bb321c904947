'use strict';
// BytePool's safe mode (docs/design.md, Safe mode). Every slot handed out
// (get() and getBuffer()) has an ArrayBuffer of its own over it, the slab's
// per-slot view, and nothing else views it. put() and a release to zero
// poison the slot (SAFE_POISON) and hold it: it goes back to its tier's free
// list only when that ArrayBuffer's native finalizer has run, which is when
// its backing store is gone (after ArrayBuffer#transfer, the new
// ArrayBuffer's): nothing, a socket write included, can reach the bytes. The
// finalizer leaves the slot id in the tier's native ledger; the next get or
// put of that tier (and heldSize, trim) drains it here. No FinalizationRegistry:
// its cleanup task can hang V8's environment teardown on Node 20 before 20.20.
// The same path returns a slot that was never given back, as a leak.

const binding = require('./binding');
const { codes, fromNative } = require('./errors');
const { Uint32Array, isDetached, noObjectPrototype, ownArray, viewByteOffset } = require('./intrinsics');
const { arrayBufferOf, fresh } = require('./pool_buffer');
const { newPooledBuffer } = require('../pooled_buffer');
const { TrackedBuffer } = require('./leak_detector');
const { FREE, HELD, IN_USE, LOST } = require('./tier');

const { ERR_POOLMEM_DOUBLE_FREE, ERR_POOLMEM_REFCOUNT } = codes;

// One tier's safe-mode state: its native ledger and, per slot handed out,
// the record a leak report needs.
class SafeTier {
  constructor() {
    this.ledger = new binding.SlabLedgerHandle();
    this.pending = new Uint32Array(this.ledger.count()); // [0]: slot ids in the ledger, not yet drained
    this.records = ownArray();
  }
}
noObjectPrototype(SafeTier);

class SafeSlots {
  #core;
  #onLeak;    // (core, record) -> reports one leak (byte_pool.js)
  #tiers = ownArray(); // every SafeTier made
  #held = 0;   // bytes of held slots

  constructor(core, onLeak) {
    this.#core = core;
    this.#onLeak = onLeak;
  }

  #of(tier) {
    let safe = tier.safe;
    if (safe === null) {
      safe = tier.safe = new SafeTier();
      this.#tiers[this.#tiers.length] = tier;
    }
    return safe;
  }

  // A Buffer of `length` bytes over a fresh slot of `tier` with its own
  // ArrayBuffer; refs is the slot's starting count (1 for a PooledBuffer).
  #take(tier, length, refs, site) {
    const core = this.#core;
    const safe = this.#of(tier);
    if (safe.pending[0] !== 0) this.#drain(tier);
    const slot = tier.take();
    const slab = tier.slabs[slot >>> tier.shift];
    let arrayBuffer;
    try {
      arrayBuffer = slab.handle.view((slot & (tier.perSlab - 1)) * tier.stride, tier.size, safe.ledger, slot);
    } catch (err) {
      tier.untake(slot); // a failed call changes nothing
      tier.free[tier.freeTop++] = slot;
      throw fromNative(err);
    }
    core.record(length);
    tier.refs[slot] = refs;
    const record = new TrackedBuffer(arrayBuffer, core, tier, slot, tier.gen[slot], length, site);
    const records = safe.records;
    while (records.length <= slot) records[records.length] = undefined; // packed, never sparse
    safe.records[slot] = record;
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
    if (tier.safe.pending[0] !== 0) this.#drain(tier); // never this slot: its buffer is alive
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
  // (ArrayBuffer#transfer) is reachable through the new one: lost, freed by
  // nobody and not poisoned, until that one's finalizer returns it.
  hold(tier, slot, bytes) {
    tier.endHandout(slot); // stale PooledBuffers see it released
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
    this.settle();
    return this.#held;
  }

  // Returns every slot whose ArrayBuffer has been finalized.
  settle() {
    for (let i = 0; i < this.#tiers.length; i++) if (this.#tiers[i].safe.pending[0] !== 0) this.#drain(this.#tiers[i]);
  }

  // The slots the tier's ledger names: their ArrayBuffer's backing store is
  // gone, so nothing reaches their bytes. Each slot has one such ArrayBuffer
  // at a time (it comes back to the free list only here), so its state says
  // what happened to it.
  #drain(tier) {
    const core = this.#core;
    const records = tier.safe.records;
    const drained = tier.safe.ledger.drain();
    for (let i = 0; i < drained.length; i++) {
      const slot = drained[i];
      const state = tier.state[slot];
      const record = records[slot];
      records[slot] = undefined;
      if (state === HELD) {
        this.#held -= tier.size;
      } else if (state === IN_USE && !core.closed) {
        tier.endHandout(slot); // never given back: a leak
        tier.refs[slot] = 0;
        tier.dropped++; // left use without a put
        core.leaks++;
        this.#onLeak(core, record);
      } else if (state !== LOST || core.closed) {
        continue; // the pool is closed: its slabs are gone
      }
      if (core.closed) continue;
      tier.state[slot] = FREE;
      tier.free[tier.freeTop++] = slot;
    }
  }
}
noObjectPrototype(SafeSlots);

module.exports = { SafeSlots };
