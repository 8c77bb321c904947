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
// The last malloc is remembered while it is live, wholly (#liveSize). When it
// is freed whole it is parked, not returned (#parkedSize): the next malloc of
// the same size reuses it with no native call; operations that allocate,
// lend, count or free in bulk return it to the pool first (#settle). This is
// a one-entry thread cache (tcache, Netty's PoolThreadCache) for the common
// malloc/use/free loop; a free that overlaps a parked range is a double free,
// checked here because native code still counts that range as allocated.
// About 450 lines: RecyclableMemory's ledger hooks live here because they
// need the private chunk state; a second module would have to expose it.

const { constants } = require('node:buffer');
const binding = require('./binding');
const { callerStack, codes, fromNative, scratchDetached } = require('./errors');
const { stampKind, viewBuffer, viewByteLength, viewByteOffset } = require('./intrinsics');
const { arrayBufferOf, byteOffsetOf, fresh, view } = require('./pool_buffer');
const { parseSafe } = require('./safe_mode');
const { BUFFER_ALIGNMENT, parseAlignment, parseStrategy } = require('./strategy');
const {
  isSize, isUint8Array, validateBoolean, validateBuffer, validateInteger, validateOneOf, validateOptions,
} = require('./validators');

const {
  ERR_BUFFER_OUT_OF_BOUNDS, ERR_INVALID_THIS, ERR_OUT_OF_RANGE, ERR_POOLMEM_CLOSED, ERR_POOLMEM_DOUBLE_FREE,
  ERR_POOLMEM_FOREIGN_BUFFER, ERR_POOLMEM_OUT_OF_MEMORY,
} = codes;

