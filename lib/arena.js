'use strict';
// Arena: one mapped region and one strategy (GoMem MemoryAllocator, goumem Pool).
// Fast mode (default): one external ArrayBuffer over the region. With the
// byte-exact strategies (treap, avl) a size-class cache (lib/block_cache.js)
// serves most malloc/free pairs without a native call; otherwise malloc is
// one native call plus one view, free is one native call. A view kept after
// free() may see new data, as with Buffer.allocUnsafe's shared pool.
// Safe mode: one external ArrayBuffer per allocation. free() poisons the
// bytes (SAFE_POISON) and holds them: only that ArrayBuffer's finalizer gives
// the block back, so nothing that can still reach it (a view, a socket write)
// ever sees another allocation's data (docs/design.md, Safe mode).

const { constants } = require('node:buffer');
const binding = require('./binding');
const { codes, fromNative } = require('./errors');
const {
  BlockCache, CACHED, EXACT, FREE, LIVE, classIndex, classLimit,
} = require('./block_cache');
const { chunkGone, isDetached, viewByteLength } = require('./intrinsics');
const { FREE_DOUBLE, FREE_OK, NO_FIT, arenaAllocate, arenaFree } = require('./native_contract');
const { arrayBufferOf, blockOf, byteOffsetOf, fresh, freshBlock, genOf, view } = require('./pool_buffer');
const { parseSafe } = require('./safe_mode');
const { BUFFER_ALIGNMENT, parseAlignment, parseStrategy, validateStrategySize } = require('./strategy');
const {
  isSize, isUint8Array, validateBoolean, validateBuffer, validateInteger, validateOptions,
} = require('./validators');

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
  #id;      // handle id for the module-level fast path (native_contract.js arenaAllocate/arenaFree)
  #chunk;   // fast mode: the region's ArrayBuffer
  #ids;     // safe mode: ArrayBuffer -> native block id
  #cache;   // fast mode: the blocks handed out and the size-class stacks (shared by ArenaPool holders)
  #maxClass = 0; // largest request served from a size class; 0: every block exact
  #empty = new ArrayBuffer(0); // what malloc(0) views: owns no memory
  #safe;
  #size;
  #usable; // #size less the tail below one granule no strategy hands out: neither used nor free
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
        arena.#chunk = chunk;
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
    const [kind, minBlock] = parseStrategy(opts);
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
    this.#chunk = safe ? null : this.#handle.chunk();
    this.#ids = safe ? new WeakMap() : null;
    this.#cache = safe ? null : new BlockCache(alignment, Math.min(CACHE_CAP_BYTES, Math.floor(size / 4)));
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
    if (chunkGone(this.#chunk)) throw transferred(); // ArrayBuffer#transfer took it
    const cache = this.#cache;
    let id = -1;
    if (size <= this.#maxClass) {
      const index = classIndex(size);
      id = cache.take(index, size);
      if (id < 0) id = this.#newBlock(index, size);
    } else {
      id = this.#newBlock(EXACT, size);
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
      if (state === FREE) throw ERR_POOLMEM_DOUBLE_FREE(`the block at byte ${cache.offset[id]} of the arena`);
    }
    // A view this arena did not make (a subarray, a caller's own view) or of
    // a block that left the cache: the strategy decides, once it is exact.
    this.#settle();
    const offset = byteOffsetOf(buf);
    const length = viewByteLength(buf);
    const status = arenaFree(this.#id, offset, length);
    if (status !== FREE_OK) throw freeError(status, offset, length);
    if (id >= 0) cache.ended(id, genOf(buf)); // a settled block's whole view: freeing it again is a double free
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
    return this.#handle.freeSize() + (cache === null ? 0 : cache.cachedBytes + cache.slackBytes);
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

  #adopt(base, onClose) {
    this.#handle = base.#handle;
    this.#id = base.#id;
    this.#chunk = base.#chunk;
    this.#cache = base.#cache;
    this.#maxClass = base.#maxClass;
    this.#ids = base.#safe ? new WeakMap() : null;
    this.#safe = base.#safe;
    this.#size = base.#size;
    this.#usable = base.#usable;
    this.#onClose = onClose;
  }

  // A block of class `index` (or an EXACT one) from the strategy, handed out
  // as n bytes: its cache id, or -1 when nothing fits.
  #newBlock(index, n) {
    const cache = this.#cache;
    if (index !== EXACT) {
      let offset = arenaAllocate(this.#id, cache.sizes[index]);
      if (offset === NO_FIT && cache.settles()) {
        this.#settle(); // cached blocks and slack may make room
        offset = arenaAllocate(this.#id, cache.sizes[index]);
      }
      if (offset !== NO_FIT) return cache.add(0, offset, index, n);
    }
    let offset = arenaAllocate(this.#id, n);
    if (offset === NO_FIT && cache.settles()) {
      this.#settle();
      offset = arenaAllocate(this.#id, n);
    }
    return offset === NO_FIT ? -1 : cache.add(0, offset, EXACT, n);
  }

  // Frees bytes the cache knows are allocated natively.
  #freeRange(offset, size) {
    const status = arenaFree(this.#id, offset, size);
    if (status !== FREE_OK) throw ERR_INVALID_STATE(`the arena refused its own block [${offset}, ${offset + size})`);
  }

  #settle() {
    const cache = this.#cache;
    if (cache.settles()) cache.settle((chunk, offset, size) => this.#freeRange(offset, size));
  }

  #mallocSafe(size) {
    const pair = this.#handle.allocateSafe(size);
    if (pair === null) return null;
    const arrayBuffer = pair[0];
    this.#ids.set(arrayBuffer, pair[1]);
    return fresh(arrayBuffer, 0, size);
  }

  #freeSafe(buf, arrayBuffer) {
    const id = this.#ids.get(arrayBuffer);
    if (id === undefined) throw ERR_POOLMEM_FOREIGN_BUFFER('arena');
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
