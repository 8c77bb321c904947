'use strict';
// ScalableSpace: the memory side of a ScalableAllocator (lib/scalable_allocator.js
// validates and counts down to tracked allocations; this owns what they land in).
// Chunk bookkeeping: native code makes each chunk's ArrayBuffer and puts it in
// `chunks[id]`; JS stamps it with its id the first time it takes it
// (ChunkStamp), so a free maps a view's ArrayBuffer back to its chunk without
// reading a caller's property, and checks chunks[id] is that ArrayBuffer: a
// foreign buffer, another allocator's, or a released chunk's detached one is
// never mistaken for ours. Cache glue: chunk allocations go through a
// size-class cache (lib/internal/block_cache.js); whatever needs native code to see
// exactly what callers hold settles it first (settle()).
// Tracked allocations (safe mode, leak samples, sampled RecyclableMemory) own
// an ArrayBuffer each (TrackedBuffer, lib/internal/leak_detector.js); only its native
// finalizer returns unfreed bytes, and leaks are reported the next time one is
// made or stats()/trim()/recycle()/close() runs (drainLeaks()).
// A chunk whose ArrayBuffer a caller transferred away (ArrayBuffer#transfer)
// retires (retireTransferred()): native code places nothing there again, what
// callers held there counts as freed (and in stats().transferred), and free()
// of a view over it does nothing: that memory is the new ArrayBuffer's now.

const { constants } = require('node:buffer');
const { callerStack, codes } = require('./errors');
const { ArrayBuffer, SafeMap, isDetached, noObjectPrototype, ownArray } = require('./intrinsics');
const { BlockCache, EXACT, FREE, LIVE, classIndex, classLimit } = require('./block_cache');
const { DISABLED, PARANOID, TrackedBuffer } = require('./leak_detector');
const {
  arrayBufferOf, blockOf, blockView, byteOffsetOf, detachProbe, fresh, freshBlock, freshLent, genOf, isLent,
  recordedArrayBuffer,
} = require('./pool_buffer');
const { ChunkStamp, LentStamp, RetiredChunkStamp } = require('./stamps');

const {
  ERR_BUFFER_OUT_OF_BOUNDS, ERR_INVALID_STATE, ERR_POOLMEM_CLOSED, ERR_POOLMEM_DOUBLE_FREE, ERR_POOLMEM_FOREIGN_BUFFER,
  ERR_POOLMEM_OUT_OF_MEMORY,
} = codes;

// The hot paths and the statuses they return (lib/internal/native_contract.js).
const {
  CAP_REACHED, CHUNK_LIMIT, CHUNK_TRANSFERRED, FREE_COVERS_TRACKED, FREE_DOUBLE, FREE_OK,
  scalableBorrow, scalableFree, scalableFreeBatch, scalableMalloc, scalableOffset,
} = require('./native_contract');
const MAX_REQUEST = Math.min(constants.MAX_LENGTH, CHUNK_LIMIT); // a chunk (and so a request): handles stay exact
const CACHE_CAP_BYTES = 16 * 1024 * 1024; // bytes the class stacks and the park may hold

