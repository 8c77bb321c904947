'use strict';
// ScalableAllocator: grows by chunks (GoMem ScalableMemoryAllocator), with
// validated frees, exact counters and leak detection.
// Fast mode: malloc is one no-argument native call returning the chunk id
// (the offset comes back in the shared scratch, native/addon/scratch.h) plus
// one view into the chunk's ArrayBuffer, which native code put in #chunks[id]
// when it made the chunk; free maps the view's ArrayBuffer to its chunk id
// through a private stamp and checks #chunks[id] is that ArrayBuffer, so a
// foreign buffer, another allocator's buffer or a released chunk's detached
// buffer is never mistaken for ours.
// Tracked allocations (safe mode, leak detection samples, sampled
// RecyclableMemory) own an ArrayBuffer each. Only that ArrayBuffer's native
// finalizer returns unfreed bytes, so memory a live view (the Buffer,
// subarray(), slice()) can reach is never handed out again. In safe mode it
// returns freed ones too: free() poisons and holds (docs/design.md, Safe mode). Leaks are
// reported the next time the allocator tracks an allocation or is asked for
// stats()/trim()/recycle()/close(), as Netty does.
// Chunk allocations go through a size-class cache (lib/block_cache.js, as
// mimalloc's and jemalloc's small bins): a freed block of up to 16 MiB goes
// onto its class's stack and the next malloc of that class takes it with no
// native call. Anything that needs native code to see exactly what callers
// hold (a free of a view this allocator did not make, freeRest, stats, trim,
// recycle, a RecyclableMemory's frees) settles the cache first (#settle), so
// double and partial frees are judged by the strategy as before.
// A chunk whose ArrayBuffer a caller transferred away (ArrayBuffer#transfer)
// is retired when a malloc or borrow lands in it (its ArrayBuffer reads
// detached; native code checks for leak-tracked mallocs) and by stats(),
// trim() and recycle(): native code places nothing there again, what
// callers held there counts as freed (and in stats().transferred), and
// free() of a view over it does nothing: that memory is the new
// ArrayBuffer's now (#retireTransferred).
// About 450 lines: RecyclableMemory's ledger hooks live here because they
// need the private chunk state; a second module would have to expose it.

const { constants } = require('node:buffer');
const binding = require('./binding');
const { callerStack, codes, fromNative } = require('./errors');
const {
  chunkGone, isDetached, stampKind, viewBuffer, viewByteLength, viewByteOffset,
} = require('./intrinsics');
const {
  BlockCache, CACHED, EXACT, FREE, LIVE, SETTLED, classIndex, classLimit,
} = require('./block_cache');
const { arrayBufferOf, blockOf, byteOffsetOf, fresh, freshBlock, genOf, view } = require('./pool_buffer');
const { parseSafe } = require('./safe_mode');
const { BUFFER_ALIGNMENT, parseAlignment, parseStrategy } = require('./strategy');
const {
  isSize, isUint8Array, validateBoolean, validateBuffer, validateInteger, validateOneOf, validateOptions,
} = require('./validators');

const {
  ERR_BUFFER_OUT_OF_BOUNDS, ERR_INVALID_STATE, ERR_INVALID_THIS, ERR_OUT_OF_RANGE, ERR_POOLMEM_CLOSED, ERR_POOLMEM_DOUBLE_FREE,
  ERR_POOLMEM_FOREIGN_BUFFER, ERR_POOLMEM_OUT_OF_MEMORY,
} = codes;

