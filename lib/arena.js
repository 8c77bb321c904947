'use strict';
// Arena: one mapped region and one strategy (GoMem MemoryAllocator, goumem Pool).
// Fast mode (default): one external ArrayBuffer over the region; malloc is one
// native call plus one view, free is one native call. A view kept after
// free() may see new data, as with Buffer.allocUnsafe's shared pool.
// Safe mode: one external ArrayBuffer per allocation. free() poisons the
// bytes (SAFE_POISON) and holds them: only that ArrayBuffer's finalizer gives
// the block back, so nothing that can still reach it (a view, a socket write)
// ever sees another allocation's data (docs/design.md, Safe mode).

const { constants } = require('node:buffer');
const binding = require('./binding');
const { codes, fromNative, scratchDetached } = require('./errors');
const { isDetached, viewByteLength } = require('./intrinsics');
const { arrayBufferOf, byteOffsetOf, fresh, view } = require('./pool_buffer');
const { parseSafe } = require('./safe_mode');
const { BUFFER_ALIGNMENT, parseAlignment, parseStrategy, validateStrategySize } = require('./strategy');
const {
  isSize, isUint8Array, validateBoolean, validateBuffer, validateInteger, validateOptions,
} = require('./validators');

const {
  ERR_BUFFER_OUT_OF_BOUNDS, ERR_INVALID_THIS, ERR_POOLMEM_CLOSED, ERR_POOLMEM_DOUBLE_FREE,
  ERR_POOLMEM_FOREIGN_BUFFER,
} = codes;

// One call target each (monomorphic call sites); numbers travel through
// `scratch` = [id, offset, size] instead of arguments (native/addon/scratch.h).
const { arenaAllocate, arenaFree, arenaScratch: scratch } = binding;
const ID = 0;
const OFFSET = 1;
const SIZE = 2;
const MAX_LENGTH = constants.MAX_LENGTH;
const FREE_OK = 0;
const FREE_DOUBLE = 1;

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
  #id;      // handle id for the module-level fast path (binding.arenaAllocate/arenaFree)
  #chunk;   // fast mode: the region's ArrayBuffer
  #ids;     // safe mode: ArrayBuffer -> native block id
  #empty = new ArrayBuffer(0); // what malloc(0) views: owns no memory
  #safe;
  #size;
  #closed = false;
  #onClose = null; // pooled arenas: close() hands the arena back to its ArenaPool

  static {
    handleOf = (arena) => arena.#handle;
    adopt = (base, onClose) => new Arena(kAdopt, { base, onClose });
    revoke = (arena) => {
      arena.#closed = true;
    };
    resetArena = (arena) => {
      // A caller transferred the chunk (ArrayBuffer#transfer): the new
      // ArrayBuffer still reaches every byte, so the region is never reused.
      if (!arena.#safe && isDetached(arena.#chunk)) return false;
      const chunk = arena.#handle.reset();
      if (!arena.#safe) arena.#chunk = chunk;
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
      this.#handle = new binding.ArenaHandle(size, kind, minBlock, safe, hugePages, alignment);
    } catch (err) {
      throw fromNative(err);
    }
    this.#safe = safe;
    this.#size = size;
    this.#chunk = safe ? null : this.#handle.chunk();
    this.#ids = safe ? new WeakMap() : null;
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
    scratch[ID] = this.#id;
    scratch[SIZE] = size;
    if (scratch[SIZE] !== size) throw scratchDetached();
    return arenaAllocate() === 0 ? fresh(this.#chunk, scratch[OFFSET], size) : null;
  }

  free(buf) {
    Arena.#check(this);
    if (!isUint8Array(buf)) validateBuffer(buf, 'buf');
    if (this.#closed) throw ERR_POOLMEM_CLOSED('arena');
    const arrayBuffer = arrayBufferOf(buf);
    if (arrayBuffer === this.#empty) return undefined; // malloc(0): nothing to free
    if (this.#safe) return this.#freeSafe(buf, arrayBuffer);
    if (arrayBuffer !== this.#chunk) throw ERR_POOLMEM_FOREIGN_BUFFER('arena');
    // Intrinsic reads (lib/intrinsics.js): no caller code runs from here on.
    const offset = byteOffsetOf(buf);
    const length = viewByteLength(buf);
    scratch[ID] = this.#id;
    scratch[OFFSET] = offset;
    scratch[SIZE] = length;
    if (scratch[SIZE] !== length) throw scratchDetached();
    const status = arenaFree();
    if (status !== FREE_OK) throw freeError(status, offset, length);
    return undefined;
  }

  get size() {
    Arena.#check(this);
    return this.#size;
  }

  get freeSize() {
    Arena.#check(this);
    return this.#handle.freeSize();
  }

  get usedSize() {
    Arena.#check(this);
    return this.#size - this.#handle.freeSize() - (this.#safe ? this.#handle.heldSize() : 0);
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
    this.#ids = base.#safe ? new WeakMap() : null;
    this.#safe = base.#safe;
    this.#size = base.#size;
    this.#onClose = onClose;
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

function freeError(status, offset, length) {
  if (status === FREE_DOUBLE) return ERR_POOLMEM_DOUBLE_FREE(`bytes [${offset}, ${offset + length}) of the arena`);
  return ERR_BUFFER_OUT_OF_BOUNDS('buf');
}

module.exports = { Arena, adopt, handleOf, isArena, resetArena, revoke };
