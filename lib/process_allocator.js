'use strict';
// alloc()/free(): one process-wide first-fit allocator over mmap'd arenas
// (smasher164/mem, fixed), shared by every worker thread through
// native/core/process_allocator. Blocks are 16-byte aligned; free() goes
// straight to the block's arena; the free that empties an arena drops it, and
// this thread detaches its ArrayBuffer over it (stale views read length 0), so
// the mapping is gone on the next turn. The exception: the most recently
// emptied arena of at most 4 MiB stays mapped as the one spare (its old
// spare is dropped instead), so a loop allocating and freeing a block no
// other arena holds does not map and unmap per pair. Each thread keeps one ArrayBuffer per
// arena it touches, held strongly while the arena holds this thread's blocks
// (so a transferred one stays visible as detached), then weakly.
// Safe mode (POOLMEM_SAFE=1 when poolmem loads, per thread; docs/design.md,
// Safe mode): every block has an ArrayBuffer of its own, free() poisons the
// freed bytes and holds them, and the block goes back only when that
// ArrayBuffer's native finalizer runs (native/addon/safe_block.h, as Arena's).
// A safe thread makes no ArrayBuffer over a whole arena, so no view of its
// can free another block's bytes.
// Fast mode puts a per-thread size-class cache (lib/internal/block_cache.js)
// in front of the native allocator, as Arena and ScalableAllocator do: a
// request of at most MAX_CLASS bytes gets a block of its class, and free() of
// that view puts the block back on this thread's class stack (at most
// CACHE_CAP_BYTES in all) without a native call. A cached block stays
// allocated natively, so its arena stays mapped; whatever needs the native
// allocator to see exactly what callers hold (any other free, allocStats())
// settles the cache first. A thread's blocks, cached ones too, go back to the
// arenas when it exits (the native ledger).

const { constants } = require('node:buffer');
const binding = require('./internal/binding');
const { codes } = require('./internal/errors');
const { BlockCache, CACHED, EXACT, FREE, LIVE, classIndex } = require('./internal/block_cache');
const {
  SafeFinalizationRegistry, SafeMap, SafeWeakRef, isDetached, noObjectPrototype, viewByteLength,
} = require('./internal/intrinsics');
const { TrackedBuffer } = require('./internal/leak_detector');
const {
  ALLOC_OK, FREE_DOUBLE, FREE_OK, PROCESS_ARENA_RELEASED, PROCESS_ARENA_SPARED, PROCESS_FREE_DOUBLE, PROCESS_FREE_OK,
  PROCESS_FREE_UNKNOWN_ARENA, PROCESS_MAX_BLOCK, PROCESS_SPARE_RELEASED, processAlloc, processArena, processFree,
  processOffset, processReleasedArena,
} = require('./internal/native_contract');
const {
  arrayBufferOf, blockOf, byteOffsetOf, detachProbe, fresh, freshBlock, genOf, view,
} = require('./internal/pool_buffer');
const { parseSafe } = require('./internal/safe_mode');
const { ArenaChunkStamp: ChunkStamp } = require('./internal/stamps');
const { isSize, isUint8Array, validateBuffer, validateInteger } = require('./internal/validators');

const {
  ERR_BUFFER_OUT_OF_BOUNDS, ERR_INVALID_STATE, ERR_POOLMEM_DOUBLE_FREE, ERR_POOLMEM_FOREIGN_BUFFER,
  ERR_POOLMEM_OUT_OF_MEMORY,
} = codes;
const { processAllocSafe, processChunk, processFreeSafe, processRelease, processStats } = binding;

// The largest block: first-fit's granule limit, and at most what a Buffer
// may hold (4 GiB on Node 20, more on Node 22 and newer).
const MAX_REQUEST = Math.min(constants.MAX_LENGTH, PROCESS_MAX_BLOCK);
const kEmpty = new ArrayBuffer(0); // what alloc(0) views: owns no memory
// Decided once per thread, when poolmem loads: a block allocated in one mode
// is freed in that mode.
const SAFE = parseSafe({});
const kSafeOwner = Symbol('alloc'); // the TrackedBuffer owner of alloc()'s safe blocks