class ScalableSpace {
  // handle: the native ScalableAllocatorHandle, made over `chunks` (the array
  // native code puts chunk ArrayBuffers in); leaks: the allocator's LeakDetector.
  constructor(handle, chunks, { kind, alignment, safe, maxSize, leaks }) {
    this.handle = handle;
    this.id = handle.id(); // handle id for the module-level fast path
    this.chunks = chunks;  // chunk id -> chunk ArrayBuffer (fast mode), written by native code
    this.probes = ownArray(); // chunk id -> a detachProbe() of its ArrayBuffer (chunkAt() makes it)
    this.empty = new ArrayBuffer(0); // what malloc(0) views: owns no memory
    // Names this space in its chunks' stamps without reaching it: native code
    // holds the chunks strongly, so a stamp holding the space would keep the
    // allocator alive for the life of the process.
    this.token = {};
    this.safe = safe;
    this.maxSize = maxSize;
    this.leaks = leaks;
    this.closed = false;
    this.epoch = 0;     // bumped by recycle()/close(): RecyclableMemory entries before it are void
    this.nextBlock = 1; // tracked block ids (native code keys its blocks by them)
    // Chunk blocks handed out, and the size-class stacks; allocate() is its miss path.
    this.cache = new BlockCache(alignment, CACHE_CAP_BYTES, (bytes) => this.allocate(bytes), this.settleRange);
    this.maxClass = classLimit(kind, alignment); // largest request served from a size class; 0: every block exact
    // What native totals miss or overcount because of the cache: bytes callers
    // were handed or gave back through it, less what native code counted for
    // class blocks (their whole class size, and the settled remainders).
    this.mallocAdjust = 0;
    this.freeAdjust = 0;
    this.transferredAdjust = 0; // mallocs that landed in a transferred chunk: retired with it, handed to nobody
  }

  // ---- ownership ---------------------------------------------------------------

  // The id of the live chunk whose ArrayBuffer ab is, else undefined.
  chunkIdOf(ab) {
    const stamp = ChunkStamp.of(ab);
    return stamp !== undefined && this.chunks[stamp.id] === ab ? stamp.id : undefined;
  }

  // True for the ArrayBuffer of a chunk of ours released since (by trim(),
  // or a free that emptied it): a view over it is of memory freed already.
  isReleased(ab) {
    const stamp = ChunkStamp.of(ab);
    return stamp !== undefined && stamp.owner === this.token && this.chunks[stamp.id] !== ab;
  }

  // The native block id of a tracked allocation's own ArrayBuffer of this allocator, else undefined.
  trackedBlock(ab) {
    const tracked = TrackedBuffer.of(ab);
    return tracked !== undefined && tracked.owner === this ? tracked.slot : undefined;
  }

  // True for a chunk ArrayBuffer of ours a caller transferred away: its views free nothing.
  isRetired(ab) {
    return RetiredChunkStamp.of(ab) === this;
  }

  owns(ab) {
    return ab === this.empty || this.chunkIdOf(ab) !== undefined || this.trackedBlock(ab) !== undefined ||
      this.isRetired(ab);
  }

  // The ArrayBuffer of chunk `chunk` (native code put it in `chunks`), stamped
  // with its id the first time: JS never reads a property of a caller's
  // ArrayBuffer, which could run the caller's getter in the middle of a free.
  chunkAt(chunk) {
    const ab = this.chunks[chunk];
    if (ChunkStamp.of(ab) === undefined) { // first seen (a new chunk at this id is a new ArrayBuffer): its probe too
      new ChunkStamp(ab, { id: chunk, owner: this.token });
      this.probes[chunk] = detachProbe(ab);
    }
    return ab;
  }

  // ---- chunk blocks ----------------------------------------------------------

  // For malloc()'s lane: when n is the parked block id's length, copies
  // the block for the lanes (BlockCache#mirror()) with its chunk's
  // ArrayBuffer and detach probe, and returns true; false changes nothing.
  // The lanes then hand it out and take it back from the copy until
  // something else changes the block.
  mirrorParked(id, n) {
    const cache = this.cache;
    if (cache.length[id] !== n) return false;
    const chunk = cache.chunk[id];
    cache.mirror(id, this.chunks[chunk], this.probes[chunk]);
    return true;
  }

  // free()'s lane for a view of any class block: a whole view of its
  // current handout, over its live chunk, goes to the park
  // (BlockCache#park). False changes nothing: free() decides.
  park(buf) {
    const id = blockOf(buf);
    if (id < 0) return false;
    const cache = this.cache;
    return recordedArrayBuffer(buf) === this.chunks[cache.chunk[id]] && cache.park(id, genOf(buf));
  }

