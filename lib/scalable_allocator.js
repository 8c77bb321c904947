'use strict';
// ScalableAllocator: grows by chunks (GoMem ScalableMemoryAllocator), with
// validated frees, exact counters and leak detection. This file is the public
// class: argument checks, the leak-sampling countdown and the whole-allocator
// operations. The chunks, the size-class cache in front of them and the
// tracked allocations are its ScalableSpace's (lib/internal/scalable_space.js);
// RecyclableMemory's bookkeeping is lib/internal/recyclable_ledger.js.
// Fast mode: malloc is one no-argument native call returning the chunk id
// (the offset comes back in the shared scratch, native/addon/scratch.h) plus
// one view into the chunk's ArrayBuffer, or no native call at all when the
// size-class cache has a block (as mimalloc's and jemalloc's small bins): a
// freed block of up to 16 MiB goes onto its class's stack. Anything that
// needs native code to see exactly what callers hold (a free of a view this
// allocator did not make, stats, trim, recycle, a RecyclableMemory's frees)
// settles the cache first (a piece: only the block it lies in), so double and
// partial frees are judged by the strategy. freeRest() of a whole buffer
// malloc() returned knows its block: the block keeps the head and gives the
// rest back in one native call, and a buffer whose block was freed since is
// a double free. Tracked allocations (safe mode, leak detection samples,
// sampled RecyclableMemory) own an ArrayBuffer each. Only that ArrayBuffer's
// native finalizer returns unfreed bytes, so memory a live view (the Buffer,
// subarray(), slice()) can reach is never handed out again. In safe mode it
// returns freed ones too: free() poisons and holds (docs/design.md, Safe mode).

const binding = require('./internal/binding');
const { codes, fromNative } = require('./internal/errors');
const { MathMax, viewBuffer, viewByteLength, viewByteOffset } = require('./internal/intrinsics');
const { FREE, SETTLED } = require('./internal/block_cache');
const { LeakDetector, NEVER, PARANOID, DISABLED, SAMPLE, parseLeakDetection } = require('./internal/leak_detector');
const {
  arrayBufferOf, blockOf, byteOffsetOf, freshBlock, genOf, recordedArrayBuffer, view,
} = require('./internal/pool_buffer');
const { parseSafe } = require('./internal/safe_mode');
const { CHUNK_LIMIT } = require('./internal/native_contract');
const { MAX_REQUEST, ScalableSpace, blockDoubleFree } = require('./internal/scalable_space');
const { BUFFER_ALIGNMENT, parseAlignment, parseStrategy } = require('./internal/strategy');
const {
  isSize, isUint8Array, validateBoolean, validateBuffer, validateInteger, validateOptions,
} = require('./internal/validators');

const {
  ERR_INVALID_THIS, ERR_OUT_OF_RANGE, ERR_POOLMEM_CLOSED,
} = codes;

// One allocation in 1024 on average. Netty samples one in 128, but its
// tracking is a cheap reference; here a tracked allocation owns an external
// ArrayBuffer (about 2 us to make and finalize), so 128 added 15-20 ns to the
// average malloc+free pair, more than the pair itself costs from the
// size-class cache. A leak repeated a thousand times is still seen at once.
const SAMPLE_INTERVAL = 1024;

let spaceOf;  // (allocator) -> its ScalableSpace, or undefined for anything else: RecyclableMemory, tests
// malloc() and free() past their lanes: module functions, as a call costs
// the lane less bytecode than a static private method's (V8 inlines the
// lanes whole only while their bytecode fits its budget).
let mallocPastLane; // (allocator, size)
let freePastLane;   // (allocator, buf)
let newGroup; // (allocator) -> a RecyclableMemory's leak-detection group, or 0 (untracked)
// The RecyclableMemory class: recyclable_memory.js, which needs this module,
// registers it when it loads, so recyclable() loads no module mid-call (the
// module loader runs whatever built-ins a caller replaced).
let RecyclableMemoryClass = null;
function registerRecyclableMemory(C) {
  RecyclableMemoryClass = C;
}

class ScalableAllocator {
  #space;
  #cache; // the space's BlockCache: the lanes read it directly
  #countdown = 0; // mallocs until the next tracked one; always a small integer (see NEVER)
  #nextGroup = 1;