// The size-class cache: requests of at most MAX_CLASS bytes (a quarter of
// the 1 MiB arena: larger ones may get an arena of their own), blocks 16-byte
// aligned as alloc() promises, at most CACHE_CAP_BYTES held per thread.
const ALIGNMENT = 16;
const MAX_CLASS = 256 * 1024;
const CACHE_CAP_BYTES = 8 * 1024 * 1024;

// This thread's view of each arena it touched: its ArrayBuffer, held
// strongly while the arena may hold this thread's blocks (or is the one
// allocated from last), weakly once a free spared it (views alone keep it
// then, and another thread's free may release it). Only that object can say
// a caller transferred it (it reads detached): were it collected while the
// arena holds our blocks, a new ArrayBuffer over the arena would hand the
// transferred memory out again.
class ArenaRef {
  constructor(id, chunk) {
    this.id = id;
    this.weak = new SafeWeakRef(chunk);
    this.chunk = chunk;              // strong, or null once spared (and not the last arena) or released
    this.probe = detachProbe(chunk); // reads undefined once a caller transferred chunk; null with chunk
  }

  // Strong again: a block of this thread's is about to be handed out in it.
  hold(chunk) {
    if (this.chunk !== chunk) {
      this.chunk = chunk;
      this.probe = detachProbe(chunk);
    }
  }

  letGo() {
    this.chunk = null;
    this.probe = null;
  }

  // The ArrayBuffer, if it is still alive.
  current() {
    return this.chunk ?? this.weak.deref();
  }
}
noObjectPrototype(ArenaRef);

const arenas = new SafeMap(); // arena id -> ArenaRef, while its ArrayBuffer lives
const forget = new SafeFinalizationRegistry((id) => {
  if (arenas.get(id)?.current() === undefined) arenas.delete(id);
});
let last = null;  // the ArenaRef allocated from last: the common case looks nothing up
let lastId = -1;  // its id
let lastSpared = false; // its arena holds none of this thread's blocks (emptied into the spare)
// Arenas alloc() moved to, by the low bits of their ids, so moving costs an
// array read, not a Map lookup: a ring of large buffers moves between
// several arenas on most pairs (with a Map, a WeakMap and a second Map
// touched per move, moving was half of each pair: docs/design.md, "Fast paths").
const RECENT_MASK = 15;
const recentArenas = new Array(RECENT_MASK + 1).fill(null);

// Fast mode: the blocks handed out and the class stacks; `chunk` is the arena id.
const cache = SAFE ? null : new BlockCache(ALIGNMENT, CACHE_CAP_BYTES, allocateNative, freeOwn);

// The ArenaRef of arena id, its ArrayBuffer held: alloc() hands out a block there.
function arenaOf(id) {
  let arena = recentArenas[id & RECENT_MASK];
  if (arena === null || arena.id !== id || arena.chunk === null) arena = lookUpArena(id);
  if (lastSpared) last.letGo(); // held no longer: views alone keep it (arenaOf() runs for another arena only)
  lastSpared = false;
  last = arena;
  lastId = id;
  return arena;
}

function lookUpArena(id) {
  let arena = arenas.get(id);
  const chunk = arena?.current();
  if (chunk === undefined) {
    const made = processChunk(id); // a block allocated in it keeps the arena alive
    new ChunkStamp(made, id);
    arena = new ArenaRef(id, made);
    arenas.set(id, arena);
    forget.register(made, id);
  } else {
    arena.hold(chunk);
  }
  recentArenas[id & RECENT_MASK] = arena;
  return arena;
}

// BlockCache's allocate(): one native alloc of `bytes`, its offset (the arena
// in cache.placedChunk), or -1 when the system refused to map memory.
function allocateNative(bytes) {
  if (processAlloc(bytes) !== ALLOC_OK) return -1;
  const id = processArena();
  cache.placedChunk = id;
  if (id === lastId) lastSpared = false; // the spare taken back: alloc() calls no arenaOf() for it
  return processOffset();
}

