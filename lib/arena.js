'use strict';
// Arena: one mapped region and one strategy (GoMem MemoryAllocator, goumem Pool).
// Fast mode (default): one external ArrayBuffer over the region; malloc is one
// native call plus one view, free is one native call. A view kept after
// free() may see new data, as with Buffer.allocUnsafe's shared pool.
// Safe mode: one external ArrayBuffer per allocation, detached when fully
// freed (stale views read length 0); its finalizer returns what was never freed.

const { constants } = require('node:buffer');
const binding = require('./binding');
const { codes, fromNative } = require('./errors');
const { emptyBuffer, view } = require('./pool_buffer');
const { parseStrategy, validateStrategySize } = require('./strategy');
const {
  isSize, isUint8Array, validateBoolean, validateBuffer, validateInteger, validateOptions,
} = require('./validators');

const {
  ERR_BUFFER_OUT_OF_BOUNDS, ERR_INVALID_THIS, ERR_POOLMEM_CLOSED, ERR_POOLMEM_DOUBLE_FREE,
  ERR_POOLMEM_FOREIGN_BUFFER,
} = codes;

const MAX_LENGTH = constants.MAX_LENGTH;
const FREE_OK = 0;
const FREE_DOUBLE = 1;

let handleOf; // for tests: the native handle (validate(), stats())

class Arena {
  #handle;
  #allocate; // fast mode: native (size) -> offset | -1, bound to this arena
  #free;     // fast mode: native (offset, size) -> status
  #chunk;   // fast mode: the region's ArrayBuffer
  #ids;     // safe mode: ArrayBuffer -> native block id
  #safe;
  #size;
  #closed = false;

  static {
    handleOf = (arena) => arena.#handle;
  }

  constructor(size, options = undefined) {
    validateInteger(size, 'size', 1, MAX_LENGTH);
    const opts = validateOptions(options);
    const [kind, minBlock] = parseStrategy(opts);
    validateStrategySize(kind, minBlock, size);
    const safe = opts.safe === undefined ? process.env.POOLMEM_SAFE === '1' : validateBoolean(opts.safe, 'options.safe');
    const hugePages = opts.hugePages === undefined ? false : validateBoolean(opts.hugePages, 'options.hugePages');
    try {
      this.#handle = new binding.ArenaHandle(size, kind, minBlock, safe, hugePages);
    } catch (err) {
      throw fromNative(err);
    }
    this.#safe = safe;
    this.#size = size;
    this.#chunk = safe ? null : this.#handle.chunk();
    this.#ids = safe ? new WeakMap() : null;
    const ops = safe ? null : this.#handle.fastOps();
    this.#allocate = safe ? null : ops[0];
    this.#free = safe ? null : ops[1];
  }

  static #check(self) {
    if (self === null || typeof self !== 'object' || !(#handle in self)) throw ERR_INVALID_THIS('Arena');
  }

  malloc(size) {
    Arena.#check(this);
    if (!isSize(size, MAX_LENGTH)) validateInteger(size, 'size', 0, MAX_LENGTH);
    if (this.#closed) throw ERR_POOLMEM_CLOSED('arena');
    if (size === 0) return emptyBuffer();
    if (this.#safe) return this.#mallocSafe(size);
    const offset = this.#allocate(size);
    return offset < 0 ? null : view(this.#chunk, offset, size);
  }

  free(buf) {
    Arena.#check(this);
    if (!isUint8Array(buf)) validateBuffer(buf, 'buf');
    if (this.#closed) throw ERR_POOLMEM_CLOSED('arena');
    if (this.#safe) return this.#freeSafe(buf);
    if (buf.buffer !== this.#chunk) {
      if (buf.byteLength === 0) return undefined; // owns no memory, like free(NULL)
      throw ERR_POOLMEM_FOREIGN_BUFFER('arena');
    }
    const offset = buf.byteOffset;
    const length = buf.byteLength;
    const status = this.#free(offset, length);
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
    return this.#size - this.#handle.freeSize();
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
    this.#closed = true;
    this.#handle.close();
  }

  [Symbol.dispose]() {
    this.close();
  }

  #mallocSafe(size) {
    const pair = this.#handle.allocateSafe(size);
    if (pair === null) return null;
    const arrayBuffer = pair[0];
    this.#ids.set(arrayBuffer, pair[1]);
    return view(arrayBuffer, 0, size);
  }

  #freeSafe(buf) {
    const arrayBuffer = buf.buffer;
    const id = this.#ids.get(arrayBuffer);
    if (id === undefined) {
      if (buf.byteLength === 0) return undefined;
      throw ERR_POOLMEM_FOREIGN_BUFFER('arena');
    }
    const offset = buf.byteOffset;
    const length = buf.byteLength;
    const status = this.#handle.freeSafe(id, offset, length, arrayBuffer);
    if (status !== FREE_OK) throw freeError(status, offset, length);
    return undefined;
  }
}

function freeError(status, offset, length) {
  if (status === FREE_DOUBLE) return ERR_POOLMEM_DOUBLE_FREE(`bytes [${offset}, ${offset + length}) of the arena`);
  return ERR_BUFFER_OUT_OF_BOUNDS('buf');
}

module.exports = { Arena, handleOf };
