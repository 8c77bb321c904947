'use strict';
// RangeAllocator: a strategy over plain offsets, no memory (GoMem Allocator).
// Frees are validated: a range that overlaps free space or lies outside
// [0, size) throws and changes nothing.

const binding = require('./internal/binding');
const { codes, fromNative } = require('./internal/errors');
const { asArray, ownArray, viewLength } = require('./internal/intrinsics');
const { FREE_DOUBLE, FREE_OK } = require('./internal/native_contract');
const { parseAlignment, parseStrategy, validateStrategySize } = require('./internal/strategy');
const { isSize, validateInteger, validateOptions } = require('./internal/validators');

const { ERR_INVALID_THIS, ERR_OUT_OF_RANGE, ERR_POOLMEM_DOUBLE_FREE } = codes;
const MAX = Number.MAX_SAFE_INTEGER;

let handleOf; // for tests: the native handle (validate(), internals)

class RangeAllocator {
  #handle;
  #kind = 0;
  #minBlock = 0;
  #alignment = 0;

  static {
    handleOf = (allocator) => allocator.#handle;
  }

  constructor(size, options = undefined) {
    validateInteger(size, 'size', 0, MAX);
    const opts = validateOptions(options);
    const { kind, minBlock } = parseStrategy(opts);
    const alignment = parseAlignment(opts, 1); // offsets only: byte-exact unless asked
    validateStrategySize(kind, minBlock, size, 'size', alignment);
    this.#kind = kind;
    this.#minBlock = minBlock;
    this.#alignment = alignment;
    try {
      this.#handle = new binding.RangeAllocatorHandle({ size, strategyKind: kind, minBlock, alignment });
    } catch (err) {
      throw fromNative(err);
    }
  }

  static #check(self) {
    if (self === null || typeof self !== 'object' || !(#handle in self)) throw ERR_INVALID_THIS('RangeAllocator');
  }

  allocate(size) {
    RangeAllocator.#check(this);
    if (!isSize(size, MAX) || size === 0) validateInteger(size, 'size', 1, MAX);
    return this.#handle.allocate(size);
  }

  find(size) {
    RangeAllocator.#check(this);
    if (!isSize(size, MAX) || size === 0) validateInteger(size, 'size', 1, MAX);
    return this.#handle.find(size);
  }

  free(offset, size) {
    RangeAllocator.#check(this);
    validateInteger(offset, 'offset', 0, MAX);
    validateInteger(size, 'size', 0, MAX);
    const status = this.#handle.free(offset, size);
    if (status === FREE_OK) return;
    if (status === FREE_DOUBLE) throw ERR_POOLMEM_DOUBLE_FREE(`[${offset}, ${offset + size})`);
    throw ERR_OUT_OF_RANGE('offset + size', `<= ${this.#handle.size()}`, offset + size);
  }

  get size() {
    RangeAllocator.#check(this);
    return this.#handle.size();
  }

  get freeSize() {
    RangeAllocator.#check(this);
    return this.#handle.freeSize();
  }

  blocks() {
    RangeAllocator.#check(this);
    const flat = this.#handle.blocks();
    const out = ownArray();
    const n = viewLength(flat) / 2;
    for (let i = 0; i < n; i++) out[i] = [flat[2 * i], flat[2 * i + 1]];
    return asArray(out);
  }

  reset(size = undefined) {
    RangeAllocator.#check(this);
    const next = size === undefined ? this.#handle.size() : validateInteger(size, 'size', 0, MAX);
    validateStrategySize(this.#kind, this.#minBlock, next, 'size', this.#alignment);
    if (!this.#handle.reset(next)) throw ERR_OUT_OF_RANGE('size', 'a size this strategy supports', next);
  }
}

module.exports = { RangeAllocator, handleOf };
