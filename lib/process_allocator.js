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
// arena it touches, held weakly: views keep it alive, nothing else does.
// Safe mode (POOLMEM_SAFE=1 when poolmem loads, per thread; docs/design.md,
// Safe mode): every block has an ArrayBuffer of its own, free() poisons the
// freed bytes and holds them, and the block goes back only when that
// ArrayBuffer's native finalizer runs (native/addon/safe_block.h, as Arena's).
// A safe thread makes no ArrayBuffer over a whole arena, so no view of its
// can free another block's bytes.

const { constants } = require('node:buffer');
const binding = require('./internal/binding');
const { codes } = require('./internal/errors');
const { isDetached, viewByteLength } = require('./internal/intrinsics');
const { TrackedBuffer } = require('./internal/leak_detector');
const {
  ALLOC_OK, FREE_DOUBLE, FREE_OK, PROCESS_ARENA_RELEASED, PROCESS_ARENA_SPARED, PROCESS_FREE_DOUBLE, PROCESS_FREE_OK,
  PROCESS_FREE_UNKNOWN_ARENA, PROCESS_MAX_BLOCK, PROCESS_SPARE_RELEASED, processAlloc, processArena, processFree,
  processOffset, processReleasedArena,
} = require('./internal/native_contract');
const { arrayBufferOf, byteOffsetOf, fresh, view } = require('./internal/pool_buffer');
const { parseSafe } = require('./internal/safe_mode');
const { ArenaChunkStamp: ChunkStamp } = require('./internal/stamps');
const { isSize, isUint8Array, validateBuffer, validateInteger } = require('./internal/validators');

const { ERR_BUFFER_OUT_OF_BOUNDS, ERR_POOLMEM_DOUBLE_FREE, ERR_POOLMEM_FOREIGN_BUFFER, ERR_POOLMEM_OUT_OF_MEMORY } = codes;
const { processAllocSafe, processChunk, processFreeSafe, processRelease, processStats } = binding;

// The largest block: first-fit's granule limit, and at most what a Buffer
// may hold (4 GiB on Node 20, more on Node 22 and newer).
const MAX_REQUEST = Math.min(constants.MAX_LENGTH, PROCESS_MAX_BLOCK);
const kEmpty = new ArrayBuffer(0); // what alloc(0) views: owns no memory
// Decided once per thread, when poolmem loads: a block allocated in one mode
// is freed in that mode.
const SAFE = parseSafe({});
const kSafeOwner = Symbol('alloc'); // the TrackedBuffer owner of alloc()'s safe blocks

const chunks = new Map(); // arena id -> WeakRef<ArrayBuffer>
const forget = new FinalizationRegistry((id) => {
  if (chunks.get(id)?.deref() === undefined) chunks.delete(id);
});
let lastId = -1;     // the arena allocated from last, held strongly: the common case
let lastChunk = null;

function chunkOf(id) {
  let chunk = chunks.get(id)?.deref();
  if (chunk === undefined) {
    chunk = processChunk(id); // the block just allocated keeps the arena alive
    new ChunkStamp(chunk, id);
    chunks.set(id, new WeakRef(chunk));
    forget.register(chunk, id);
  }
  lastId = id;
  lastChunk = chunk;
  return chunk;
}

// A Buffer of `size` bytes (not zeroed), 16-byte aligned. alloc(0) is an
// empty Buffer that owns no memory.
function alloc(size) {
  if (!isSize(size, MAX_REQUEST)) validateInteger(size, 'size', 0, MAX_REQUEST);
  if (size === 0) return view(kEmpty, 0, 0);
  if (SAFE) return allocSafe(size);
  if (processAlloc(size) !== ALLOC_OK) throw ERR_POOLMEM_OUT_OF_MEMORY(`the system refused to map ${size} bytes`);
  const id = processArena();
  return fresh(id === lastId ? lastChunk : chunkOf(id), processOffset(), size);
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
  chunks.delete(id);
  if (lastId === id) {
    lastId = -1;
    lastChunk = null;
  }
  processRelease(chunk);
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
  if (isDetached(chunk)) throw ERR_POOLMEM_DOUBLE_FREE('its arena was already unmapped');
  const offset = byteOffsetOf(buf); // intrinsic reads: no caller code runs from here on
  const length = viewByteLength(buf);
  const result = processFree(id, offset, length);
  if (result === PROCESS_FREE_OK || result === PROCESS_ARENA_SPARED) return;
  if (result === PROCESS_ARENA_RELEASED) {
    releaseChunk(id, chunk);
    return;
  }
  if (result === PROCESS_SPARE_RELEASED) {
    const spare = processReleasedArena();
    const spareChunk = chunks.get(spare)?.deref();
    if (spareChunk !== undefined) releaseChunk(spare, spareChunk);
    else chunks.delete(spare);
    return;
  }
  if (result === PROCESS_FREE_DOUBLE) throw ERR_POOLMEM_DOUBLE_FREE(`bytes [${offset}, ${offset + length}) of its arena`);
  if (result === PROCESS_FREE_UNKNOWN_ARENA) throw ERR_POOLMEM_DOUBLE_FREE('its arena was already unmapped');
  throw ERR_BUFFER_OUT_OF_BOUNDS('buf');
}

// The process-wide allocator's numbers; heldSize is this thread's (safe mode:
// freed bytes waiting for their ArrayBuffer to be collected).
function allocStats() {
  const [arenas, size, usedSize, spareSize, heldSize] = processStats();
  return { arenas, size, usedSize, spareSize, heldSize, safe: SAFE };
}

module.exports = { alloc, allocStats, free };