// One call target each (monomorphic call sites); numbers travel through
// `scratch` = [id, offset, size] instead of arguments and return values
// (native/addon/scratch.h): malloc/borrow read [ID] and [SIZE] and return the
// chunk id (< 0: out of memory) with the offset in [OFFSET]; free reads [ID],
// [OFFSET] = handle (chunk id * 2^32 + offset) and [SIZE]; freeBatch reads
// [ID] and [SIZE] = count, and count (handle, size) pairs from `batch`.
const {
  scalableMalloc, scalableFree, scalableBorrow, scalableFreeBatch, scalableScratch: scratch, scalableBatch: batch,
} = binding;
const BATCH_ENTRIES = batch.length / 2; // (handle, size) pairs scalableFreeBatch takes per call
const ID = 0;
const OFFSET = 1;
const SIZE = 2;
const CHUNK_LIMIT = 2 ** 32; // a chunk (and so a request) is at most 4 GiB: handles stay exact
const MAX_REQUEST = Math.min(constants.MAX_LENGTH, CHUNK_LIMIT);
const TWO_32 = 2 ** 32;
const CAP_REACHED = -1;
const FREE_OK = 0;
const FREE_DOUBLE = 1;
const LEAK_LEVELS = ['disabled', 'sample', 'paranoid'];
const SAMPLE_INTERVAL = 128; // Netty's default: one allocation in 128 on average
const kChunkId = Symbol('poolmem.chunkId'); // native code defines each chunk ArrayBuffer's id here
// JS reads a chunk's id from a private stamp instead, added when it first
// takes the ArrayBuffer from #chunks: reading a property of a caller's
// ArrayBuffer could run the caller's getter in the middle of a free.
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
  // The last fast-mode malloc (see the header): its chunk ArrayBuffer (null:
  // none), chunk id, offset and size; #liveSize or #parkedSize is #lastSize
  // (at most one of them), the other -1. #reused counts bytes handed out again
  // from the parked range: native totals miss them (stats() adds them).
  #lastAb = null;
  #lastChunk = 0;
  #lastOffset = 0;
  #lastSize = 0;
  #liveSize = -1;
  #parkedSize = -1;
  #reused = 0;

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
      freeLedger: (a, slots, count, tracked) => a.#freeLedger(slots, count, tracked),
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
      this.#handle = new binding.ScalableAllocatorHandle(chunkSize, maxChunkSize, maxSize, kind, minBlock, safe,
        hugePages, this.#chunks, kChunkId, alignment);
    } catch (err) {
      throw fromNative(err);
    }
    this.#id = this.#handle.id();
    this.#safe = safe;
    this.#level = level;
    this.#maxSize = maxSize;
    this.#countdown = this.#nextCountdown();
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
    if (this.#lastAb !== null) this.#settle();
    if (this.#safe) {
      const ab = this.#handle.borrowSafe(size);
      if (typeof ab === 'number') throw this.#outOfMemory(ab, size);
      return fresh(ab, 0, size);
    }
    scratch[ID] = this.#id;
    scratch[SIZE] = size;
    if (scratch[SIZE] !== size) throw scratchDetached();
    const chunk = scalableBorrow();
    if (chunk < 0) throw this.#outOfMemory(chunk, size);
    return fresh(this.#chunkAt(chunk), scratch[OFFSET], size);
  }

  free(buf) {
    ScalableAllocator.#check(this);
    if (!isUint8Array(buf)) validateBuffer(buf, 'buf');
    if (this.#closed) throw ERR_POOLMEM_CLOSED('allocator');
    // Intrinsic reads (lib/intrinsics.js, pool_buffer.js): no caller code runs from here on.
    const ab = arrayBufferOf(buf);
    const length = viewByteLength(buf);
    if (ab === this.#lastAb && length === this.#liveSize && byteOffsetOf(buf) === this.#lastOffset) {
      this.#liveSize = -1; // the whole last malloc: park it for the next malloc of this size
      this.#parkedSize = length;
      return undefined;
    }
    this.#freeRange(ab, byteOffsetOf(buf), length);
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
    this.#settle();
    this.#drainLeaks();
    return this.#handle.trim();
  }

  recycle() {
    ScalableAllocator.#check(this);
    if (this.#closed) throw ERR_POOLMEM_CLOSED('allocator');
    this.#settle();
    this.#drainLeaks();
    this.#epoch++;
    this.#handle.recycle();
  }

  recyclable() {
    ScalableAllocator.#check(this);
    if (this.#closed) throw ERR_POOLMEM_CLOSED('allocator');
    const { RecyclableMemory } = require('./recyclable_memory');
    return new RecyclableMemory(this);
  }

  stats() {
    ScalableAllocator.#check(this);
    if (!this.#closed) this.#settle();
    this.#drainLeaks();
    const s = this.#handle.stats();
    return {
      chunks: s[0], size: s[1], usedSize: s[2], freeSize: s[3],
      totalMalloc: s[4] + this.#reused, totalFree: s[5] + this.#reused, allocations: s[6], leaks: s[7],
      heldSize: s[8],
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
  }

  [Symbol.dispose]() {
    ScalableAllocator.#check(this);
    this.close();
  }

  // ---- internals -------------------------------------------------------------------

  #owns(ab) {
    if (ab === this.#empty) return true;
    const id = ChunkStamp.of(ab);
    return (id !== undefined && this.#chunks[id] === ab) || this.#tracked.has(ab);
  }

  // Frees [offset, offset + length) of ab, which must be ours; throws otherwise.
  #freeRange(ab, offset, length) {
    const id = ChunkStamp.of(ab);
    if (id !== undefined && this.#chunks[id] === ab) {
      if (length === 0) return;
      if (ab === this.#lastAb && offset < this.#lastOffset + this.#lastSize && this.#lastOffset < offset + length) {
        // Native code counts a parked range as allocated: freeing any of it again is ours to catch.
        if (this.#parkedSize !== -1) throw ERR_POOLMEM_DOUBLE_FREE(`bytes [${offset}, ${offset + length}) of the buffer`);
        this.#lastAb = null; // part of the last malloc goes: it is no longer whole
        this.#liveSize = -1;
      }
      scratch[ID] = this.#id;
      scratch[OFFSET] = id * TWO_32 + offset;
      scratch[SIZE] = length;
      if (scratch[SIZE] !== length) throw scratchDetached();
      const status = scalableFree();
      if (status !== FREE_OK) throw freeError(status, offset, length);
      return;
    }
    this.#freeOther(ab, offset, length);
  }

  #freeOther(ab, offset, length) {
    if (ab === this.#empty) return; // malloc(0): nothing to free
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
    if (this.#lastAb !== null) this.#settle();
    this.#drainLeaks();
    const stack = this.#level === 'paranoid' ? callerStack() : undefined;
    const block = this.#nextBlock++;
    const ab = this.#handle.mallocTracked(size, stack, group, this.#level !== 'disabled', block);
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
    if (ChunkStamp.of(ab) === undefined) new ChunkStamp(ab, chunk); // eslint-disable-line no-new
    return ab;
  }

  // A fast-mode malloc: the parked range when it has this size, else native.
  #mallocChunk(size) {
    if (size === this.#parkedSize) {
      this.#parkedSize = -1;
      this.#liveSize = size;
      this.#reused += size;
      return fresh(this.#lastAb, this.#lastOffset, size);
    }
    if (this.#parkedSize !== -1) this.#settle();
    scratch[ID] = this.#id;
    scratch[SIZE] = size;
    if (scratch[SIZE] !== size) throw scratchDetached();
    const chunk = scalableMalloc();
    if (chunk < 0) throw this.#outOfMemory(chunk, size);
    const ab = this.#chunkAt(chunk);
    const offset = scratch[OFFSET];
    this.#lastAb = ab;
    this.#lastChunk = chunk;
    this.#lastOffset = offset;
    this.#lastSize = size;
    this.#liveSize = size;
    return fresh(ab, offset, size);
  }

  // Returns a parked range to the pool and forgets the last malloc. Whatever
  // allocates, lends, counts or frees in bulk calls it first, so it sees the
  // pool as native code does; single frees (free, freeRest, addRecycleBytes)
  // need not: #freeRange checks them against the last malloc.
  #settle() {
    if (this.#parkedSize !== -1) {
      scratch[ID] = this.#id;
      scratch[OFFSET] = this.#lastChunk * TWO_32 + this.#lastOffset;
      scratch[SIZE] = this.#parkedSize;
      if (scratch[SIZE] !== this.#parkedSize) throw scratchDetached();
      scalableFree(); // cannot fail: native code holds it allocated and no free reached it
      this.#parkedSize = -1;
    }
    this.#lastAb = null;
    this.#liveSize = -1;
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
    if (this.#lastAb !== null) this.#settle();
    if (size === 0) return view(this.#empty, 0, 0);
    if (group !== 0) {
      const buf = this.#mallocTracked(size, group);
      ledger.addTracked(arrayBufferOf(buf), 0, size, this.#epoch);
      return buf;
    }
    scratch[ID] = this.#id;
    scratch[SIZE] = size;
    if (scratch[SIZE] !== size) throw scratchDetached();
    const chunk = scalableMalloc();
    if (chunk < 0) throw this.#outOfMemory(chunk, size);
    const offset = scratch[OFFSET];
    ledger.add(chunk * TWO_32 + offset, size, this.#epoch);
    return fresh(this.#chunkAt(chunk), offset, size);
  }

  // RecyclableMemory#addRecycleBytes: records how to free buf; throws for foreign buffers.
  #locate(buf, ledger) {
    if (this.#closed) throw ERR_POOLMEM_CLOSED('allocator');
    const ab = arrayBufferOf(buf);
    const offset = byteOffsetOf(buf);
    const length = viewByteLength(buf);
    if (ab === this.#empty) return;
    const id = ChunkStamp.of(ab);
    if (id !== undefined && this.#chunks[id] === ab) {
      if (length !== 0) ledger.add(id * TWO_32 + offset, length, this.#epoch);
    } else if (this.#tracked.has(ab)) {
      if (length !== 0) ledger.addTracked(ab, offset, length, this.#epoch);
    } else {
      throw ERR_POOLMEM_FOREIGN_BUFFER('allocator');
    }
  }

  // Frees a RecyclableMemory's entries: one native call for the chunk ranges.
  // Returns how many could not be freed (already freed by someone else).
  #freeLedger(slots, count, tracked) {
    if (this.#closed) return 0;
    if (this.#lastAb !== null) this.#settle();
    let failed = 0;
    for (let start = 0; start < count; start += BATCH_ENTRIES) {
      const n = Math.min(count - start, BATCH_ENTRIES);
      for (let i = 0, j = start * 2; i < n * 2; i++, j++) batch[i] = slots[j];
      scratch[ID] = this.#id;
      scratch[SIZE] = n;
      if (scratch[SIZE] !== n || batch[0] !== slots[start * 2]) throw scratchDetached();
      failed += scalableFreeBatch();
    }
    if (tracked !== null) {
      for (let i = 0; i < tracked.length; i += 3) {
        const block = this.#tracked.get(tracked[i]);
        if (block === undefined || this.#handle.freeTracked(block, tracked[i + 1], tracked[i + 2]) !== FREE_OK) failed++;
      }
    }
    return failed;
  }

  // RecyclableMemory#_onClipFront: frees buf now if the ledger holds it, and forgets it.
  #freeFromLedger(buf, ledger) {
    if (this.#closed) return;
    if (this.#lastAb !== null) this.#settle();
    const ab = viewBuffer(buf);
    const offset = viewByteOffset(buf);
    const length = viewByteLength(buf);
    const id = ChunkStamp.of(ab);
    if (id !== undefined && this.#chunks[id] === ab) {
      const handle = id * TWO_32 + offset;
      const s = ledger.slots;
      for (let i = 0; i < ledger.count * 2; i += 2) {
        if (s[i] !== handle || s[i + 1] !== length) continue;
        const last = (ledger.count - 1) * 2;
        s[i] = s[last];
        s[i + 1] = s[last + 1];
        ledger.count--;
        scratch[ID] = this.#id;
        scratch[OFFSET] = handle;
        scratch[SIZE] = length;
        if (scratch[SIZE] !== length) throw scratchDetached();
        scalableFree(); // already freed elsewhere: nothing to do
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
  if (status === binding.scalableFreeCoversTracked) return ERR_POOLMEM_FOREIGN_BUFFER('allocator', 'view');
  return ERR_BUFFER_OUT_OF_BOUNDS('buf');
}

module.exports = { ScalableAllocator, internals: () => internals };
