'use strict';
// The per-tier machinery of BytePool (lib/byte_pool.js): slabs,
// slots, their typed-array state, and the unforgeable stamps that map a
// Buffer or ArrayBuffer back to its slot. A tier carves fixed-size,
// 16-byte-aligned slots from slabs it owns (native SlabHandle); slot id =
// slab index * perSlab + index in the slab, perSlab a power of two.

const { constants } = require('node:buffer');
const binding = require('./binding');
const { codes, fromNative } = require('./errors');
const {
  ArrayPrototypeIndexOf, Float64Array, Int32Array, MathCeil, MathClz32, MathFloor, MathMax, SafeWeakRef, Uint8Array,
  isDetached, noObjectPrototype, ownArray, viewByteLength, viewByteOffset,
} = require('./intrinsics');
const { TrackedBuffer } = require('./leak_detector');
const { grown } = require('./typed_arrays');
const { GEN_MASK, arrayBufferOf, detachProbe, restamp, slotView } = require('./pool_buffer');
const { SlabStamp } = require('./stamps');
const { ZERO_FILL, zeroFill } = require('./zero_fill');

const { ERR_POOLMEM_OUT_OF_MEMORY } = codes;

const SLOT_ALIGN = 16;
const SLAB_BYTES = 256 * 1024; // a slab holds a power-of-two slot count, at most this many bytes
const RECENT = 256;            // recentLengths ring
const HOT_STREAK = 8;          // gets of one length in a row that make it a tier's cached length
const NO_SLAB = 0;
const FREE = 1;
const IN_USE = 2;
// Held by nobody, yet a caller's ArrayBuffer may still reach its memory (a
// transferred per-slot ArrayBuffer, or a whole slab's transferred chunk):
// never handed out until the native side says that memory is unreachable.
const LOST = 3;
const HELD = 4; // safe mode: freed and poisoned until its ArrayBuffer is collected (lib/internal/byte_pool_safe.js)
// A slot's generation moves in steps of 2, so it is always even; a view over a
// slot handed out by getBuffer() carries generation + COUNTED, which no slot
// generation equals, so put()'s one generation test also refuses a counted
// buffer's bytes and leaves the reference count off its fast path.
// Generations step by 2 and wrap below 2^30 (GEN_MASK, pool_buffer.js).
const GEN_STEP = 2;
const COUNTED = 1;

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
    this.lost = false; // a caller transferred the chunk: its memory is no longer the pool's
    // probe[0] is undefined exactly when the chunk is detached (closed, or
    // transferred by a caller): a check that runs no caller code.
    this.probe = detachProbe(chunk);
  }
}
noObjectPrototype(SlabRecord);

// Counters and settings shared by a pool's tiers.
class Core {
  constructor(maxSize, leakDetector) {
    this.maxSize = maxSize;
    this.leakDetector = leakDetector; // lib/internal/leak_detector.js
    this.leakMode = leakDetector.level;
    this.closed = false;
    this.reserved = 0;
    this.discarded = 0;
    this.leaks = 0;
    this.recent = new Float64Array(RECENT);
    this.recentCount = 0;
    this.sampleCountdown = leakDetector.nextCountdown();
    this.safe = null;     // safe mode: its SafeSlots (lib/internal/byte_pool_safe.js)
  }

  record(length) {
    this.recent[this.recentCount & (RECENT - 1)] = length;
    this.recentCount++;
  }
}
noObjectPrototype(Core);

