'use strict';
// The JS half of the native contract: every number both sides agree on
// (scratch slots, status codes, strategy kinds, limits), read once from
// binding.contract (native/addon/contract.cc) into module-level consts, and
// the scratch protocol of every hot path (docs/design.md, The JavaScript/C++
// calling convention). Nothing else in lib/ re-types a native value.

const binding = require('./binding');
const { codes, scratchDetached } = require('./errors');
const { MathFloor } = require('./intrinsics');

const { contract } = binding;

// A binary whose contract lacks a name is not this version's: fail at load,
// never with a silent undefined in a comparison.
function constant(name) {
  const value = contract === undefined ? undefined : contract[name];
  if (typeof value !== 'number') throw codes.ERR_POOLMEM_NO_BINARY(`The loaded poolmem binary does not export ${name}`);
  return value;
}

// ---- scratch slots: one name per meaning (native/addon/scratch.h) ---------------
const SLOT_POOL = constant('SLOT_POOL'); // the pool's handle id (arena*, scalable*)
const SLOT_ARENA = constant('SLOT_ARENA'); // alloc()/free(): the block's arena id
const SLOT_RELEASED_ARENA = constant('SLOT_RELEASED_ARENA'); // PROCESS_SPARE_RELEASED: the unmapped spare
const SLOT_OFFSET = constant('SLOT_OFFSET');
const SLOT_CHUNK_HANDLE = constant('SLOT_CHUNK_HANDLE'); // scalableFree: chunk * HANDLE_STRIDE + offset
const SLOT_SIZE = constant('SLOT_SIZE');
const SLOT_COUNT = constant('SLOT_COUNT'); // scalableFreeBatch: pairs in the batch

// ---- status codes -------------------------------------------------------------------
const ALLOC_OK = constant('ALLOC_OK');
const NO_FIT = constant('NO_FIT');
const FREE_OK = constant('FREE_OK');
const FREE_DOUBLE = constant('FREE_DOUBLE');
const FREE_OUT_OF_RANGE = constant('FREE_OUT_OF_RANGE');
const FREE_COVERS_TRACKED = constant('FREE_COVERS_TRACKED'); // a leak-tracked block's bytes: only its own buffer frees them
const CAP_REACHED = constant('CAP_REACHED');
const OS_REFUSED = constant('OS_REFUSED');
const CHUNK_TRANSFERRED = constant('CHUNK_TRANSFERRED'); // mallocTracked: retire the chunk, then ask again
const PROCESS_FREE_OK = constant('PROCESS_FREE_OK');
const PROCESS_FREE_DOUBLE = constant('PROCESS_FREE_DOUBLE');
const PROCESS_FREE_OUT_OF_RANGE = constant('PROCESS_FREE_OUT_OF_RANGE');
const PROCESS_FREE_UNKNOWN_ARENA = constant('PROCESS_FREE_UNKNOWN_ARENA');
const PROCESS_ARENA_RELEASED = constant('PROCESS_ARENA_RELEASED');
const PROCESS_ARENA_SPARED = constant('PROCESS_ARENA_SPARED');
const PROCESS_SPARE_RELEASED = constant('PROCESS_SPARE_RELEASED');

// ---- strategy kinds and limits ----------------------------------------------------
const STRATEGY_TREAP = constant('STRATEGY_TREAP');
const STRATEGY_AVL = constant('STRATEGY_AVL');
const STRATEGY_BUDDY = constant('STRATEGY_BUDDY');
const STRATEGY_FIRST_FIT = constant('STRATEGY_FIRST_FIT');
const MIN_GRANULE = constant('MIN_GRANULE');
const MAX_GRANULE = constant('MAX_GRANULE');
const MAX_GRANULE_COUNT = constant('MAX_GRANULE_COUNT');
const MAX_ALIGNMENT = constant('MAX_ALIGNMENT');
const MAX_ALIGNED_GRANULES = constant('MAX_ALIGNED_GRANULES');
const BUDDY_DEFAULT_MIN_BLOCK = constant('BUDDY_DEFAULT_MIN_BLOCK');
const FIRST_FIT_DEFAULT_GRANULE = constant('FIRST_FIT_DEFAULT_GRANULE');
const CHUNK_LIMIT = constant('CHUNK_LIMIT');
const HANDLE_STRIDE = constant('HANDLE_STRIDE');
const PROCESS_ALIGNMENT = constant('PROCESS_ALIGNMENT');
const PROCESS_MAX_BLOCK = constant('PROCESS_MAX_BLOCK');
const SAFE_POISON = constant('SAFE_POISON');

// ---- the hot paths -----------------------------------------------------------------
// One call target each (monomorphic call sites: native/addon/handle_table.h).
// Each writer reads back the last slot it wrote: a caller who transferred the
// shared array away leaves a detached one, whose writes vanish, and native
// code would act on stale numbers.
const {
  arenaAllocate: nativeArenaAllocate, arenaFree: nativeArenaFree, arenaScratch,
  scalableMalloc: nativeScalableMalloc, scalableBorrow: nativeScalableBorrow, scalableFree: nativeScalableFree,
  scalableFreeBatch: nativeScalableFreeBatch, scalableScratch, scalableBatch,
  processAlloc: nativeProcessAlloc, processFree: nativeProcessFree, processScratch,
} = binding;
const BATCH_LENGTH = scalableBatch.length;

// Arena fast mode: the offset of `size` new bytes, or NO_FIT.
function arenaAllocate(pool, size) {
  arenaScratch[SLOT_POOL] = pool;
  arenaScratch[SLOT_SIZE] = size;
  if (arenaScratch[SLOT_SIZE] !== size) throw scratchDetached();
  return nativeArenaAllocate() === ALLOC_OK ? arenaScratch[SLOT_OFFSET] : NO_FIT;
}

