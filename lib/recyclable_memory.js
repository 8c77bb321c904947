'use strict';
// RecyclableMemory: a Memory whose buffers come from one ScalableAllocator and
// go back in one recycle() call (GoMem's RecyclableMemory), with its bugs
// fixed: recycle() frees exactly what nextN() allocated and addRecycleBytes()
// was given (a Ledger, lib/internal/recyclable_ledger.js, kept apart from the buffer
// list, so clipFront, updateBuffer and hand-pushed buffers cannot make it free
// the wrong thing), and entries from before an allocator-wide recycle() or
// close() are void. A sampled RecyclableMemory (leak detection) allocates
// tracked buffers under a group id: if it becomes unreachable without
// recycle(), the allocator returns its buffers once no view can reach them
// and reports it once.

const { Memory, wrap } = require('./memory');
const { codes } = require('./internal/errors');
const { viewByteLength } = require('./internal/intrinsics');
const { CHUNK_LIMIT } = require('./internal/native_contract');
const { Ledger } = require('./internal/recyclable_ledger');
const { newGroup, registerRecyclableMemory, spaceOf } = require('./scalable_allocator');
const { isSize, isUint8Array, validateBuffer, validateInteger } = require('./internal/validators');

const { ERR_INVALID_ARG_TYPE, ERR_INVALID_THIS, ERR_POOLMEM_DOUBLE_FREE } = codes;
const MAX_REQUEST = CHUNK_LIMIT; // ScalableAllocator's largest request

class RecyclableMemory extends Memory {
  #allocator;
  #space; // the allocator's ScalableSpace (lib/internal/scalable_space.js)
  #group = 0; // leak-detection group id, 0 when this memory is not tracked
  #ledger = new Ledger();

  constructor(allocator) {
    super();
    const space = spaceOf(allocator);
    if (space === undefined) throw ERR_INVALID_ARG_TYPE('allocator', 'an instance of ScalableAllocator', allocator);
    this.#allocator = allocator;
    this.#space = space;
    this.#group = newGroup(allocator);
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
    const buf = this.#ledger.malloc(this.#space, size, this.#group);
    const buffers = this._buffers;
    buffers[buffers.length] = buf;
    this._size += size;
    return buf;
  }

  /** Pushes a buffer from the same allocator and frees it on recycle(). */
  addRecycleBytes(buf) {
    RecyclableMemory.#check(this);
    if (!isUint8Array(buf)) validateBuffer(buf, 'buf');
    const own = wrap(buf); // read through the intrinsics; cannot fail after the ledger records it
    // buf itself, not `own`: a view the allocator made carries its block
    // (private fields; no caller code runs). Throws for a foreign buffer, changing nothing.
    this.#ledger.locate(this.#space, buf);
    const buffers = this._buffers;
    buffers[buffers.length] = own;
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
    const failed = ledger.freeAll(this.#space);
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
    this.#ledger.freeOne(this.#space, buf);
  }
}

registerRecyclableMemory(RecyclableMemory);

module.exports = { RecyclableMemory };
