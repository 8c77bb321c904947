'use strict';
// Ledger: what a RecyclableMemory's recycle() frees, kept apart from its
// buffer list, and how each entry goes back to its allocator's ScalableSpace
// (lib/internal/scalable_space.js). Fast-mode entries live in a Float64Array of
// (handle, length, block, generation) quadruples: a block of the size-class
// cache goes back like free() of its view (no native call), other ranges
// (views the allocator did not make) by one native call per batch. Tracked
// entries (a sampled RecyclableMemory's) are (ArrayBuffer, offset, length)
// triples. Entries are valid for one allocator epoch: recycle() and close()
// of the allocator free everything, and void them.

const { codes } = require('./errors');
const {
  ArrayPrototypeSplice, Float64Array, noObjectPrototype, ownArray, viewBuffer, viewByteLength, viewByteOffset,
} = require('./intrinsics');
const {
  BATCH_ENTRIES, FREE_OK, chunkHandle, handleChunk, handleOffset, scalableBatch: batch,
} = require('./native_contract');
const { FREE, SETTLED } = require('./block_cache');
const { arrayBufferOf, blockOf, byteOffsetOf, genOf, view } = require('./pool_buffer');
const { grown } = require('./typed_arrays');

const { ERR_POOLMEM_CLOSED } = codes;
const ENTRY = 4; // numbers per fast-mode entry in slots
// The block of an entry that is no cache block's whole view: PIECE, a view
// the allocator did not make (it may cut a block the strategy judges), or
// SETTLED_BLOCK, a whole block that left the cache since (its id is retired).
const PIECE = -1;
const SETTLED_BLOCK = -2;

class Ledger {
  slots = new Float64Array(64);
  capacity = 64; // of slots
  count = 0;
  ranges = 0; // entries with block -1: freeAll() must settle the cache for them
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
    const i = this.count * ENTRY;
    if (i === this.capacity) { // a number: a typed array's .length and .set() are a caller's to replace
      this.capacity = i * 2;
      slots = this.slots = grown(slots, i * 2);
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
    const at = i * ENTRY;
    const last = (this.count - 1) * ENTRY;
    if (s[at + 2] < 0) this.ranges--;
    for (let k = 0; k < ENTRY; k++) s[at + k] = s[last + k];
    this.count--;
  }

  addTracked(arrayBuffer, offset, length, epoch) {
    if (epoch !== this.epoch) this.#sync(epoch);
    if (this.tracked === null) this.tracked = ownArray();
    const t = this.tracked;
    t[t.length] = arrayBuffer;
    t[t.length] = offset;
    t[t.length] = length;
  }

  clear() {
    this.count = 0;
    this.ranges = 0;
    this.tracked = null;
  }

  // ---- the allocator side ----------------------------------------------------------

  // RecyclableMemory#nextN: a malloc from space recorded here (group: the
  // memory's leak-detection group, 0 when untracked).
  malloc(space, size, group) {
    if (space.closed) throw ERR_POOLMEM_CLOSED('allocator');
    if (size === 0) return view(space.empty, 0, 0);
    if (group !== 0) {
      const buf = space.mallocTracked(size, group);
      this.addTracked(arrayBufferOf(buf), 0, size, space.epoch);
      return buf;
    }
    const buf = space.mallocChunk(size);
    const cache = space.cache;
    const id = blockOf(buf);
    this.add(chunkHandle(cache.chunk[id], cache.offset[id]), size, id, cache.gen[id], space.epoch);
    return buf;
  }

  // RecyclableMemory#addRecycleBytes: records how to free buf; throws for foreign buffers.
  locate(space, buf) {
    if (space.closed) throw ERR_POOLMEM_CLOSED('allocator');
    space.refuseLent(buf);
    const ab = arrayBufferOf(buf);
    const offset = byteOffsetOf(buf);
    const length = viewByteLength(buf);
    if (ab === space.empty || space.isRetired(ab)) return; // nothing to free: see ScalableSpace#freeRange
    const id = space.chunkIdOf(ab);
    if (id !== undefined) {
      if (length === 0) return;
      // A whole view the cache made goes back like free(buf): its generation
      // decides, so a view whose handout ended (freed, settled or not, or
      // recycled) fails at recycle() and never frees its bytes' next owner.
      const block = blockOf(buf);
      if (block >= 0) this.add(chunkHandle(id, offset), length, block, genOf(buf), space.epoch);
      else this.add(chunkHandle(id, offset), length, PIECE, 0, space.epoch);
    } else if (space.trackedBlock(ab) !== undefined) {
      if (length !== 0) this.addTracked(ab, offset, length, space.epoch);
    } else {
      throw space.notOurs(ab); // a released chunk's view: a double free
    }
  }