// The hot paths and the statuses they return (lib/native_contract.js).
const {
  BATCH_ENTRIES, CAP_REACHED, CHUNK_LIMIT, CHUNK_TRANSFERRED, FREE_COVERS_TRACKED, FREE_DOUBLE, FREE_OK,
  chunkHandle, scalableBatch: batch, scalableBorrow, scalableFree, scalableFreeBatch, scalableMalloc, scalableOffset,
} = require('./native_contract');
const MAX_REQUEST = Math.min(constants.MAX_LENGTH, CHUNK_LIMIT); // a chunk (and so a request): handles stay exact
const CACHE_CAP_BYTES = 16 * 1024 * 1024; // bytes the class stacks may hold
const LEAK_LEVELS = ['disabled', 'sample', 'paranoid'];
// One allocation in 1024 on average. Netty samples one in 128, but its
// tracking is a cheap reference; here a tracked allocation owns an external
// ArrayBuffer (about 2 us to make and finalize), so 128 added 15-20 ns to the
// average malloc+free pair, more than the pair itself costs from the
// size-class cache. A leak repeated a thousand times is still seen at once.
const SAMPLE_INTERVAL = 1024;
// JS knows a chunk's id by a private stamp, added when it first takes the
// ArrayBuffer from #chunks (never by a property of the ArrayBuffer: reading
// one of a caller's ArrayBuffer could run the caller's getter mid-free).
const ChunkStamp = stampKind();
// The countdown when nothing is tracked. Not Infinity: a double in #countdown
// makes every malloc's decrement box a number (measured: +30 ns per pair).
// When it does run out, #mallocTracked starts it again and tracks nothing.
const NEVER = 2 ** 30;

let internals; // for RecyclableMemory and tests; see the static block

function nextSample() {
  return 1 + Math.floor(Math.random() * (2 * SAMPLE_INTERVAL - 1));
}

class ScalableAllocator {
  #handle;
  #id;          // handle id for the module-level fast path
  #chunks = []; // chunk id -> chunk ArrayBuffer (fast mode), written by native code
  #retired = new WeakSet(); // chunk ArrayBuffers a caller transferred away: their views free nothing
  #tracked = new WeakMap(); // tracked ArrayBuffer -> native block id
  #empty = new ArrayBuffer(0); // what malloc(0) views: owns no memory
  #safe;
  #level;        // leak detection level
  #countdown;    // mallocs until the next tracked one; always a small integer (see NEVER)
  #maxSize;
  #epoch = 0;    // bumped by recycle()/close(): RecyclableMemory entries before it are void
  #nextGroup = 1;
  #nextBlock = 1; // tracked block ids (native code keys its blocks by them)
  #reportedGroups = new Set();
  #closed = false;
  #cache;        // chunk blocks handed out, and the size-class stacks
  #maxClass = 0; // largest request served from a size class; 0: every block exact
  // What native totals miss or overcount because of the cache: bytes callers
  // were handed or gave back through it, less what native code counted for
  // class blocks (their whole class size, and the settled remainders).
  #mallocAdjust = 0;
  #freeAdjust = 0;
  #transferredAdjust = 0; // mallocs that landed in a transferred chunk: retired with it, handed to nobody

  static {
    internals = {
      handleOf: (a) => a.#handle,
      chunksOf: (a) => a.#chunks,
      check: (a) => ScalableAllocator.#check(a),
      epochOf: (a) => a.#epoch,
      // A RecyclableMemory's tracking decision: its own group, or 0 (untracked).
      newGroup: (a) => a.#newGroup(),
      mallocFor: (a, size, group, ledger) => a.#mallocFor(size, group, ledger),
      locate: (a, buf, ledger) => a.#locate(buf, ledger),
      freeLedger: (a, ledger) => a.#freeLedger(ledger),
      freeFromLedger: (a, buf, ledger) => a.#freeFromLedger(buf, ledger),
    };
  }

