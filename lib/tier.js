'use strict';
// The per-tier machinery of BytePool (lib/byte_pool.js): slabs,
// slots, their typed-array state, and the unforgeable stamps that map a
// Buffer or ArrayBuffer back to its slot. A tier carves fixed-size,
// 16-byte-aligned slots from slabs it owns (native SlabHandle); slot id =
// slab index * perSlab + index in the slab, perSlab a power of two.

const { constants } = require('node:buffer');
const binding = require('./binding');
const { codes, fromNative } = require('./errors');
const { isDetached, stampKind, viewByteLength, viewByteOffset } = require('./intrinsics');
const { arrayBufferOf, view } = require('./pool_buffer');
const { ZERO_FILL, zeroFill } = require('./zero_fill');

const { ERR_POOLMEM_OUT_OF_MEMORY } = codes;

const SLOT_ALIGN = 16;
const SLAB_BYTES = 256 * 1024; // a slab holds a power-of-two slot count, at most this many bytes
const RECENT = 256;            // recentLengths ring
const SAMPLE_INTERVAL = 128;   // leakDetection 'sample': one getBuffer in 128 on average
const NO_SLAB = 0;
const FREE = 1;
const IN_USE = 2;
const LOST = 3; // its memory was transferred to a caller's ArrayBuffer: never reused
const HELD = 4; // safe mode: freed and poisoned until its ArrayBuffer is collected (lib/byte_pool_safe.js)

// ---- stamps (lib/intrinsics.js) ----------------------------------------------

// A slab's chunk ArrayBuffer -> its SlabRecord.
const SlabStamp = stampKind();
// A Buffer view the pool made over a slot -> that slot's SlotRecord. put()
// of such a view needs no .buffer / .byteOffset reads (~8-13 ns each on
// Node 20: they are not inlined); subarrays are not stamped and take the
// slab path.
const ViewStamp = stampKind();
// A leak-tracked slot's own ArrayBuffer -> its TrackedRecord.
const TrackedStamp = stampKind();

// ---- per-pool state ------------------------------------------------------------

class SlabRecord {
  constructor(core, tier, handle, chunk, index, slots, bytes) {
    this.core = core;
    this.tier = tier;
    this.handle = handle;
    this.chunk = chunk;
    this.base = index << tier.shift; // first slot id
    this.index = index;
    this.slots = slots;              // carved slots (fewer than perSlab only under maxSize)
    this.bytes = bytes;
    this.closed = false;
  }
}

class SlotRecord {
  constructor(core, tier, slab, slot) {
    this.core = core;
    this.tier = tier;
    this.slab = slab;
    this.slot = slot;
  }
}

class TrackedRecord {
  constructor(core, tier, slot, gen, length, site) {
    this.core = core;
    this.tier = tier;
    this.slot = slot;
    this.gen = gen;
    this.length = length;
    this.site = site; // an object holding the allocation stack (paranoid), or null
  }
}

// Counters and settings shared by a pool's tiers.
class Core {
  constructor(maxSize, leakMode) {
    this.maxSize = maxSize;
    this.leakMode = leakMode;
    this.closed = false;
    this.reserved = 0;
    this.totalGet = 0;
    this.totalPut = 0;
    this.discarded = 0;
    this.leaks = 0;
    this.recent = new Float64Array(RECENT);
    this.recentCount = 0;
    this.sampleCountdown = nextSample();
    this.reportedSites = new Set();
    this.registry = null; // FinalizationRegistry, made on first tracked buffer
    this.safe = null;     // safe mode: its SafeSlots (lib/byte_pool_safe.js)
  }

  record(length) {
    this.recent[this.recentCount & (RECENT - 1)] = length;
    this.recentCount++;
  }
}

// One tier: slots of `size` bytes, `stride` apart, `perSlab` (a power of two)
// to a slab. Slot id = slab index * perSlab + slot index in the slab.
class Tier {
  constructor(core, size) {
    this.core = core;
    this.size = size;
    this.stride = Math.ceil(size / SLOT_ALIGN) * SLOT_ALIGN;
    this.strideShift = (this.stride & (this.stride - 1)) === 0 ? 31 - Math.clz32(this.stride) : -1;
    const fit = Math.max(1, Math.floor(SLAB_BYTES / this.stride));
    this.shift = 31 - Math.clz32(fit);
    this.perSlab = 1 << this.shift;
    this.slabs = [];
    this.state = new Uint8Array(0);
    this.gen = new Uint32Array(0);
    this.refs = new Int32Array(0);
    this.free = new Int32Array(0);
    this.freeTop = 0;
    this.views = [];   // cached full-length view per slot
    this.records = []; // SlotRecord per slot, shared by every view of it
    this.gets = 0;
    this.puts = 0;
    this.inUse = 0;
  }

  // A free slot id, now in use. Throws ERR_POOLMEM_OUT_OF_MEMORY and changes
  // nothing when a new slab is needed and refused.
  take() {
    if (this.freeTop === 0) this.addSlab();
    const slot = this.free[--this.freeTop];
    this.state[slot] = IN_USE;
    this.inUse++;
    this.gets++;
    this.core.totalGet++;
    return slot;
  }

  // Back to the free list; bumps the generation so stale PooledBuffers see it.
  release(slot) {
    this.state[slot] = FREE;
    this.gen[slot]++;
    this.free[this.freeTop++] = slot;
    this.inUse--;
    this.puts++;
    this.core.totalPut++;
  }