// Arena fast mode: a FREE_* status.
function arenaFree(pool, offset, size) {
  arenaScratch[SLOT_POOL] = pool;
  arenaScratch[SLOT_OFFSET] = offset;
  arenaScratch[SLOT_SIZE] = size;
  if (arenaScratch[SLOT_SIZE] !== size) throw scratchDetached();
  return nativeArenaFree();
}

// ScalableAllocator fast mode: the chunk id of `size` new bytes (their offset:
// scalableOffset()), or CAP_REACHED / OS_REFUSED.
function scalableMalloc(pool, size) {
  scalableScratch[SLOT_POOL] = pool;
  scalableScratch[SLOT_SIZE] = size;
  if (scalableScratch[SLOT_SIZE] !== size) throw scratchDetached();
  return nativeScalableMalloc();
}

// As scalableMalloc, for bytes lent until the next call (borrow()).
function scalableBorrow(pool, size) {
  scalableScratch[SLOT_POOL] = pool;
  scalableScratch[SLOT_SIZE] = size;
  if (scalableScratch[SLOT_SIZE] !== size) throw scratchDetached();
  return nativeScalableBorrow();
}

// Where the last scalableMalloc/scalableBorrow placed its bytes in the chunk.
function scalableOffset() {
  return scalableScratch[SLOT_OFFSET];
}

// A block's handle, as the batch and the ledgers keep it, and back.
function chunkHandle(chunk, offset) {
  return chunk * HANDLE_STRIDE + offset;
}

function handleChunk(handle) {
  return MathFloor(handle / HANDLE_STRIDE);
}

function handleOffset(handle) {
  return handle % HANDLE_STRIDE;
}

// Frees [offset, offset + size) of the chunk: a FREE_* status or FREE_COVERS_TRACKED.
function scalableFree(pool, chunk, offset, size) {
  scalableScratch[SLOT_POOL] = pool;
  scalableScratch[SLOT_CHUNK_HANDLE] = chunk * HANDLE_STRIDE + offset;
  scalableScratch[SLOT_SIZE] = size;
  if (scalableScratch[SLOT_SIZE] !== size) throw scratchDetached();
  return nativeScalableFree();
}

// Frees the first `count` (handle, size) pairs the caller wrote to
// scalableBatch (at most BATCH_ENTRIES); how many failed.
function scalableFreeBatch(pool, count) {
  scalableScratch[SLOT_POOL] = pool;
  scalableScratch[SLOT_COUNT] = count;
  if (scalableScratch[SLOT_COUNT] !== count || scalableBatch.length !== BATCH_LENGTH) throw scratchDetached();
  return nativeScalableFreeBatch();
}

// alloc(): ALLOC_OK with the block in processArena()/processOffset(), or NO_FIT.
function processAlloc(size) {
  processScratch[SLOT_SIZE] = size;
  if (processScratch[SLOT_SIZE] !== size) throw scratchDetached();
  return nativeProcessAlloc();
}

function processArena() {
  return processScratch[SLOT_ARENA];
}

function processOffset() {
  return processScratch[SLOT_OFFSET];
}

// free(): a PROCESS_* result; PROCESS_SPARE_RELEASED names the spare it
// unmapped in processReleasedArena().
function processFree(arena, offset, size) {
  processScratch[SLOT_ARENA] = arena;
  processScratch[SLOT_OFFSET] = offset;
  processScratch[SLOT_SIZE] = size;
  if (processScratch[SLOT_SIZE] !== size) throw scratchDetached();
  return nativeProcessFree();
}

function processReleasedArena() {
  return processScratch[SLOT_RELEASED_ARENA];
}

module.exports = {
  // slots (for tests that speak to the binding directly)
  SLOT_POOL, SLOT_ARENA, SLOT_RELEASED_ARENA, SLOT_OFFSET, SLOT_CHUNK_HANDLE, SLOT_SIZE, SLOT_COUNT,
  // statuses
  ALLOC_OK, NO_FIT, FREE_OK, FREE_DOUBLE, FREE_OUT_OF_RANGE, FREE_COVERS_TRACKED, CAP_REACHED, OS_REFUSED,
  CHUNK_TRANSFERRED, PROCESS_FREE_OK, PROCESS_FREE_DOUBLE, PROCESS_FREE_OUT_OF_RANGE, PROCESS_FREE_UNKNOWN_ARENA,
  PROCESS_ARENA_RELEASED, PROCESS_ARENA_SPARED, PROCESS_SPARE_RELEASED,
  // strategies and limits
  STRATEGY_TREAP, STRATEGY_AVL, STRATEGY_BUDDY, STRATEGY_FIRST_FIT, MIN_GRANULE, MAX_GRANULE, MAX_GRANULE_COUNT,
  MAX_ALIGNMENT, MAX_ALIGNED_GRANULES, BUDDY_DEFAULT_MIN_BLOCK, FIRST_FIT_DEFAULT_GRANULE, CHUNK_LIMIT,
  HANDLE_STRIDE, PROCESS_ALIGNMENT, PROCESS_MAX_BLOCK, SAFE_POISON, BATCH_ENTRIES: BATCH_LENGTH / 2,
  // the hot paths
  arenaAllocate, arenaFree, scalableMalloc, scalableBorrow, scalableOffset, scalableFree, scalableFreeBatch,
  scalableBatch, chunkHandle, handleChunk, handleOffset, processAlloc, processArena, processOffset, processFree, processReleasedArena,
};