// A Buffer of `size` bytes (not zeroed), 16-byte aligned. alloc(0) is an
// empty Buffer that owns no memory.
function alloc(size) {
  if (!isSize(size, MAX_REQUEST)) validateInteger(size, 'size', 0, MAX_REQUEST);
  if (size === 0) return view(kEmpty, 0, 0);
  if (SAFE) return allocSafe(size);
  // Above the classes: an exact block, freed natively, with an id all the
  // same (a whole view freed piecewise is a double free: block_cache.js).
  const index = size > MAX_CLASS ? EXACT : classIndex(size);
  for (;;) {
    let block = index === EXACT ? -1 : cache.take(index, size);
    if (block < 0) block = cache.newBlock(index, size);
    if (block < 0) throw ERR_POOLMEM_OUT_OF_MEMORY(`the system refused to map ${size} bytes`);
    const id = cache.chunk[block];
    const arena = id === lastId ? last : arenaOf(id);
    // A caller may have transferred the arena's ArrayBuffer (checked first,
    // not caught: a try/catch around the view costs 50-80 ns per alloc).
    if (arena.probe[0] !== undefined) return freshBlock(arena.chunk, cache.offset[block], size, block, cache.gen[block]);
    forgetTransferred(id);
  }
}

// The block just taken lies in arena `id`, whose ArrayBuffer a caller
// transferred away: its memory is the new ArrayBuffer's, so the cache forgets
// every block there (the one just taken too) and hands none out again. They
// stay allocated natively until the thread exits, as do new blocks that land
// there, so alloc()'s loop ends once the native allocator places the request
// elsewhere.
function forgetTransferred(id) {
  cache.dropChunk(id);
}

function allocSafe(size) {
  const pair = processAllocSafe(size);
  if (pair === null) throw ERR_POOLMEM_OUT_OF_MEMORY(`the system refused to map ${size} bytes`);
  new TrackedBuffer(pair[0], kSafeOwner, null, pair[1], 0, size, null);
  return fresh(pair[0], 0, size);
}

// free() of a safe block's bytes: poisoned and held until its ArrayBuffer is
// collected. Offsets are the block's own.
function freeSafe(buf, arrayBuffer) {
  const tracked = TrackedBuffer.of(arrayBuffer);
  if (tracked === undefined || tracked.owner !== kSafeOwner) {
    if (arrayBuffer === kEmpty) return;
    throw ERR_POOLMEM_FOREIGN_BUFFER('process allocator');
  }
  const id = tracked.slot;
  const offset = byteOffsetOf(buf);
  const length = viewByteLength(buf);
  const status = processFreeSafe(id, offset, length);
  if (status === FREE_OK) return;
  if (status === FREE_DOUBLE) throw ERR_POOLMEM_DOUBLE_FREE(`bytes [${offset}, ${offset + length}) of its block`);
  throw ERR_BUFFER_OUT_OF_BOUNDS('buf');
}

// The arena `id` is gone: forget this thread's ArrayBuffer over it and detach
// it, so stale views read length 0 and the mapping goes on the next turn.
function releaseChunk(id, chunk) {
  arenas.get(id)?.letGo(); // and out of recentArenas' reach
  arenas.delete(id);
  if (lastId === id) {
    lastId = -1;
    last = null;
    lastSpared = false;
  }
  if (chunk !== undefined) processRelease(chunk);
}

// Frees the buffer, or any subarray of it: exactly those bytes (a 16-byte
// granule goes back to the arena once none of its bytes is live).
function free(buf) {
  if (!isUint8Array(buf)) validateBuffer(buf, 'buf');
  const chunk = arrayBufferOf(buf); // private fields or intrinsics (pool_buffer.js): no caller code
  if (SAFE) return freeSafe(buf, chunk);
  const id = ChunkStamp.of(chunk);
  if (id === undefined) {
    if (chunk === kEmpty) return; // alloc(0): nothing to free
    throw ERR_POOLMEM_FOREIGN_BUFFER('process allocator');
  }
  // A whole view this thread's cache made (only it makes block views over an
  // arena): private-field and typed-array reads only. A record whose id now
  // serves a block in another arena is from a handout that ended.
  const block = blockOf(buf);
  if (block >= 0) {
    const state = cache.chunk[block] === id ? cache.release(block, genOf(buf)) : FREE;
    if (state === CACHED) return;
    if (state === LIVE) return freeBlock(block, id, chunk); // outside the classes, or the cache is full
    if (state === FREE) throw ERR_POOLMEM_DOUBLE_FREE(`the block at byte ${byteOffsetOf(buf)} of its arena`);
  }
  if (isDetached(chunk)) throw ERR_POOLMEM_DOUBLE_FREE('its arena was already unmapped');
  // SETTLED: the block left the cache with none of its bytes freed
  // piecewise, so no other block overlaps them: freed natively as they are.
  if (block >= 0) return freeChecked(id, chunk, cache.offset[block], cache.length[block]);
  const offset = byteOffsetOf(buf); // intrinsic reads: no caller code runs from here on
  const length = viewByteLength(buf);
  // The native allocator judges this free: it must see what callers hold there.
  const touched = cache.settlePiece(id, offset, offset + length);
  freeChecked(id, chunk, offset, length);
  cache.piecesFreed(touched, offset, offset + length);
}