// One tier: slots of `size` bytes, `stride` apart, `perSlab` (a power of two)
// to a slab. Slot id = slab index * perSlab + slot index in the slab.
class Tier {
  constructor(core, size) {
    this.core = core;
    this.size = size;
    this.stride = MathCeil(size / SLOT_ALIGN) * SLOT_ALIGN;
    this.strideShift = (this.stride & (this.stride - 1)) === 0 ? 31 - MathClz32(this.stride) : -1;
    const fit = MathMax(1, MathFloor(SLAB_BYTES / this.stride));
    this.shift = 31 - MathClz32(fit);
    this.perSlab = 1 << this.shift;
    this.slabs = ownArray();
    this.capacity = 0; // of the per-slot arrays: a number, as a typed array's .length is a getter a caller can replace
    this.state = new Uint8Array(0);
    // Per slot, bumped when a handout ends (endHandout()): stale
    // PooledBuffers and slot views (their record holds the generation they
    // were handed out at) see it. It wraps after 2^29 handouts of the slot: a
    // view kept exactly that many handouts is not told from the current one.
    this.gen = new Int32Array(0);
    this.refs = new Int32Array(0);
    this.free = new Int32Array(0);
    this.freeTop = 0;
    this.views = ownArray();   // per slot: its cached view (bufferOf())
    this.viewLengths = new Float64Array(0); // and that view's length
    this.hotLength = -1; // a length below size that the cache serves too
    this.lastLength = -1;
    this.streak = 0;     // gets of lastLength in a row, uncached
    this.tracked = ownArray(); // per slot: a WeakRef to its last leak-tracked ArrayBuffer, released, for reuse
    this.pending = ownArray(); // LOST slots that may come back (lose())
    this.safe = null;  // safe mode: its SafeTier (lib/byte_pool_safe.js)
    this.gets = 0;
    this.puts = 0;
    this.dropped = 0; // slots that left use without a put (lose(), loseSlab())
  }

  // ---- slots: taken and given back ----

  // Slots handed out and not yet back (counted, not kept: one increment per
  // get and one per put is all the hot path pays).
  get inUse() {
    return this.gets - this.puts - this.dropped;
  }

  // A free slot id, now in use. Throws ERR_POOLMEM_OUT_OF_MEMORY and changes
  // nothing when a new slab is needed and refused. Its slab's chunk may have
  // been transferred since the slot was freed: bufferOf() checks.
  take() {
    if (this.freeTop === 0) {
      if (this.pending.length !== 0) this.reclaimPending();
      if (this.freeTop === 0) this.addSlab();
    }
    const slot = this.free[--this.freeTop];
    this.state[slot] = IN_USE;
    this.gets++;
    return slot;
  }

  // take() from a slab whose chunk a caller has not transferred.
  takeChecked() {
    for (;;) {
      const slot = this.take();
      const slab = this.slabs[slot >>> this.shift];
      if (slab.probe[0] !== undefined) return slot;
      this.untake(slot);
      this.loseSlab(slab);
    }
  }

  // Undoes take()'s counts; the caller frees or loses the slot.
  untake(slot) {
    this.gets--;
    this.state[slot] = FREE;
  }

  // Back to the free list; bumps the generation so stale PooledBuffers and
  // views see it.
  release(slot) {
    this.state[slot] = FREE;
    this.gen[slot] = (this.gen[slot] + GEN_STEP) & GEN_MASK; // endHandout(), written out for put()'s inlining budget
    this.free[this.freeTop++] = slot;
    this.puts++;
  }

  // The slot's handout is over, however it ended: a new generation.
  endHandout(slot) {
    this.gen[slot] = (this.gen[slot] + GEN_STEP) & GEN_MASK;
  }

  // release() for a slot handed out as `bytes` (a PooledBuffer's). A
  // leak-tracked slot's own ArrayBuffer that is detached while the pool is
  // open was transferred by a caller (ArrayBuffer#transfer): the new
  // ArrayBuffer still reaches the bytes, so the slot is lost until that one
  // is gone too. Otherwise the tracked ArrayBuffer stays with the slot for
  // its next tracked get: a new one per tracked get made V8 count its bytes
  // as external memory again (the chunk's ArrayBuffer counts them already),
  // and at 1 MiB slots that meant a full GC every few dozen gets. It stays
  // weakly: the pools' one FinalizationRegistry holds its record, which names
  // this tier, so a strong reference here would keep the ArrayBuffer, its
  // registration, the pool and its slabs alive for the life of the process.
  // A full GC may take it (a new one then, at most one per slot per full GC).
  releaseBytes(slot, bytes) {
    if (this.slabs[slot >>> this.shift].lost) return; // freed by nobody (loseSlab)
    const arrayBuffer = arrayBufferOf(bytes);
    if (!this.core.closed && TrackedBuffer.of(arrayBuffer) !== undefined) {
      if (isDetached(arrayBuffer)) {
        this.lose(slot);
        return;
      }
      this.tracked[slot] = new SafeWeakRef(arrayBuffer);
    }
    this.release(slot);
  }