  // stats() totals: what the cache handed out and took back beyond native code's count.
  mallocTotalAdjust() {
    return this.mallocAdjust + this.cache.reissued;
  }

  freeTotalAdjust() {
    return this.freeAdjust + this.cache.reissued + this.cache.leftPark;
  }

  // A fast-mode malloc: a cached block of its class, else a new block.
  mallocChunk(size) {
    const cache = this.cache;
    let id;
    if (size <= this.maxClass) {
      const index = classIndex(size);
      id = cache.take(index, size);
      if (id < 0) id = this.newBlock(index, size);
      this.mallocAdjust += size;
    } else {
      id = this.newBlock(EXACT, size);
    }
    const chunk = cache.chunk[id];
    const ab = this.chunks[chunk];
    // A caller may have transferred the chunk's ArrayBuffer: no view can be
    // made over it. Checked first, not caught: a try/catch around the view
    // costs 50-80 ns per malloc on Node 20 and 24 (the view's construction is
    // no longer inlined).
    if (this.chunkGone(chunk)) return this.mallocInTransferred(size);
    return freshBlock(ab, cache.offset[id], size, id, cache.gen[id]);
  }

  // True when chunk `chunk`'s ArrayBuffer was transferred away: one element
  // read of a one-byte probe view kept per chunk (detachProbe() in
  // pool_buffer.js). ab.byteLength would be a builtin call on Node 20, about
  // 60 machine instructions per malloc. probes[chunk] is the current chunk's:
  // every cache block was placed by allocate(), whose chunkAt() made it, and
  // the chunk cannot be replaced while a block of it is allocated natively.
  chunkGone(chunk) {
    return this.probes[chunk][0] === undefined;
  }

  // A block of class `index` (or an EXACT one) from native code, handed out as
  // n bytes: its cache id. Throws when the allocator is full.
  newBlock(index, n) {
    const cache = this.cache;
    const id = cache.newBlock(index, n);
    if (id < 0) throw this.outOfMemory(id, n);
    if (index !== EXACT) this.mallocAdjust -= cache.reserved(id); // counted by native code
    return id;
  }

  // BlockCache's allocate(): one native malloc of size bytes, its offset (the
  // chunk in cache.placedChunk), or the native status (< 0).
  allocate(size) {
    const chunk = scalableMalloc(this.id, size);
    if (chunk < 0) return chunk;
    // Read first: every native call rewrites the shared scratch, so nothing
    // that could call back into the allocator may come between (chunkAt()
    // runs no caller code: its lists have no prototype).
    const offset = scalableOffset();
    this.chunkAt(chunk);
    this.cache.placedChunk = chunk;
    return offset;
  }

  // One native free of [offset, offset + size) of chunk; the status.
  nativeFree(chunk, offset, size) {
    return scalableFree(this.id, chunk, offset, size);
  }

  // A cache block's view (generation gen) comes back: free()'s fast path.
  // Returns CACHED or LIVE (done), FREE (a double free, nothing changed), or
  // SETTLED (the block left the cache: the caller frees the range natively).
  releaseBlock(id, gen) {
    const cache = this.cache;
    const state = cache.release(id, gen);
    // A CACHED block is counted freed when it leaves the park (freeTotalAdjust()).
    if (state === LIVE && this.freeBlock(id) !== FREE_OK) return FREE;
    return state;
  }

  // A LIVE block whose release() found no room in the cache (or an exact one):
  // native code frees its whole reservation. Returns the native status.
  freeBlock(id) {
    const cache = this.cache;
    const bytes = cache.reserved(id);
    const status = this.nativeFree(cache.chunk[id], cache.offset[id], bytes);
    if (status !== FREE_OK) return status; // an exact block partly freed already: nothing changed
    if (cache.klass[id] !== EXACT) this.freeAdjust += cache.length[id] - bytes;
    cache.drop(id);
    return FREE_OK;
  }

