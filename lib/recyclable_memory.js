'use strict';
// RecyclableMemory: a Memory whose buffers come from one ScalableAllocator and
// go back in one recycle() call (GoMem's RecyclableMemory), with its bugs
// fixed: recycle() frees exactly what nextN() allocated and addRecycleBytes()
// was given (a ledger kept apart from the buffer list,
// so clipFront, updateBuffer and hand-pushed buffers cannot make it free the
// wrong thing), and entries from before an allocator-wide recycle() or
// close() are void. Fast-mode entries live in a Float64Array of (handle,
// length, block, generation) quadruples: a block of the allocator's size-class
// cache goes back through it, like free() of its view (no native call); other
// ranges (views the allocator did not make) are freed by one native call. A sampled RecyclableMemory (leak
// detection) allocates tracked buffers under a group id: if it becomes
// unreachable without recycle(), the allocator returns its buffers once no
// view can reach them and reports it once.

const { Memory, wrap } = require('./memory');
const { codes } = require('./errors');
const { viewByteLength } = require('./intrinsics');
const { CHUNK_LIMIT } = require('./native_contract');
const { internals } = require('./scalable_allocator');
const { isSize, isUint8Array, validateBuffer, validateInteger } = require('./validators');

const { ERR_INVALID_ARG_TYPE, ERR_INVALID_THIS, ERR_POOLMEM_DOUBLE_FREE } = codes;
const MAX_REQUEST = CHUNK_LIMIT; // ScalableAllocator's largest request
const I = internals();

// What recycle() frees: fast-mode (handle, length, block, generation) entries
// (block -1: a plain range) and tracked (ArrayBuffer, offset, length) triples,
// valid for one allocator epoch.
class Ledger {
  static ENTRY = 4; // numbers per fast-mode entry in slots
  slots = new Float64Array(64);
  count = 0;
  ranges = 0; // entries with block -1: recycle() must settle the cache for them
  tracked = null;
  epoch = -1;

  #sync(epoch) {
    if (epoch === this.epoch) return;
    this.clear(); // recorded before the allocator's recycle()/close(): already free
    this.epoch = epoch;
  }

  add(handle, length, block, gen, epoch) {
    if (epoch !== this.epoch) this.#sync(epoch);
    let slots = this.slots;
    const i = this.count * Ledger.ENTRY;
    if (i === slots.length) {
      slots = new Float64Array(i * 2);
      slots.set(this.slots);
      this.slots = slots;
    }
    slots[i] = handle;
    slots[i + 1] = length;
    slots[i + 2] = block;
    slots[i + 3] = gen;
    this.count++;
    if (block < 0) this.ranges++;
  }

  // Drops entry i (the last one takes its place).
  remove(i) {
    const s = this.slots;
    const at = i * Ledger.ENTRY;
    const last = (this.count - 1) * Ledger.ENTRY;
    if (s[at + 2] < 0) this.ranges--;
    for (let k = 0; k < Ledger.ENTRY; k++) s[at + k] = s[last + k];
    this.count--;
  }

  addTracked(arrayBuffer, offset, length, epoch) {
    if (epoch !== this.epoch) this.#sync(epoch);
    if (this.tracked === null) this.tracked = [];
    this.tracked.push(arrayBuffer, offset, length);
  }

  clear() {
    this.count = 0;
    this.ranges = 0;
    this.tracked = null;
  }
}

class RecyclableMemory extends Memory {
  #allocator;
  #group; // leak-detection group id, 0 when this memory is not tracked
  #ledger = new Ledger();

  constructor(allocator) {
    super();
    try {
      I.check(allocator);
    } catch {
      throw ERR_INVALID_ARG_TYPE('allocator', 'an instance of ScalableAllocator', allocator);
    }
    this.#allocator = allocator;
    this.#group = I.newGroup(allocator);
  }

  static #check(self) {
    if (self === null || typeof self !== 'object' || !(#ledger in self)) throw ERR_INVALID_THIS('RecyclableMemory');
  }

  /** The allocator this memory allocates from. */
  get allocator() {
    RecyclableMemory.#check(this);
    return this.#allocator;
  }

  /** Allocates size bytes (not zeroed), pushes them and returns them. */
  nextN(size) {
    RecyclableMemory.#check(this);
    if (!isSize(size, MAX_REQUEST)) validateInteger(size, 'size', 0, MAX_REQUEST);
    const buf = I.mallocFor(this.#allocator, size, this.#group, this.#ledger);
    this._buffers.push(buf);
    this._size += size;
    return buf;
  }

  /** Pushes a buffer from the same allocator and frees it on recycle(). */
  addRecycleBytes(buf) {
    RecyclableMemory.#check(this);
    if (!isUint8Array(buf)) validateBuffer(buf, 'buf');
    const own = wrap(buf); // read through the intrinsics; cannot fail after the ledger records it
    I.locate(this.#allocator, own, this.#ledger); // throws for a foreign buffer, changing nothing
    this._buffers.push(own);
    this._size += viewByteLength(own);
  }

  /**
   * Frees exactly what nextN() and addRecycleBytes() added, then reset().
   * Buffers pushed by other means are only dropped. If some of those ranges
   * were already freed elsewhere, everything else is still freed and the
   * memory reset, then ERR_POOLMEM_DOUBLE_FREE says how many.
   */
  recycle() {
    RecyclableMemory.#check(this);
    const ledger = this.#ledger;
    let failed = 0;
    if ((ledger.count !== 0 || ledger.tracked !== null) && ledger.epoch === I.epochOf(this.#allocator)) {
      failed = I.freeLedger(this.#allocator, ledger);
    }
    ledger.clear();
    this.reset();
    if (failed !== 0) {
      throw ERR_POOLMEM_DOUBLE_FREE(`${failed} of the buffers this RecyclableMemory allocated or was given had been freed already`);
    }
  }

  [Symbol.dispose]() {
    RecyclableMemory.#check(this);
    this.recycle();
  }

  // MemoryReader#clipFront hook: a consumed buffer this memory allocated is
  // freed at once and leaves the ledger.
  _onClipFront(buf) {
    RecyclableMemory.#check(this);
    const ledger = this.#ledger;
    if (ledger.epoch !== I.epochOf(this.#allocator)) return;
    I.freeFromLedger(this.#allocator, buf, ledger);
  }
}

module.exports = { RecyclableMemory, Ledger };