  // release() for a slot handed out as `bytes`. A leak-tracked slot's own
  // ArrayBuffer that is detached while the pool is open was transferred by a
  // caller (ArrayBuffer#transfer): the new ArrayBuffer still reaches the
  // bytes, so the slot is lost, never handed out again (its slab is never trimmed).
  releaseBytes(slot, bytes) {
    const arrayBuffer = arrayBufferOf(bytes);
    if (!this.core.closed && TrackedStamp.of(arrayBuffer) !== undefined && isDetached(arrayBuffer)) {
      this.state[slot] = LOST;
      this.gen[slot]++;
      this.inUse--;
      return;
    }
    this.release(slot);
  }

  // A Buffer of `length` bytes over the slot, being handed out: the cached
  // view at full length; zero-filled under --zero-fill-buffers.
  bufferOf(slot, length) {
    let buf;
    if (length === this.size) {
      buf = this.views[slot];
      if (buf === undefined) buf = this.views[slot] = this.viewOf(slot, length);
    } else {
      buf = this.viewOf(slot, length);
    }
    return ZERO_FILL ? zeroFill(buf) : buf;
  }

  viewOf(slot, length) {
    let record = this.records[slot];
    if (record === undefined) {
      record = this.records[slot] = new SlotRecord(this.core, this, this.slabs[slot >>> this.shift], slot);
    }
    const buf = view(record.slab.chunk, (slot & (this.perSlab - 1)) * this.stride, length);
    new ViewStamp(buf, record); // eslint-disable-line no-new
    return buf;
  }

  // The slot a buffer returned by put() stands for, or -1 when it is not the
  // start of a slot of this slab (or runs past the slot).
  slotOf(slab, buf) {
    const offset = viewByteOffset(buf); // intrinsic: an integer >= 0, no caller code

    let index;
    if (this.strideShift >= 0) {
      if ((offset & (this.stride - 1)) !== 0) return -1;
      index = offset >>> this.strideShift;
    } else {
      index = offset / this.stride;
      if (index !== Math.floor(index)) return -1;
    }
    if (index >= slab.slots || viewByteLength(buf) > this.size) return -1;
    return slab.base + index;
  }

  addSlab() {
    const core = this.core;
    let slots = this.perSlab;
    let bytes = slots * this.stride;
    if (core.reserved + bytes > core.maxSize) {
      slots = Math.floor((core.maxSize - core.reserved) / this.stride);
      if (slots < 1) {
        throw ERR_POOLMEM_OUT_OF_MEMORY(
          `a ${this.size}-byte slot does not fit under maxSize (${core.maxSize} bytes, ${core.reserved} reserved)`);
      }
      bytes = slots * this.stride;
    }
    let handle;
    try {
      handle = new binding.SlabHandle(bytes, false);
    } catch (err) {
      throw fromNative(err);
    }
    let index = this.slabs.indexOf(null);
    if (index < 0) index = this.slabs.length;
    this.ensureCapacity((index + 1) << this.shift);
    const chunk = handle.chunk();
    const slab = new SlabRecord(core, this, handle, chunk, index, slots, bytes);
    new SlabStamp(chunk, slab); // eslint-disable-line no-new
    this.slabs[index] = slab;
    // Lowest offset on top, so a fresh slab is used front to back.
    for (let i = slots - 1; i >= 0; i--) {
      this.state[slab.base + i] = FREE;
      this.free[this.freeTop++] = slab.base + i;
    }
    core.reserved += bytes;
  }

  ensureCapacity(slots) {
    if (this.state.length >= slots) return;
    const size = Math.max(slots, this.state.length * 2);
    const grow = (Type, old) => {
      const next = new Type(size);
      next.set(old);
      return next;
    };
    this.state = grow(Uint8Array, this.state);
    this.gen = grow(Uint32Array, this.gen);
    this.refs = grow(Int32Array, this.refs);
    this.free = grow(Int32Array, this.free);
    while (this.views.length < size) this.views.push(undefined); // packed, never sparse
    while (this.records.length < size) this.records.push(undefined);
  }

  // Unmaps every slab whose slots are all free; returns the bytes released.
  trim() {
    let released = 0;
    for (const slab of this.slabs) {
      if (slab === null) continue;
      let busy = false;
      for (let i = 0; i < slab.slots && !busy; i++) busy = this.state[slab.base + i] !== FREE;
      if (busy) continue;
      for (let i = 0; i < slab.slots; i++) {
        this.state[slab.base + i] = NO_SLAB;
        this.views[slab.base + i] = undefined;
        this.records[slab.base + i] = undefined;
      }
      this.closeSlab(slab);
      this.slabs[slab.index] = null;
      released += slab.bytes;
    }
    if (released === 0) return 0;
    let top = 0;
    for (let i = 0; i < this.freeTop; i++) {
      if (this.state[this.free[i]] === FREE) this.free[top++] = this.free[i];
    }
    this.freeTop = top;
    this.core.reserved -= released;
    return released;
  }

  closeSlab(slab) {
    slab.closed = true;
    slab.handle.close(); // outstanding views read length 0; unmapped on a later turn
  }

  close() {
    for (const slab of this.slabs) if (slab !== null) this.closeSlab(slab);
  }
}

function nextSample() {
  return 1 + Math.floor(Math.random() * (2 * SAMPLE_INTERVAL - 1));
}

module.exports = {
  Core, FREE, HELD, IN_USE, LOST, MAX_LENGTH: constants.MAX_LENGTH, RECENT, SlabStamp, Tier, TrackedRecord, TrackedStamp, ViewStamp,
  nextSample,
};