  // Makes native code see exactly what callers hold (lib/internal/block_cache.js).
  // Whatever frees chunk memory natively, counts or frees in bulk calls it first.
  settle() {
    this.cache.settle();
  }

  // settle()'s native free of a range the cache held (a cached block, or the
  // slack of a live one).
  settleRange = (chunk, offset, size) => {
    this.freeOwn(chunk, offset, size);
    this.freeAdjust -= size;
  };

  // Frees natively a range the allocator knows it holds: must succeed.
  freeOwn(chunk, offset, size) {
    const status = this.nativeFree(chunk, offset, size);
    if (status !== FREE_OK) throw ERR_INVALID_STATE(`the allocator refused its own block [${offset}, ${offset + size})`);
  }

  // Frees natively a caller's range of chunk; throws what the strategy says of it.
  freeChecked(chunk, offset, length) {
    const status = this.nativeFree(chunk, offset, length);
    if (status !== FREE_OK) throw freeError(status, offset, length);
  }

  // The whole view of block id came back after the block left the cache
  // (release() said SETTLED and retired the id): native code frees its bytes
  // as they are. None was freed piecewise, so no other block overlaps them
  // and no settling or search is needed.
  freeSettled(id) {
    const cache = this.cache;
    this.freeChecked(cache.chunk[id], cache.offset[id], cache.length[id]);
  }

  // freeRest() of buf, a whole block view (block id) over ab. A view whose
  // handout ended (freed, the block cached or handed out again) is a double
  // free: its bytes may be another caller's now. Keeping all of it frees
  // nothing and returns a view with the same record (so freeing both is a
  // double free, as for the one). Otherwise the block keeps its first keep
  // bytes and the rest goes back in one native call (BlockCache#restOf).
  // Returns the kept view, or null when freeRange() must decide (keep 0,
  // some of the block's bytes freed piecewise, a chunk transferred away).
  shrinkBlock(buf, id, ab, keep) {
    const cache = this.cache;
    const chunk = cache.chunk[id];
    const gen = genOf(buf);
    if (ab !== this.chunks[chunk]) {
      // Made over another live chunk of ours: the id serves a block elsewhere now.
      if (this.chunkIdOf(ab) !== undefined) throw blockDoubleFree(buf);
      return null;
    }
    if (cache.handoutEnded(id, gen)) throw blockDoubleFree(buf);
    const offset = cache.offset[id];
    const length = cache.length[id];
    if (keep >= length) return blockView(ab, offset, length, id, gen);
    const bytes = keep > 0 ? cache.restOf(id, keep) : -1;
    if (bytes < 0) return null;
    this.freeOwn(chunk, offset + keep, bytes);
    this.freeAdjust += length - keep - bytes; // class slack: never a caller's, counted freed natively
    return blockView(ab, offset, keep, id, cache.shrink(id, keep)); // the caller's bytes: never zero-filled
  }

  // Frees [offset, offset + length) of ab, which must be ours; throws otherwise.
  freeRange(ab, offset, length) {
    const id = this.chunkIdOf(ab);
    if (id !== undefined) {
      if (length === 0) return;
      // Native code judges chunk frees: it must see what callers hold there.
      const touched = this.cache.settlePiece(id, offset, offset + length);
      this.freeChecked(id, offset, length);
      this.cache.piecesFreed(touched, offset, offset + length);
      return;
    }
    if (ab === this.empty) return; // malloc(0): nothing to free
    if (this.isRetired(ab)) return; // transferred away: freed by nobody
    const block = this.trackedBlock(ab);
    if (block === undefined) throw this.notOurs(ab);
    const status = this.handle.freeTracked(block, offset, length);
    if (status !== FREE_OK) throw freeError(status, offset, length);
  }

  // Frees count (handle, size) pairs the caller put in `batch`; returns how
  // many native code refused (freed already).
  freeBatch(count) {
    return scalableFreeBatch(this.id, count);
  }