  static {
    spaceOf = (a) => (a !== null && typeof a === 'object' && #space in a ? a.#space : undefined);
    newGroup = (a) => a.#newGroup();
    mallocPastLane = (a, size) => {
      ScalableAllocator.#check(a);
      return a.#malloc(size);
    };
    freePastLane = (a, buf) => {
      ScalableAllocator.#check(a);
      return a.#free(buf);
    };
  }

  constructor(options = undefined) {
    const opts = validateOptions(options);
    const chunkSize = opts.chunkSize === undefined ? 64 * 1024
      : validateInteger(opts.chunkSize, 'options.chunkSize', 1, CHUNK_LIMIT);
    const maxChunkSize = opts.maxChunkSize === undefined ? MathMax(4 * 1024 * 1024, chunkSize)
      : validateInteger(opts.maxChunkSize, 'options.maxChunkSize', 1, CHUNK_LIMIT);
    if (maxChunkSize < chunkSize) {
      throw ERR_OUT_OF_RANGE('options.maxChunkSize', `>= options.chunkSize (${chunkSize})`, maxChunkSize);
    }
    const maxSize = opts.maxSize === undefined ? 0 : validateInteger(opts.maxSize, 'options.maxSize', 1);
    const { kind, minBlock } = parseStrategy(opts);
    const alignment = parseAlignment(opts, BUFFER_ALIGNMENT);
    const safe = parseSafe(opts);
    const hugePages = opts.hugePages === undefined ? false : validateBoolean(opts.hugePages, 'options.hugePages');
    const level = parseLeakDetection(opts);
    const chunks = []; // chunk id -> chunk ArrayBuffer (fast mode), written by native code
    let handle;
    try {
      handle = new binding.ScalableAllocatorHandle({
        chunkSize, maxChunkSize, maxSize, strategyKind: kind, minBlock, alignment, safe, hugePages, chunks,
      });
    } catch (err) {
      throw fromNative(err);
    }
    const leaks = new LeakDetector(level, SAMPLE_INTERVAL);
    this.#space = new ScalableSpace(handle, chunks, { kind, alignment, safe, maxSize, leaks });
    this.#cache = this.#space.cache;
    this.#countdown = leaks.nextCountdown(safe);
  }

  static #check(self) {
    if (self === null || typeof self !== 'object' || !(#space in self)) throw ERR_INVALID_THIS('ScalableAllocator');
  }

  // ---- allocation ------------------------------------------------------------

  malloc(size) {
    // The lane: the block freed last, asked for again at its length (an
    // allocate-then-free loop) and not a sampled malloc, is handed out again
    // (size equals a length the allocator handed out, so it needs no other
    // check), unless a caller transferred its chunk's ArrayBuffer away (the
    // way below retires the chunk). The block is read from the cache's plain
    // copy (BlockCache#mirror()). A closed allocator's cache holds nothing.
    if (this !== null && typeof this === 'object' && #cache in this) {
      const cache = this.#cache;
      const id = cache.parked;
      if (id >= 0 && this.#countdown > 1 &&
          (id === cache.laneId ? cache.laneLength === size : this.#space.mirrorParked(id, size)) &&
          cache.laneProbe[0] !== undefined) {
        this.#countdown--;
        return freshBlock(cache.laneArrayBuffer, cache.laneOffset, size, id, cache.reissue());
      }
    }
    return mallocPastLane(this, size);
  }

  #malloc(size) {
    if (!isSize(size, MAX_REQUEST)) validateInteger(size, 'size', 0, MAX_REQUEST);
    const space = this.#space;
    if (space.closed) throw ERR_POOLMEM_CLOSED('allocator');
    if (size === 0) return view(space.empty, 0, 0);
    if (--this.#countdown === 0) return this.#mallocSampled(size);
    return space.mallocChunk(size);
  }

  borrow(size) {
    ScalableAllocator.#check(this);
    if (!isSize(size, MAX_REQUEST)) validateInteger(size, 'size', 0, MAX_REQUEST);
    const space = this.#space;
    if (space.closed) throw ERR_POOLMEM_CLOSED('allocator');
    if (size === 0) return view(space.empty, 0, 0);
    return space.borrow(size);
  }

  free(buf) {
    // The lane: a whole view malloc() made of a class block, of a handout
    // that has not ended, goes to the cache's park (what release() does on
    // the way below); a view of the block malloc()'s lane handed out is
    // checked against the cache's plain copy. Anything else, or a closed
    // allocator (no generation it handed out is current), takes the way below.
    if (this !== null && typeof this === 'object' && #cache in this && buf !== null && typeof buf === 'object') {
      const cache = this.#cache;
      const id = blockOf(buf);
      if (id >= 0 && (id === cache.laneId && cache.parked < 0 && recordedArrayBuffer(buf) === cache.laneArrayBuffer
        ? cache.parkLane(genOf(buf)) : this.#space.park(buf))) {
        return undefined;
      }
    }
    return freePastLane(this, buf);
  }

  #free(buf) {
    if (!isUint8Array(buf)) validateBuffer(buf, 'buf');
    const space = this.#space;
    if (space.closed) throw ERR_POOLMEM_CLOSED('allocator');
    // Private-field, typed-array and intrinsic reads (lib/internal/intrinsics.js,
    // pool_buffer.js): no caller code runs from here on.
    const ab = arrayBufferOf(buf);
    const id = blockOf(buf);
    if (id >= 0) {
      // A view this allocator made over one of its chunks: `id` is its block.
      if (ab === space.chunks[space.cache.chunk[id]]) {
        const state = space.releaseBlock(id, genOf(buf));
        if (state === FREE) throw blockDoubleFree(buf);
        if (state === SETTLED) space.freeSettled(id);
        return undefined;
      }
      // Made over another live chunk of ours: the id now serves a block
      // elsewhere, so that view's handout ended.
      if (space.chunkIdOf(ab) !== undefined) throw blockDoubleFree(buf);
    }
    space.refuseLent(buf);
    space.freeRange(ab, byteOffsetOf(buf), viewByteLength(buf));
    return undefined;
  }

  freeRest(buf, keep) {
    ScalableAllocator.#check(this);
    if (!isUint8Array(buf)) validateBuffer(buf, 'buf');
    validateInteger(keep, 'keep', 0);
    const space = this.#space;
    if (space.closed) throw ERR_POOLMEM_CLOSED('allocator');
    const ab = viewBuffer(buf);
    const offset = viewByteOffset(buf);
    const length = viewByteLength(buf);
    space.refuseLent(buf);
    if (!space.owns(ab)) throw space.notOurs(ab);
    if (length === 0) { // nothing to free, but a fully freed (detached) tracked buffer is a double free
      space.freeRange(ab, offset, 0);
      return view(space.empty, 0, 0);
    }
    const id = blockOf(buf);
    if (id >= 0) { // a whole block view: its generation decides, and no search is needed
      const kept = space.shrinkBlock(buf, id, ab, keep);
      if (kept !== null) return kept;
    }
    const kept = view(ab, offset, keep < length ? keep : length); // before a full free detaches ab (leak-tracked samples)
    if (keep < length) space.freeRange(ab, offset + keep, length - keep);
    return kept;
  }

  // ---- whole-allocator operations ------------------------------------------------

  trim() {
    ScalableAllocator.#check(this);
    const space = this.#space;
    if (space.closed) throw ERR_POOLMEM_CLOSED('allocator');
    space.reconcile();
    return space.handle.trim();
  }

  recycle() {
    ScalableAllocator.#check(this);
    const space = this.#space;
    if (space.closed) throw ERR_POOLMEM_CLOSED('allocator');
    space.reconcile();
    space.epoch++;
    space.handle.recycle();
    space.cache.clear(); // every view handed out is stale now
  }

  recyclable() {
    ScalableAllocator.#check(this);
    if (this.#space.closed) throw ERR_POOLMEM_CLOSED('allocator');
    if (RecyclableMemoryClass === null) require('./recyclable_memory'); // only when loaded without lib/index.js
    return new RecyclableMemoryClass(this);
  }

  stats() {
    ScalableAllocator.#check(this);
    const space = this.#space;
    if (!space.closed) {
      space.retireTransferred();
      space.settle();
    }
    space.drainLeaks();
    const s = space.handle.stats();
    return {
      chunks: s[0], size: s[1], usedSize: s[2], freeSize: s[3],
      totalMalloc: s[4] + space.mallocTotalAdjust(), totalFree: s[5] + space.freeTotalAdjust(), allocations: s[6], leaks: s[7],
      transferred: s[8] + space.transferredAdjust, heldSize: s[9],
    };
  }

  get closed() {
    ScalableAllocator.#check(this);
    return this.#space.closed;
  }

  get safe() {
    ScalableAllocator.#check(this);
    return this.#space.safe;
  }

  get leakDetection() {
    ScalableAllocator.#check(this);
    return this.#space.leaks.name;
  }

  close() {
    ScalableAllocator.#check(this);
    const space = this.#space;
    if (space.closed) return;
    space.settle();
    space.drainLeaks();
    space.closed = true;
    space.epoch++;
    space.handle.close();
    space.cache.clear();
  }

  [Symbol.dispose]() {
    ScalableAllocator.#check(this);
    this.close();
  }

  // ---- leak sampling -----------------------------------------------------------------

  // The malloc the countdown reached: tracked, unless leak detection is disabled.
  #mallocSampled(size) {
    const space = this.#space;
    this.#countdown = space.leaks.nextCountdown(space.safe);
    if (this.#countdown === NEVER) return space.mallocChunk(size); // leakDetection 'disabled'
    return space.mallocTracked(size, 0);
  }

  #newGroup() {
    const space = this.#space;
    if (space.closed) throw ERR_POOLMEM_CLOSED('allocator');
    const level = space.leaks.level;
    if (!space.safe && level !== PARANOID && (level === DISABLED || --this.#countdown !== 0)) return 0;
    if (level === SAMPLE && !space.safe) this.#countdown = space.leaks.nextCountdown();
    return this.#nextGroup++;
  }
}

// For tests: the native handle (validate(), chunks(), id()) and the chunk ArrayBuffers.
const handleOf = (a) => spaceOf(a).handle;
const chunksOf = (a) => spaceOf(a).chunks;

module.exports = { ScalableAllocator, chunksOf, handleOf, newGroup, registerRecyclableMemory, spaceOf };