  // RecyclableMemory#recycle: frees every entry of the allocator's current
  // epoch, cache blocks as free() would, blocks that left the cache by one
  // native call per batch, pieces one by one (each settling only what it
  // touches; the cache counts what each freed: BlockCache#piecesFreed).
  // Returns how many could not be freed (already freed by someone else).
  freeAll(space) {
    if ((this.count === 0 && this.tracked === null) || this.epoch !== space.epoch || space.closed) return 0;
    const { slots, count, tracked } = this;
    let failed = 0;
    let ranges = this.ranges;
    for (let i = 0; i < count * ENTRY; i += ENTRY) {
      const block = slots[i + 2];
      if (block < 0) continue;
      const status = space.releaseBlock(block, slots[i + 3]);
      if (status === FREE) failed++;
      else if (status === SETTLED) {
        slots[i + 2] = SETTLED_BLOCK; // left the cache since: native code frees the range
        ranges++;
      }
    }
    if (ranges !== 0) {
      // A settled block's range is its caller's alone (release() saw no byte
      // of it freed): native code judges it as it is. A piece settles what it
      // touches first (BlockCache#settlePiece).
      let n = 0;
      for (let i = 0; i < count * ENTRY; i += ENTRY) {
        if (slots[i + 2] !== SETTLED_BLOCK) continue;
        batch[2 * n] = slots[i];
        batch[2 * n + 1] = slots[i + 1];
        if (++n === BATCH_ENTRIES) {
          failed += space.freeBatch(n);
          n = 0;
        }
      }
      if (n !== 0) failed += space.freeBatch(n);
      for (let i = 0; i < count * ENTRY; i += ENTRY) {
        if (slots[i + 2] !== PIECE) continue;
        const chunk = handleChunk(slots[i]);
        const offset = handleOffset(slots[i]);
        const touched = space.cache.settlePiece(chunk, offset, offset + slots[i + 1]);
        // A batch of one: a retired chunk's range counts as freed, as in a batch.
        batch[0] = slots[i];
        batch[1] = slots[i + 1];
        if (space.freeBatch(1) !== 0) failed++;
        else space.cache.piecesFreed(touched, offset, offset + slots[i + 1]);
      }
    }
    if (tracked !== null) {
      for (let i = 0; i < tracked.length; i += 3) {
        const block = space.trackedBlock(tracked[i]);
        if (block === undefined || space.handle.freeTracked(block, tracked[i + 1], tracked[i + 2]) !== FREE_OK) failed++;
      }
    }
    return failed;
  }

  // MemoryReader#clipFront: buf, if recorded here, is freed at once and leaves the ledger.
  freeOne(space, buf) {
    if (this.epoch !== space.epoch || space.closed) return;
    const ab = viewBuffer(buf);
    const offset = viewByteOffset(buf);
    const length = viewByteLength(buf);
    const id = space.chunkIdOf(ab);
    if (id !== undefined) {
      const handle = chunkHandle(id, offset);
      const s = this.slots;
      for (let i = 0; i < this.count; i++) {
        const at = i * ENTRY;
        if (s[at] !== handle || s[at + 1] !== length) continue;
        const block = s[at + 2];
        const gen = s[at + 3];
        this.remove(i);
        if (block >= 0 && space.releaseBlock(block, gen) !== SETTLED) return; // a double free here is only dropped
        const touched = space.cache.settlePiece(id, offset, offset + length);
        // Already freed elsewhere: nothing to do.
        if (space.nativeFree(id, offset, length) === FREE_OK) space.cache.piecesFreed(touched, offset, offset + length);
        return;
      }
    } else if (this.tracked !== null) {
      const t = this.tracked;
      for (let i = 0; i < t.length; i += 3) {
        if (t[i] !== ab || t[i + 1] !== offset || t[i + 2] !== length) continue;
        ArrayPrototypeSplice(t, i, 3);
        const block = space.trackedBlock(ab);
        if (block !== undefined) space.handle.freeTracked(block, offset, length);
        return;
      }
    }
  }
}
noObjectPrototype(Ledger);

module.exports = { Ledger };