  // ---- borrowed and tracked memory -------------------------------------------------

  borrow(size) {
    // The free memory the cache holds (blocks handed out keep their fast frees).
    this.cache.settleCached();
    if (this.safe) {
      const ab = this.handle.borrowSafe(size);
      if (typeof ab === 'number') throw this.outOfMemory(ab, size);
      new LentStamp(ab, this); // an ArrayBuffer of its own: whose lent view it is
      return freshLent(ab, 0, size);
    }
    for (;;) {
      const chunk = scalableBorrow(this.id, size);
      if (chunk < 0) throw this.outOfMemory(chunk, size);
      const offset = scalableOffset(); // before chunkAt(): see allocate()
      const ab = this.chunkAt(chunk);
      if (!this.chunkGone(chunk)) return freshLent(ab, offset, size);
      // Transferred away. A borrow reserves nothing: retire the chunk, ask again.
      if (this.retireTransferred() === 0) throw ERR_INVALID_STATE('a transferred chunk could not be retired');
    }
  }

  // Throws when buf is a Buffer this allocator's borrow() lent: freeing it
  // would free bytes it never allocated (perhaps a later malloc's). Lent by
  // another allocator, it is that one's (a foreign buffer here).
  refuseLent(buf) {
    if (isLent(buf) && this.lentOver(arrayBufferOf(buf))) {
      throw ERR_POOLMEM_DOUBLE_FREE('the buffer borrow() lent: its bytes were never allocated');
    }
  }

  // True when borrow() lends views over ab: a chunk of ours (chunkAt()
  // stamped it; live, released or retired since), or a safe-mode borrow's
  // own ArrayBuffer.
  lentOver(ab) {
    const chunk = ChunkStamp.of(ab);
    return (chunk !== undefined && chunk.owner === this.token) || LentStamp.of(ab) === this;
  }

  // An allocation with an ArrayBuffer of its own (group: its RecyclableMemory's, or 0).
  mallocTracked(size, group) {
    const level = this.leaks.level;
    // Formatting the stack runs the caller's Error.prepareStackTrace, which
    // may use this allocator (even close it): first, and checked after.
    const stack = level === PARANOID ? callerStack() : undefined;
    if (this.closed) throw ERR_POOLMEM_CLOSED('allocator');
    this.drainLeaks();
    const block = this.nextBlock++;
    let ab = this.handle.mallocTracked(size, stack, group, level !== DISABLED, block);
    while (ab === CHUNK_TRANSFERRED) {
      this.retireLandedIn(size);
      ab = this.handle.mallocTracked(size, stack, group, level !== DISABLED, block);
    }
    if (typeof ab === 'number') throw this.outOfMemory(ab, size);
    new TrackedBuffer(ab, this, null, block, 0, size, null);
    return fresh(ab, 0, size);
  }

  // Reports leaks the native finalizers found since the last call, once each.
  drainLeaks() {
    const leaks = this.handle.takeLeaks();
    if (leaks === undefined) return;
    const groups = new SafeMap(); // group -> its entry in `found`, in the order first found
    const found = ownArray();
    for (let i = 0; i < leaks.length; i++) {
      const bytes = leaks[i][0];
      const group = leaks[i][1];
      const stack = leaks[i].length > 2 ? leaks[i][2] : undefined; // [bytes, group] when no stack was recorded
      if (group === 0) {
        this.leaks.report(`${bytes} bytes from ScalableAllocator#malloc() became unreachable without free()`, stack);
        continue;
      }
      let g = groups.get(group);
      if (g === undefined) {
        g = { group, buffers: 0, bytes: 0, stack };
        groups.set(group, g);
        found[found.length] = g;
      }
      g.buffers++;
      g.bytes += bytes;
    }
    for (let i = 0; i < found.length; i++) {
      const g = found[i];
      this.leaks.report(
        `A RecyclableMemory became unreachable without recycle() (${g.buffers} buffers, ${g.bytes} bytes)`, g.stack, g.group);
    }
  }