  // The slot's last leak-tracked ArrayBuffer (releaseBytes()), taken from
  // it, if the garbage collector has not taken it first; else undefined.
  takeTracked(slot) {
    const ref = this.tracked[slot];
    if (ref === undefined) return undefined;
    this.tracked[slot] = undefined;
    return ref.deref();
  }

  // ---- memory a caller's ArrayBuffer may still reach ----

  // The slot is held by nobody, but a per-slot ArrayBuffer over it may still
  // reach its memory (transferred, or collected but not yet finalized): it
  // waits in `pending` until the native side says no ArrayBuffer made at its
  // offset is alive (reclaimPending).
  lose(slot) {
    this.state[slot] = LOST;
    this.endHandout(slot);
    this.dropped++;
    this.pending[this.pending.length] = slot;
  }

  // Pending slots whose memory nothing reaches any more go back to the free
  // list. Slow path: when the free list is empty, and in trim().
  reclaimPending() {
    let kept = 0;
    const pending = this.pending;
    for (let i = 0; i < pending.length; i++) {
      const slot = pending[i];
      const slab = this.slabs[slot >>> this.shift];
      if (slab.lost || this.state[slot] !== LOST) continue;
      if (slab.handle.live((slot & (this.perSlab - 1)) * this.stride)) {
        this.pending[kept++] = slot;
      } else {
        this.state[slot] = FREE;
        this.free[this.freeTop++] = slot;
      }
    }
    this.pending.length = kept;
  }

  // A caller transferred the slab's chunk (ArrayBuffer#transfer): the new
  // ArrayBuffer reaches all of its memory, so none of its slots is handed out
  // again and none comes back; its buffers still out are freed by nobody.
  // It stays in `slabs` (its index is never reused, so no stale slot id can
  // name a new slab's slot) and is no longer counted as the pool's.
  loseSlab(slab) {
    slab.lost = true;
    for (let i = 0; i < slab.slots; i++) {
      const slot = slab.base + i;
      if (this.state[slot] === IN_USE) this.dropped++;
      this.state[slot] = LOST;
      this.views[slot] = undefined;
      this.tracked[slot] = undefined;
    }
    let top = 0;
    for (let i = 0; i < this.freeTop; i++) {
      if (this.state[this.free[i]] === FREE) this.free[top++] = this.free[i];
    }
    this.freeTop = top;
    this.core.reserved -= slab.bytes;
  }

  // ---- views ----

  // A Buffer of `length` bytes over the slot, being handed out, zero-filled
  // under --zero-fill-buffers. At the tier's size or its hot length (one
  // that HOT_STREAK gets in a row asked for: a server's fixed frame size) it
  // is the slot's cached view when that has the length (as with
  // Buffer.allocUnsafe's shared slab, a view kept after put() sees the next
  // owner's data, so handing the same object out again gives nobody more
  // than they had). Other lengths get a new view that is not cached: with
  // lengths that change on every call, storing each in the long-lived cache
  // costs a write barrier and keeps it alive into the old generation, for no
  // hit (measured: 3-8 ns a pair). The cached length sits in a typed array:
  // a caller may have given the view an own `length`, and no caller code runs here.
  // A cached view handed out again takes the slot's generation now: it is
  // the new handout's (a holder who kept it after put() holds the new
  // owner's buffer, as with Go's sync.Pool); every other view of the slot
  // keeps the generation of a handout that has ended. (Kept small: V8
  // inlines get() whole into a caller's loop only while the bytecode of
  // everything it inlines stays under a budget.)
  bufferOf(slot, length) {
    let buf;
    if (length === this.size || length === this.hotLength) {
      buf = this.views[slot];
      if (buf === undefined || this.viewLengths[slot] !== length) {
        buf = this.views[slot] = this.viewOf(slot, length);
        this.viewLengths[slot] = length;
      } else {
        restamp(buf, this.gen[slot]);
      }
    } else {
      buf = this.viewOf(slot, length);
      this.noteLength(length);
    }
    // Element 0 reads undefined only on a detached view (length >= 1): the
    // chunk was transferred by a caller. No caller code runs in an element read.
    if (buf[0] === undefined) return this.retake(slot, length);
    return ZERO_FILL ? zeroFill(buf) : buf;
  }