  constructor(options = undefined) {
    const opts = validateOptions(options);
    const chunkSize = opts.chunkSize === undefined ? 64 * 1024
      : validateInteger(opts.chunkSize, 'options.chunkSize', 1, CHUNK_LIMIT);
    const maxChunkSize = opts.maxChunkSize === undefined ? Math.max(4 * 1024 * 1024, chunkSize)
      : validateInteger(opts.maxChunkSize, 'options.maxChunkSize', 1, CHUNK_LIMIT);
    if (maxChunkSize < chunkSize) {
      throw ERR_OUT_OF_RANGE('options.maxChunkSize', `>= options.chunkSize (${chunkSize})`, maxChunkSize);
    }
    const maxSize = opts.maxSize === undefined ? 0 : validateInteger(opts.maxSize, 'options.maxSize', 1);
    const [kind, minBlock] = parseStrategy(opts);
    const alignment = parseAlignment(opts, BUFFER_ALIGNMENT);
    const safe = parseSafe(opts);
    const hugePages = opts.hugePages === undefined ? false : validateBoolean(opts.hugePages, 'options.hugePages');
    const level = opts.leakDetection === undefined ? 'sample'
      : validateOneOf(opts.leakDetection, 'options.leakDetection', LEAK_LEVELS);
    try {
      this.#handle = new binding.ScalableAllocatorHandle({
        chunkSize, maxChunkSize, maxSize, strategyKind: kind, minBlock, alignment, safe, hugePages,
        chunks: this.#chunks,
      });
    } catch (err) {
      throw fromNative(err);
    }
    this.#id = this.#handle.id();
    this.#safe = safe;
    this.#level = level;
    this.#maxSize = maxSize;
    this.#countdown = this.#nextCountdown();
    this.#cache = new BlockCache(alignment, CACHE_CAP_BYTES);
    this.#maxClass = classLimit(kind, alignment);
  }

  static #check(self) {
    if (self === null || typeof self !== 'object' || !(#handle in self)) throw ERR_INVALID_THIS('ScalableAllocator');
  }

  // ---- allocation ------------------------------------------------------------

  malloc(size) {
    ScalableAllocator.#check(this);
    if (!isSize(size, MAX_REQUEST)) validateInteger(size, 'size', 0, MAX_REQUEST);
    if (this.#closed) throw ERR_POOLMEM_CLOSED('allocator');
    if (size === 0) return view(this.#empty, 0, 0);
    if (--this.#countdown === 0) return this.#mallocTracked(size, 0);
    return this.#mallocChunk(size);
  }

  borrow(size) {
    ScalableAllocator.#check(this);
    if (!isSize(size, MAX_REQUEST)) validateInteger(size, 'size', 0, MAX_REQUEST);
    if (this.#closed) throw ERR_POOLMEM_CLOSED('allocator');
    if (size === 0) return view(this.#empty, 0, 0);
    this.#settle();
    if (this.#safe) {
      const ab = this.#handle.borrowSafe(size);
      if (typeof ab === 'number') throw this.#outOfMemory(ab, size);
      return fresh(ab, 0, size);
    }
    for (;;) {
      const chunk = scalableBorrow(this.#id, size);
      if (chunk < 0) throw this.#outOfMemory(chunk, size);
      const ab = this.#chunkAt(chunk);
      if (!isDetached(ab)) return fresh(ab, scalableOffset(), size);
      // Transferred away. A borrow reserves nothing: retire the chunk, ask again.
      if (this.#retireTransferred() === 0) throw ERR_INVALID_STATE('a transferred chunk could not be retired');
    }
  }

  free(buf) {
    ScalableAllocator.#check(this);
    if (!isUint8Array(buf)) validateBuffer(buf, 'buf');
    if (this.#closed) throw ERR_POOLMEM_CLOSED('allocator');
    // Private-field, typed-array and intrinsic reads (lib/intrinsics.js,
    // pool_buffer.js): no caller code runs from here on.
    const ab = arrayBufferOf(buf);
    const id = blockOf(buf);
    if (id >= 0) {
      const cache = this.#cache;
      // A view this allocator made over one of its chunks: `id` is its block.
      if (ab === this.#chunks[cache.chunk[id]]) {
        const state = this.#releaseBlock(id, genOf(buf));
        if (state === FREE) throw ERR_POOLMEM_DOUBLE_FREE(`the block at byte ${cache.offset[id]} of its chunk`);
        if (state !== SETTLED) return undefined;
        this.#freeRange(ab, byteOffsetOf(buf), viewByteLength(buf));
        cache.ended(id, genOf(buf)); // its whole view: freeing it again is a double free
        return undefined;
      }
    }
    this.#freeRange(ab, byteOffsetOf(buf), viewByteLength(buf));
    return undefined;
  }

  freeRest(buf, keep) {
    ScalableAllocator.#check(this);
    if (!isUint8Array(buf)) validateBuffer(buf, 'buf');
    validateInteger(keep, 'keep', 0);
    if (this.#closed) throw ERR_POOLMEM_CLOSED('allocator');
    const ab = viewBuffer(buf);
    const offset = viewByteOffset(buf);
    const length = viewByteLength(buf);
    if (!this.#owns(ab)) throw ERR_POOLMEM_FOREIGN_BUFFER('allocator');
    if (length === 0) { // nothing to free, but a fully freed (detached) tracked buffer is a double free
      this.#freeRange(ab, offset, 0);
      return view(this.#empty, 0, 0);
    }
    const kept = view(ab, offset, keep < length ? keep : length); // before a full free detaches ab (leak-tracked samples)
    if (keep < length) this.#freeRange(ab, offset + keep, length - keep);
    return kept;
  }

  // ---- whole-allocator operations ------------------------------------------------

  trim() {
    ScalableAllocator.#check(this);
    if (this.#closed) throw ERR_POOLMEM_CLOSED('allocator');
    this.#retireTransferred();
    this.#settle();
    this.#drainLeaks();
    return this.#handle.trim();
  }

  recycle() {
    ScalableAllocator.#check(this);
    if (this.#closed) throw ERR_POOLMEM_CLOSED('allocator');
    this.#retireTransferred();
    this.#settle();
    this.#drainLeaks();
    this.#epoch++;
    this.#handle.recycle();
    this.#cache.clear(); // every view handed out is stale now
  }

  recyclable() {
    ScalableAllocator.#check(this);
    if (this.#closed) throw ERR_POOLMEM_CLOSED('allocator');
    const { RecyclableMemory } = require('./recyclable_memory');
    return new RecyclableMemory(this);
  }

  stats() {
    ScalableAllocator.#check(this);
    if (!this.#closed) {
      this.#retireTransferred();
      this.#settle();
    }
    this.#drainLeaks();
    const s = this.#handle.stats();
    return {
      chunks: s[0], size: s[1], usedSize: s[2], freeSize: s[3],
      totalMalloc: s[4] + this.#mallocAdjust, totalFree: s[5] + this.#freeAdjust, allocations: s[6], leaks: s[7],
      transferred: s[8] + this.#transferredAdjust, heldSize: s[9],
    };
  }

  get closed() {
    ScalableAllocator.#check(this);
    return this.#closed;
  }

  get safe() {
    ScalableAllocator.#check(this);
    return this.#safe;
  }

  get leakDetection() {
    ScalableAllocator.#check(this);
    return this.#level;
  }

  close() {
    ScalableAllocator.#check(this);
    if (this.#closed) return;
    this.#settle();
    this.#drainLeaks();
    this.#closed = true;
    this.#epoch++;
    this.#handle.close();
    this.#cache.clear();
  }

  [Symbol.dispose]() {
    ScalableAllocator.#check(this);
    this.close();
  }

  // ---- internals -------------------------------------------------------------------

  #owns(ab) {
    if (ab === this.#empty) return true;
    const id = ChunkStamp.of(ab);
    return (id !== undefined && this.#chunks[id] === ab) || this.#tracked.has(ab) || this.#retired.has(ab);
  }

  // Frees [offset, offset + length) of ab, which must be ours; throws otherwise.
  #freeRange(ab, offset, length) {
    const id = ChunkStamp.of(ab);
    if (id !== undefined && this.#chunks[id] === ab) {
      if (length === 0) return;
      this.#settle(); // native code judges chunk frees: it must see what callers hold
      const status = scalableFree(this.#id, id, offset, length);
      if (status !== FREE_OK) throw freeError(status, offset, length);
      return;
    }
    this.#freeOther(ab, offset, length);
  }

  #freeOther(ab, offset, length) {
    if (ab === this.#empty) return; // malloc(0): nothing to free
    if (this.#retired.has(ab)) return; // transferred away: freed by nobody
    const block = this.#tracked.get(ab);
    if (block === undefined) throw ERR_POOLMEM_FOREIGN_BUFFER('allocator');
    const status = this.#handle.freeTracked(block, offset, length);
    if (status !== FREE_OK) throw freeError(status, offset, length);
  }

  #mallocTracked(size, group) {
    if (group === 0) {
      this.#countdown = this.#nextCountdown();
      if (this.#countdown === NEVER) return this.#mallocChunk(size); // leakDetection 'disabled'
    }
    this.#drainLeaks();
    const stack = this.#level === 'paranoid' ? callerStack() : undefined;
    const block = this.#nextBlock++;
    let ab = this.#handle.mallocTracked(size, stack, group, this.#level !== 'disabled', block);
    while (ab === CHUNK_TRANSFERRED) {
      this.#retireLandedIn(size);
      ab = this.#handle.mallocTracked(size, stack, group, this.#level !== 'disabled', block);
    }
    if (typeof ab === 'number') throw this.#outOfMemory(ab, size);
    this.#tracked.set(ab, block);
    return fresh(ab, 0, size);
  }

  #nextCountdown() {
    if (this.#safe || this.#level === 'paranoid') return 1;
    return this.#level === 'sample' ? nextSample() : NEVER;
  }

  // The ArrayBuffer of chunk `chunk` (native code put it in #chunks), stamped with its id.
  #chunkAt(chunk) {
    const ab = this.#chunks[chunk];
    if (ChunkStamp.of(ab) === undefined) new ChunkStamp(ab, chunk);
    return ab;
  }

  // A fast-mode malloc: a cached block of its class, else a new block.
  #mallocChunk(size) {
    const cache = this.#cache;
    let id;
    if (size <= this.#maxClass) {
      const index = classIndex(size);
      id = cache.take(index, size);
      if (id < 0) id = this.#newBlock(index, size);
      this.#mallocAdjust += size;
    } else {
      id = this.#newBlock(EXACT, size);
    }
    const ab = this.#chunks[cache.chunk[id]];
    // A caller may have transferred the chunk's ArrayBuffer: no view can be
    // made over it. Checked first, not caught: a try/catch around the view
    // costs 50-80 ns per malloc on Node 20 and 24 (the view's construction is
    // no longer inlined); chunkGone() is an inlined read (lib/intrinsics.js).
    if (chunkGone(ab)) return this.#mallocInTransferred(size);
    return freshBlock(ab, cache.offset[id], size, id, cache.gen[id]);
  }

  // The block just taken for a malloc of size bytes lies in a chunk a caller
  // transferred away: the chunk retires (the block with it) and another
  // chunk serves the request.
  #mallocInTransferred(size) {
    this.#retireLandedIn(size); // settles first: the block then holds exactly `size` bytes natively
    return this.#mallocChunk(size);
  }

  // A malloc of size bytes landed in a chunk a caller transferred away: the
  // allocation, handed to nobody, keeps that chunk from being released until
  // it retires with it, and then counts nowhere (not as malloc, free or
  // transferred bytes). The caller asks again.
  #retireLandedIn(size) {
    if (this.#retireTransferred() === 0) throw ERR_INVALID_STATE('a transferred chunk could not be retired');
    this.#mallocAdjust -= size;
    this.#freeAdjust -= size;
    this.#transferredAdjust -= size;
  }

  // Retires every chunk whose ArrayBuffer a caller transferred away (its
  // length reads 0): its memory belongs to the new ArrayBuffer, so native code
  // never places anything there again and counts what callers held there as
  // freed and transferred, the cache forgets its blocks, and free() of a view
  // over it does nothing (#freeOther). Returns how many it retired.
  #retireTransferred() {
    const chunks = this.#chunks;
    const found = [];
    for (let chunk = 0; chunk < chunks.length; chunk++) {
      const ab = chunks[chunk];
      if (ab !== undefined && isDetached(ab)) found.push(chunk, ab);
    }
    if (found.length === 0) return 0;
    // Native code must count exactly what callers hold. (Settling may empty
    // and release a found chunk: its views free nothing all the same.)
    this.#settle();
    for (let i = 0; i < found.length; i += 2) {
      this.#retired.add(found[i + 1]);
      this.#handle.retireChunk(found[i]); // clears chunks[chunk]
      this.#cache.dropChunk(found[i]);
    }
    return found.length / 2;
  }

  // A block of class `index` (or an EXACT one) from native code, handed out as
  // n bytes: its cache id. Throws when the allocator is full.
  #newBlock(index, n) {
    const cache = this.#cache;
    let chunk;
    if (index !== EXACT) {
      const bytes = cache.sizes[index];
      chunk = this.#nativeMalloc(bytes);
      if (chunk < 0 && cache.settles()) {
        this.#settle(); // cached blocks and slack may make room
        chunk = this.#nativeMalloc(bytes);
      }
      if (chunk >= 0) {
        this.#mallocAdjust -= bytes;
        return cache.add(chunk, scalableOffset(), index, n);
      }
    }
    chunk = this.#nativeMalloc(n);
    if (chunk < 0 && cache.settles()) {
      this.#settle();
      chunk = this.#nativeMalloc(n);
    }
    if (chunk < 0) throw this.#outOfMemory(chunk, n);
    if (index !== EXACT) this.#mallocAdjust -= n; // counted by native code after all
    return cache.add(chunk, scalableOffset(), EXACT, n);
  }

  // One native malloc: the chunk id (the offset: scalableOffset()), or < 0.
  #nativeMalloc(size) {
    const chunk = scalableMalloc(this.#id, size);
    if (chunk >= 0) this.#chunkAt(chunk);
    return chunk;
  }

  // One native free of [offset, offset + size) of chunk; the status.
  #nativeFree(chunk, offset, size) {
    return scalableFree(this.#id, chunk, offset, size);
  }

  // A LIVE block whose release() found no room in the cache (or an exact one):
  // native code frees its whole reservation. Returns the native status.
  #freeBlock(id) {
    const cache = this.#cache;
    const bytes = cache.reserved(id);
    const status = this.#nativeFree(cache.chunk[id], cache.offset[id], bytes);
    if (status !== FREE_OK) return status; // an exact block partly freed already: nothing changed
    if (cache.klass[id] !== EXACT) this.#freeAdjust += cache.length[id] - bytes;
    cache.drop(id);
    return FREE_OK;
  }

  // Makes native code see exactly what callers hold (lib/block_cache.js).
  // Whatever frees chunk memory natively, counts or frees in bulk calls it first.
  #settle() {
    const cache = this.#cache;
    if (!cache.settles()) return;
    cache.settle((chunk, offset, size) => {
      const status = this.#nativeFree(chunk, offset, size);
      if (status !== FREE_OK) throw ERR_INVALID_STATE(`the allocator refused its own block [${offset}, ${offset + size})`);
      this.#freeAdjust -= size;
    });
  }

  #newGroup() {
    if (this.#closed) throw ERR_POOLMEM_CLOSED('allocator');
    if (!this.#safe && this.#level !== 'paranoid' && (this.#level === 'disabled' || --this.#countdown !== 0)) return 0;
    if (this.#level === 'sample' && !this.#safe) this.#countdown = nextSample();
    return this.#nextGroup++;
  }

  // RecyclableMemory#nextN: a malloc whose free goes into ledger (see recyclable_memory.js).
  #mallocFor(size, group, ledger) {
    if (this.#closed) throw ERR_POOLMEM_CLOSED('allocator');
    if (size === 0) return view(this.#empty, 0, 0);
    if (group !== 0) {
      const buf = this.#mallocTracked(size, group);
      ledger.addTracked(arrayBufferOf(buf), 0, size, this.#epoch);
      return buf;
    }
    const buf = this.#mallocChunk(size);
    const cache = this.#cache;
    const id = blockOf(buf);
    ledger.add(chunkHandle(cache.chunk[id], cache.offset[id]), size, id, cache.gen[id], this.#epoch);
    return buf;
  }

  // RecyclableMemory#addRecycleBytes: records how to free buf; throws for foreign buffers.
  #locate(buf, ledger) {
    if (this.#closed) throw ERR_POOLMEM_CLOSED('allocator');
    const ab = arrayBufferOf(buf);
    const offset = byteOffsetOf(buf);
    const length = viewByteLength(buf);
    if (ab === this.#empty || this.#retired.has(ab)) return; // nothing to free: see #freeOther
    const id = ChunkStamp.of(ab);
    if (id !== undefined && this.#chunks[id] === ab) {
      if (length === 0) return;
      const block = blockOf(buf);
      const cache = this.#cache;
      if (block >= 0 && cache.gen[block] === genOf(buf) && cache.state[block] === LIVE) {
        ledger.add(chunkHandle(id, offset), length, block, genOf(buf), this.#epoch); // goes back like free(buf)
      } else {
        ledger.add(chunkHandle(id, offset), length, -1, 0, this.#epoch);
      }
    } else if (this.#tracked.has(ab)) {
      if (length !== 0) ledger.addTracked(ab, offset, length, this.#epoch);
    } else {
      throw ERR_POOLMEM_FOREIGN_BUFFER('allocator');
    }
  }

  // Frees a RecyclableMemory's entries: one native call for the chunk ranges.
  // Returns how many could not be freed (already freed by someone else).
  // Frees a RecyclableMemory's entries: cache blocks as free() would, plain
  // ranges by one native call per batch (after settling the cache, which
  // only they need). Returns how many could not be freed (already freed).
  #freeLedger(ledger) {
    if (this.#closed) return 0;
    const { slots, count, tracked } = ledger;
    const E = ledger.constructor.ENTRY;
    let failed = 0;
    let ranges = ledger.ranges;
    for (let i = 0; i < count * E; i += E) {
      const block = slots[i + 2];
      if (block < 0) continue;
      const status = this.#releaseBlock(block, slots[i + 3]);
      if (status === FREE) failed++;
      else if (status === SETTLED) {
        slots[i + 2] = -1; // left the cache since: native code judges the range
        ranges++;
      }
    }
    if (ranges !== 0) {
      this.#settle();
      let n = 0;
      for (let i = 0; i < count * E; i += E) {
        if (slots[i + 2] >= 0) continue;
        batch[2 * n] = slots[i];
        batch[2 * n + 1] = slots[i + 1];
        if (++n === BATCH_ENTRIES || n === ranges) {
          failed += scalableFreeBatch(this.#id, n);
          ranges -= n;
          n = 0;
        }
      }
    }
    if (tracked !== null) {
      for (let i = 0; i < tracked.length; i += 3) {
        const block = this.#tracked.get(tracked[i]);
        if (block === undefined || this.#handle.freeTracked(block, tracked[i + 1], tracked[i + 2]) !== FREE_OK) failed++;
      }
    }
    return failed;
  }

  // A cache block's view (generation gen) comes back: free()'s fast path.
  // Returns CACHED or LIVE (done), FREE (a double free, nothing changed), or
  // SETTLED (the block left the cache: the caller frees the range natively).
  #releaseBlock(id, gen) {
    const cache = this.#cache;
    const state = cache.release(id, gen);
    if (state === CACHED) this.#freeAdjust += cache.length[id];
    else if (state === LIVE && this.#freeBlock(id) !== FREE_OK) return FREE;
    return state;
  }

  #freeFromLedger(buf, ledger) {
    if (this.#closed) return;
    const ab = viewBuffer(buf);
    const offset = viewByteOffset(buf);
    const length = viewByteLength(buf);
    const id = ChunkStamp.of(ab);
    if (id !== undefined && this.#chunks[id] === ab) {
      const handle = chunkHandle(id, offset);
      const s = ledger.slots;
      const E = ledger.constructor.ENTRY;
      for (let i = 0; i < ledger.count; i++) {
        const at = i * E;
        if (s[at] !== handle || s[at + 1] !== length) continue;
        const block = s[at + 2];
        const gen = s[at + 3];
        ledger.remove(i);
        if (block >= 0 && this.#releaseBlock(block, gen) !== SETTLED) return; // a double free here is only dropped
        this.#settle();
        this.#nativeFree(id, offset, length); // already freed elsewhere: nothing to do
        return;
      }
    } else if (ledger.tracked !== null) {
      const t = ledger.tracked;
      for (let i = 0; i < t.length; i += 3) {
        if (t[i] !== ab || t[i + 1] !== offset || t[i + 2] !== length) continue;
        t.splice(i, 3);
        const block = this.#tracked.get(ab);
        if (block !== undefined) this.#handle.freeTracked(block, offset, length);
        return;
      }
    }
  }

  #outOfMemory(code, size) {
    if (code === CAP_REACHED && size <= MAX_REQUEST) {
      const cap = this.#maxSize === 0 ? 'the 4 GiB chunk limit' : `maxSize (${this.#maxSize} bytes)`;
      return ERR_POOLMEM_OUT_OF_MEMORY(`${size} more bytes would exceed ${cap}`);
    }
    return ERR_POOLMEM_OUT_OF_MEMORY(`the operating system refused a new chunk for ${size} bytes`);
  }

  // Reports leaks the native finalizers found since the last call, once each.
  #drainLeaks() {
    const leaks = this.#handle.takeLeaks();
    if (leaks === undefined) return;
    const groups = new Map();
    for (const [bytes, group, stack] of leaks) {
      if (group === 0) {
        emitLeak(`${bytes} bytes from ScalableAllocator#malloc() became unreachable without free()`, stack);
      } else if (!this.#reportedGroups.has(group)) {
        const g = groups.get(group) ?? { buffers: 0, bytes: 0, stack };
        g.buffers++;
        g.bytes += bytes;
        groups.set(group, g);
      }
    }
    for (const [group, g] of groups) {
      this.#reportedGroups.add(group);
      emitLeak(`A RecyclableMemory became unreachable without recycle() (${g.buffers} buffers, ${g.bytes} bytes)`, g.stack);
    }
  }
}

function emitLeak(message, stack) {
  const detail = stack === undefined
    ? "The memory went back to the pool. Use leakDetection: 'paranoid' to record where it was allocated."
    : `The memory went back to the pool. Allocated at:\n${stack}`;
  process.emitWarning(message, { type: 'PoolmemLeakWarning', code: 'POOLMEM_LEAK', detail });
}

function freeError(status, offset, length) {
  if (status === FREE_DOUBLE) return ERR_POOLMEM_DOUBLE_FREE(`bytes [${offset}, ${offset + length}) of the buffer`);
  // Only a leak-tracked allocation's own buffer may free its bytes.
  if (status === FREE_COVERS_TRACKED) return ERR_POOLMEM_FOREIGN_BUFFER('allocator', 'view');
  return ERR_BUFFER_OUT_OF_BOUNDS('buf');
}

module.exports = { ScalableAllocator, internals: () => internals };