  // ---- transferred chunks ------------------------------------------------------

  // The block just taken for a malloc of size bytes lies in a chunk a caller
  // transferred away: the chunk retires (the block with it) and another
  // chunk serves the request.
  mallocInTransferred(size) {
    this.retireLandedIn(size); // settles first: the block then holds exactly `size` bytes natively
    return this.mallocChunk(size);
  }

  // A malloc of size bytes landed in a chunk a caller transferred away: the
  // allocation, handed to nobody, keeps that chunk from being released until
  // it retires with it, and then counts nowhere (not as malloc, free or
  // transferred bytes). The caller asks again.
  retireLandedIn(size) {
    if (this.retireTransferred() === 0) throw ERR_INVALID_STATE('a transferred chunk could not be retired');
    this.mallocAdjust -= size;
    this.freeAdjust -= size;
    this.transferredAdjust -= size;
  }

  // Retires every chunk whose ArrayBuffer a caller transferred away (its
  // length reads 0): its memory belongs to the new ArrayBuffer, so native code
  // never places anything there again and counts what callers held there as
  // freed and transferred, the cache forgets its blocks, and free() of a view
  // over it does nothing (freeRange()). Returns how many it retired.
  retireTransferred() {
    const chunks = this.chunks;
    const found = ownArray();
    for (let chunk = 0; chunk < chunks.length; chunk++) {
      const ab = chunks[chunk];
      if (ab !== undefined && isDetached(ab)) {
        found[found.length] = chunk;
        found[found.length] = ab;
      }
    }
    if (found.length === 0) return 0;
    // Native code must count exactly what callers hold. (Settling may empty
    // and release a found chunk: its views free nothing all the same.)
    this.settle();
    for (let i = 0; i < found.length; i += 2) {
      new RetiredChunkStamp(found[i + 1], this);
      this.handle.retireChunk(found[i]); // clears chunks[chunk]
      this.cache.dropChunk(found[i]);
    }
    return found.length / 2;
  }

  // What stats(), trim() and recycle() need first: transferred chunks
  // retired, the cache settled, leaks reported.
  reconcile() {
    this.retireTransferred();
    this.settle();
    this.drainLeaks();
  }

  // The error for a free of a view over ab, which owns() says is not ours now.
  notOurs(ab) {
    if (this.isReleased(ab)) return ERR_POOLMEM_DOUBLE_FREE('the chunk it lies in was already released');
    return ERR_POOLMEM_FOREIGN_BUFFER('allocator');
  }

  outOfMemory(code, size) {
    if (code === CAP_REACHED && size <= MAX_REQUEST) {
      const cap = this.maxSize === 0 ? 'the 4 GiB chunk limit' : `maxSize (${this.maxSize} bytes)`;
      return ERR_POOLMEM_OUT_OF_MEMORY(`${size} more bytes would exceed ${cap}`);
    }
    return ERR_POOLMEM_OUT_OF_MEMORY(`the operating system refused a new chunk for ${size} bytes`);
  }
}
noObjectPrototype(ScalableSpace);

// A whole block view whose handout ended.
function blockDoubleFree(buf) {
  return ERR_POOLMEM_DOUBLE_FREE(`the block at byte ${byteOffsetOf(buf)} of its chunk`);
}

function freeError(status, offset, length) {
  if (status === FREE_DOUBLE) return ERR_POOLMEM_DOUBLE_FREE(`bytes [${offset}, ${offset + length}) of the buffer`);
  // Only a leak-tracked allocation's own buffer may free its bytes.
  if (status === FREE_COVERS_TRACKED) return ERR_POOLMEM_FOREIGN_BUFFER('allocator', 'view');
  return ERR_BUFFER_OUT_OF_BOUNDS('buf');
}

module.exports = { MAX_REQUEST, ScalableSpace, blockDoubleFree };