  // bufferOf() for a PooledBuffer's bytes, from a slot takeChecked() chose
  // (so no retake() to another slot): stamped gen + COUNTED.
  countedBufferOf(slot, length) {
    const buf = this.bufferOf(slot, length);
    restamp(buf, this.gen[slot] | COUNTED);
    return buf;
  }

  // bufferOf() found the slot's slab chunk transferred: the slab is lost and
  // the buffer comes from another slot, as if take() had never chosen this one.
  retake(slot, length) {
    this.untake(slot);
    this.loseSlab(this.slabs[slot >>> this.shift]);
    return this.bufferOf(this.take(), length);
  }

  noteLength(length) {
    if (length !== this.lastLength) {
      this.lastLength = length;
      this.streak = 0;
    } else if (++this.streak === HOT_STREAK) {
      this.hotLength = length;
    }
  }

  // A new view; over a detached chunk, the slab's detached probe instead
  // (constructing a view over it would throw an uncoded TypeError).
  viewOf(slot, length) {
    const slab = this.slabs[slot >>> this.shift];
    if (slab.probe[0] === undefined) return slab.probe;
    return slotView(slab.chunk, (slot & (this.perSlab - 1)) * this.stride, length, slot, this.gen[slot]);
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
      if (index !== MathFloor(index)) return -1;
    }
    if (index >= slab.slots || viewByteLength(buf) > this.size) return -1;
    return slab.base + index;
  }

  // ---- slabs ----

  addSlab() {
    const core = this.core;
    let slots = this.perSlab;
    let bytes = slots * this.stride;
    if (core.reserved + bytes > core.maxSize) {
      slots = MathFloor((core.maxSize - core.reserved) / this.stride);
      if (slots < 1) {
        throw ERR_POOLMEM_OUT_OF_MEMORY(
          `a ${this.size}-byte slot does not fit under maxSize (${core.maxSize} bytes, ${core.reserved} reserved)`);
      }
      bytes = slots * this.stride;
    }
    let handle;
    try {
      handle = new binding.SlabHandle({ size: bytes, hugePages: false });
    } catch (err) {
      throw fromNative(err);
    }
    let index = ArrayPrototypeIndexOf(this.slabs, null);
    if (index < 0) index = this.slabs.length;
    this.ensureCapacity((index + 1) << this.shift);
    const chunk = handle.chunk();
    const slab = new SlabRecord(core, this, handle, chunk, index, slots, bytes);
    new SlabStamp(chunk, slab);
    this.slabs[index] = slab;
    // Lowest offset on top, so a fresh slab is used front to back.
    for (let i = slots - 1; i >= 0; i--) {
      this.state[slab.base + i] = FREE;
      this.free[this.freeTop++] = slab.base + i;
    }
    core.reserved += bytes;
  }

  ensureCapacity(slots) {
    if (this.capacity >= slots) return;
    const size = MathMax(slots, this.capacity * 2);
    this.capacity = size;
    this.state = grown(this.state, size);
    this.gen = grown(this.gen, size);
    this.refs = grown(this.refs, size);
    this.free = grown(this.free, size);
    this.viewLengths = grown(this.viewLengths, size);
    const views = this.views;
    const tracked = this.tracked;
    while (views.length < size) views[views.length] = undefined; // packed, never sparse
    while (tracked.length < size) tracked[tracked.length] = undefined;
  }

  // Unmaps every slab whose slots are all free; returns the bytes released.
  trim() {
    if (this.pending.length !== 0) this.reclaimPending();
    let released = 0;
    for (let s = 0; s < this.slabs.length; s++) {
      const slab = this.slabs[s];
      if (slab === null || slab.lost) continue;
      let busy = false;
      for (let i = 0; i < slab.slots && !busy; i++) busy = this.state[slab.base + i] !== FREE;
      if (busy) continue;
      for (let i = 0; i < slab.slots; i++) {
        this.state[slab.base + i] = NO_SLAB;
        this.views[slab.base + i] = undefined;
        this.tracked[slab.base + i] = undefined;
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
    for (let s = 0; s < this.slabs.length; s++) if (this.slabs[s] !== null) this.closeSlab(this.slabs[s]);
    this.tracked = ownArray();
  }
}
noObjectPrototype(Tier);

module.exports = {
  COUNTED, Core, FREE, HELD, IN_USE, LOST, MAX_LENGTH: constants.MAX_LENGTH, RECENT, SlabStamp, Tier,
};