// Frees a caller's bytes in arena id (chunk: this thread's ArrayBuffer over
// it) natively; throws what the native allocator says of them.
function freeChecked(id, chunk, offset, length) {
  const result = processFree(id, offset, length);
  if (!freed(result, id, chunk)) throw freeError(result, offset, length);
}

// A LIVE block of the cache comes back whole: its whole reservation is freed natively.
function freeBlock(block, id, chunk) {
  if (isDetached(chunk)) throw ERR_POOLMEM_DOUBLE_FREE('its arena was already unmapped');
  const offset = cache.offset[block];
  const result = processFree(id, offset, cache.reserved(block));
  if (!freed(result, id, chunk)) throw freeError(result, offset, cache.length[block]);
  cache.drop(block);
}

// After a native free in arena `id` (chunk: this thread's ArrayBuffer over
// it, or undefined): true when it freed, with any arena it unmapped detached.
function freed(result, id, chunk) {
  if (result === PROCESS_FREE_OK) return true;
  if (result === PROCESS_ARENA_SPARED) { // empty of this thread's blocks: views alone keep it now
    if (id === lastId) lastSpared = true; // kept while it is the last: alloc() may take the spare back
    else arenas.get(id)?.letGo();
    return true;
  }
  if (result === PROCESS_ARENA_RELEASED) {
    releaseChunk(id, chunk);
    return true;
  }
  if (result === PROCESS_SPARE_RELEASED) {
    const spare = processReleasedArena();
    releaseChunk(spare, arenas.get(spare)?.current());
    return true;
  }
  return false;
}

function freeError(result, offset, length) {
  if (result === PROCESS_FREE_DOUBLE) return ERR_POOLMEM_DOUBLE_FREE(`bytes [${offset}, ${offset + length}) of its arena`);
  if (result === PROCESS_FREE_UNKNOWN_ARENA) return ERR_POOLMEM_DOUBLE_FREE('its arena was already unmapped');
  return ERR_BUFFER_OUT_OF_BOUNDS('buf');
}

// Makes the native allocator see exactly what callers hold
// (lib/internal/block_cache.js): cached blocks and the class slack of live
// ones go back. Bytes in an arena a caller transferred away stay allocated:
// they are the new ArrayBuffer's.
function settle() {
  if (cache !== null) cache.settle();
}

function freeOwn(id, offset, size) {
  const chunk = arenas.get(id)?.chunk ?? undefined; // held: a cached block lies there
  if (chunk !== undefined && isDetached(chunk)) return;
  if (!freed(processFree(id, offset, size), id, chunk)) {
    throw ERR_INVALID_STATE(`the process allocator refused its own block [${offset}, ${offset + size})`);
  }
}

// The process-wide allocator's numbers; heldSize is this thread's (safe mode:
// freed bytes waiting for their ArrayBuffer to be collected). This thread's
// cache is settled first, so they count what callers hold.
function allocStats() {
  settle();
  const s = processStats();
  return { arenas: s[0], size: s[1], usedSize: s[2], spareSize: s[3], heldSize: s[4], safe: SAFE };
}

module.exports = { CACHE_CAP_BYTES, MAX_CLASS, alloc, allocStats, free, settle };
