'use strict';
// Arena: one mapped region and one strategy (GoMem MemoryAllocator, goumem Pool).
// Fast mode (default): one external ArrayBuffer over the region. With the
// byte-exact strategies (treap, avl) a size-class cache (lib/internal/block_cache.js)
// serves most malloc/free pairs without a native call; otherwise malloc is
// one native call plus one view, free is one native call. A view kept after
// free() may see new data, as with Buffer.allocUnsafe's shared pool.
// Safe mode: one external ArrayBuffer per allocation. free() poisons the
// bytes (SAFE_POISON) and holds them: only that ArrayBuffer's finalizer gives
// the block back, so nothing that can still reach it (a view, a socket write)
// ever sees another allocation's data (docs/design.md, Safe mode).

const { constants } = require('node:buffer');
const binding = require('./internal/binding');
const { codes, fromNative } = require('./internal/errors');
const {
  BlockCache, CACHED, EXACT, FREE, LIVE, classIndex, classLimit,
} = require('./internal/block_cache');
const { ArrayBuffer, MathFloor, MathMin, isDetached, viewByteLength } = require('./internal/intrinsics');
const { TrackedBuffer } = require('./internal/leak_detector');
const { FREE_DOUBLE, FREE_OK, NO_FIT, arenaAllocate, arenaFree } = require('./internal/native_contract');
const {
  arrayBufferOf, blockOf, byteOffsetOf, detachProbe, fresh, freshBlock, genOf, view,
} = require('./internal/pool_buffer');
const { parseSafe } = require('./internal/safe_mode');
const { BUFFER_ALIGNMENT, parseAlignment, parseStrategy, validateStrategySize } = require('./internal/strategy');
const {
  isSize, isUint8Array, validateBoolean, validateBuffer, validateInteger, validateOptions,
} = require('./internal/validators');

const {
  ERR_BUFFER_OUT_OF_BOUNDS, ERR_INVALID_STATE, ERR_INVALID_THIS, ERR_POOLMEM_CLOSED, ERR_POOLMEM_DOUBLE_FREE,
  ERR_POOLMEM_FOREIGN_BUFFER,
} = codes;

const MAX_LENGTH = constants.MAX_LENGTH;
const CACHE_CAP_BYTES = 32 * 1024 * 1024; // or a quarter of the arena, when smaller

let handleOf; // for tests: the native handle (validate(), stats())
// ArenaPool: pooled arenas share one native arena; each holder gets
// an Arena object of its own, revoked (closed) when handed back, so a stale
// reference can never allocate from the next holder's arena.
let adopt;     // (base, onClose) -> a new Arena over base's native arena
let revoke;    // (arena) -> marks that object closed; the native arena lives on
let resetArena; // (arena) -> frees everything, detaches outstanding views; false if it cannot
let isArena;
const kAdopt = Symbol('adopt');

class Arena {
  #handle;
  #id = 0;  // handle id for the module-level fast path (internal/native_contract.js arenaAllocate/arenaFree)
  #chunk = null; // fast mode: the region's ArrayBuffer
  #probe = null; // fast mode: its detachProbe() (internal/pool_buffer.js): reads undefined once transferred
  #cache;   // fast mode: the blocks handed out and the size-class stacks (shared by ArenaPool holders)
  #maxClass = 0; // largest request served from a size class; 0: every block exact
  #empty = new ArrayBuffer(0); // what malloc(0) views: owns no memory
  #safe = false;
  #size = 0;
  #usable = 0; // #size less the tail below one granule no strategy hands out: neither used nor free
  #closed = false;
  #onClose = null; // pooled arenas: close() hands the arena back to its ArenaPool

  static {
    handleOf = (arena) => { // the native state made exact first (tests inspect it)
      if (arena.#cache !== null) arena.#settle();
      return arena.#handle;
    };
    adopt = (base, onClose) => new Arena(kAdopt, { base, onClose });
    revoke = (arena) => {
      arena.#closed = true;
    };
    resetArena = (arena) => {
      // A caller transferred the chunk (ArrayBuffer#transfer): the new
      // ArrayBuffer still reaches every byte, so the region is never reused.
      if (!arena.#safe && isDetached(arena.#chunk)) return false;
      const chunk = arena.#handle.reset();
      if (!arena.#safe) {
        arena.#setChunk(chunk);
        arena.#cache.clear();
      }
      return true;
    };
    isArena = (value) => value !== null && typeof value === 'object' && #handle in value;
  }

  constructor(size, options = undefined) {
    if (size === kAdopt) {
      this.#adopt(options.base, options.onClose);
      return;
    }
    validateInteger(size, 'size', 1, MAX_LENGTH);
    const opts = validateOptions(options);
    const { kind, minBlock } = parseStrategy(opts);
    const alignment = parseAlignment(opts, BUFFER_ALIGNMENT);
    validateStrategySize(kind, minBlock, size, 'size', alignment);
    const safe = parseSafe(opts);
    const hugePages = opts.hugePages === undefined ? false : validateBoolean(opts.hugePages, 'options.hugePages');
    try {
      this.#handle = new binding.ArenaHandle({ size, strategyKind: kind, minBlock, alignment, safe, hugePages });
    } catch (err) {
      throw fromNative(err);
    }
    this.#safe = safe;
    this.#size = size;
    this.#usable = this.#handle.usableSize();
    if (!safe) this.#setChunk(this.#handle.chunk());
    this.#cache = safe ? null : new BlockCache(alignment, MathMin(CACHE_CAP_BYTES, MathFloor(size / 4)),
      (bytes) => this.#nativeAllocate(bytes), (chunk, offset, size) => this.#freeRange(offset, size));
    if (!safe) this.#maxClass = classLimit(kind, alignment);
    this.#id = this.#handle.id();
  }

  static #check(self) {
    if (self === null || typeof self !== 'object' || !(#handle in self)) throw ERR_INVALID_THIS('Arena');
  }

  malloc(size) {
    Arena.#check(this);
    if (!isSize(size, MAX_LENGTH)) validateInteger(size, 'size', 0, MAX_LENGTH);
    if (this.#closed) throw ERR_POOLMEM_CLOSED('arena');
    if (size === 0) return view(this.#empty, 0, 0);
    if (this.#safe) return this.#mallocSafe(size);
    if (this.#probe[0] === undefined) throw transferred(); // ArrayBuffer#transfer took it
    const cache = this.#cache;
    let id = -1;
    if (size <= this.#maxClass) {
      const index = classIndex(size);
      id = cache.take(index, size);
      if (id < 0) id = cache.newBlock(index, size);
    } else {
      id = cache.newBlock(EXACT, size);
    }
    if (id < 0) return null;
    return freshBlock(this.#chunk, cache.offset[id], size, id, cache.gen[id]);
  }

  free(buf) {
    Arena.#check(this);
    if (!isUint8Array(buf)) validateBuffer(buf, 'buf');
    if (this.#closed) throw ERR_POOLMEM_CLOSED('arena');
    const arrayBuffer = arrayBufferOf(buf);
    if (arrayBuffer === this.#empty) return undefined; // malloc(0): nothing to free
    if (this.#safe) return this.#freeSafe(buf, arrayBuffer);
    if (arrayBuffer !== this.#chunk) throw ERR_POOLMEM_FOREIGN_BUFFER('arena');
    const cache = this.#cache;
    // Private-field and typed-array reads only: no caller code runs from here on.
    const id = blockOf(buf);
    if (id >= 0) {
      const state = cache.release(id, genOf(buf));
      if (state === CACHED) return undefined;
      if (state === LIVE) { // an exact block, or the cache is full
        const offset = cache.offset[id];
        const status = arenaFree(this.#id, offset, cache.reserved(id));
        if (status !== FREE_OK) throw freeError(status, offset, cache.length[id]);
        cache.drop(id);
        return undefined;
      }
      if (state === FREE) throw ERR_POOLMEM_DOUBLE_FREE(`the block at byte ${byteOffsetOf(buf)} of the arena`);
      // SETTLED: the block left the cache with none of its bytes freed
      // piecewise, so no other block overlaps them: the strategy frees them as they are.
      this.#freeChecked(cache.offset[id], cache.length[id]);
      return undefined;
    }
    // A view this arena did not make (a subarray, a caller's own view): the
    // strategy decides, once it is exact where the range lies.
    const offset = byteOffsetOf(buf);
    const length = viewByteLength(buf);
    const touched = cache.settlePiece(0, offset, offset + length);
    this.#freeChecked(offset, length);
    cache.piecesFreed(touched, offset, offset + length);
    return undefined;
  }

  get size() {
    Arena.#check(this);
    return this.#size;
  }

  // Cached blocks and the slack of live class blocks are free: usedSize
  // counts the (aligned) bytes callers hold. The strategy's tail below one
  // granule is neither: usedSize + freeSize + heldSize <= size.
  get freeSize() {
    Arena.#check(this);
    const cache = this.#cache;
    return this.#handle.freeSize() + (cache === null ? 0 : cache.cachedBytes + cache.slack());
  }

  get usedSize() {
    Arena.#check(this);
    return this.#usable - this.freeSize - (this.#safe ? this.#handle.heldSize() : 0);
  }

  // Safe mode: bytes freed but held until their ArrayBuffer is collected.
  get heldSize() {
    Arena.#check(this);
    return this.#safe ? this.#handle.heldSize() : 0;
  }

  get safe() {
    Arena.#check(this);
    return this.#safe;
  }

  get closed() {
    Arena.#check(this);
    return this.#closed;
  }

  close() {
    Arena.#check(this);
    if (this.#closed) return;
    if (this.#onClose !== null) {
      this.#onClose(this);
      return;
    }
    this.#closed = true;
    this.#handle.close();
  }

  [Symbol.dispose]() {
    this.close();
  }

  // The probe, not chunk.byteLength, tells malloc whether a caller
  // transferred the chunk: byteLength is a builtin call on Node 20 (about 60
  // machine instructions), an element read of the probe is inlined.
  #setChunk(chunk) {
    this.#chunk = chunk;
    this.#probe = detachProbe(chunk);
  }

  #adopt(base, onClose) {
    this.#handle = base.#handle;
    this.#id = base.#id;
    this.#chunk = base.#chunk;
    this.#probe = base.#probe;
    this.#cache = base.#cache;
    this.#maxClass = base.#maxClass;
    this.#safe = base.#safe;
    this.#size = base.#size;
    this.#usable = base.#usable;
    this.#onClose = onClose;
  }

  // BlockCache's allocate(): the offset of size bytes from the strategy, or -1.
  #nativeAllocate(size) {
    const offset = arenaAllocate(this.#id, size);
    return offset === NO_FIT ? -1 : offset;
  }

  // Frees a caller's bytes natively; throws what the strategy says of them.
  #freeChecked(offset, length) {
    const status = arenaFree(this.#id, offset, length);
    if (status !== FREE_OK) throw freeError(status, offset, length);
  }

  // Frees bytes the cache knows are allocated natively.
  #freeRange(offset, size) {
    const status = arenaFree(this.#id, offset, size);
    if (status !== FREE_OK) throw ERR_INVALID_STATE(`the arena refused its own block [${offset}, ${offset + size})`);
  }

  #settle() {
    this.#cache.settle();
  }

  #mallocSafe(size) {
    const pair = this.#handle.allocateSafe(size);
    if (pair === null) return null;
    const arrayBuffer = pair[0];
    new TrackedBuffer(arrayBuffer, this, null, pair[1], 0, size, null); // this holder's: others see it as foreign
    return fresh(arrayBuffer, 0, size);
  }

  #freeSafe(buf, arrayBuffer) {
    const tracked = TrackedBuffer.of(arrayBuffer);
    if (tracked === undefined || tracked.owner !== this) throw ERR_POOLMEM_FOREIGN_BUFFER('arena');
    const id = tracked.slot;
    const offset = byteOffsetOf(buf);
    const length = viewByteLength(buf);
    const status = this.#handle.freeSafe(id, offset, length);
    if (status !== FREE_OK) throw freeError(status, offset, length);
    return undefined;
  }
}

// The chunk was transferred away: the new ArrayBuffer still reaches every
// byte, so nothing is handed out again.
function transferred() {
  return ERR_INVALID_STATE("the arena's memory was transferred away (ArrayBuffer#transfer); it hands out nothing more");
}

function freeError(status, offset, length) {
  if (status === FREE_DOUBLE) return ERR_POOLMEM_DOUBLE_FREE(`bytes [${offset}, ${offset + length}) of the arena`);
  return ERR_BUFFER_OUT_OF_BOUNDS('buf');
}

module.exports = { Arena, adopt, handleOf, isArena, resetArena, revoke };
