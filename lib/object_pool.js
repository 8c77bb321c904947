'use strict';
// ObjectPool<T>: bytepool's generic Pool[T] with an explicit retention limit
// instead of sync.Pool's drop-on-GC. Idle items are kept LIFO up
// to `max`; the `reset` hook runs on put(), before the item is kept. Any
// object may be put (like sync.Pool); an item already idle in the pool may
// not be put again (ERR_POOLMEM_DOUBLE_FREE), since two get()s would then
// return the same object; so is a put() of an item from inside its own reset.

const { codes } = require('./internal/errors');
const { ArrayPrototypePop, SafeSet, ownArray } = require('./internal/intrinsics');
const { validateFunction, validateInteger, validateOptions } = require('./internal/validators');

const { ERR_INVALID_ARG_TYPE, ERR_INVALID_RETURN_VALUE, ERR_INVALID_THIS, ERR_POOLMEM_DOUBLE_FREE } = codes;

const DEFAULT_MAX = 1024;

function isObjectLike(value) {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

class ObjectPool {
  #create;
  #reset;
  #max;
  #items = ownArray();
  #idle = new SafeSet();
  #resetting = new SafeSet(); // items whose reset hook is running: a put() of one from inside it is refused

  constructor(create, options = undefined) {
    validateFunction(create, 'create');
    const opts = validateOptions(options);
    this.#reset = opts.reset === undefined ? null : validateFunction(opts.reset, 'options.reset');
    this.#max = opts.max === undefined ? DEFAULT_MAX : validateInteger(opts.max, 'options.max', 0);
    this.#create = create;
  }

  static #check(self) {
    if (self === null || typeof self !== 'object' || !(#items in self)) throw ERR_INVALID_THIS('ObjectPool');
  }

  // An idle item (most recently put first), or a new one from create().
  get() {
    ObjectPool.#check(this);
    const items = this.#items;
    if (items.length !== 0) {
      const item = ArrayPrototypePop(items);
      this.#idle.delete(item);
      return item;
    }
    const item = this.#create();
    if (!isObjectLike(item)) throw ERR_INVALID_RETURN_VALUE('an object', 'create', item);
    return item;
  }

  // Resets the item and keeps it while fewer than `max` are idle; otherwise
  // it is dropped for the garbage collector. If reset throws, the item is not kept.
  put(item) {
    ObjectPool.#check(this);
    if (!isObjectLike(item)) throw ERR_INVALID_ARG_TYPE('item', 'of type object', item);
    if (this.#idle.has(item)) throw ERR_POOLMEM_DOUBLE_FREE('the item is already idle in the pool');
    if (this.#resetting.has(item)) throw ERR_POOLMEM_DOUBLE_FREE('the item is already being put (from its reset hook)');
    if (this.#reset !== null) {
      this.#resetting.add(item);
      try {
        this.#reset(item);
      } finally {
        this.#resetting.delete(item);
      }
    }
    if (this.#items.length >= this.#max) return;
    this.#items[this.#items.length] = item;
    this.#idle.add(item);
  }

  // Idle items held by the pool.
  get size() {
    ObjectPool.#check(this);
    return this.#items.length;
  }

  get max() {
    ObjectPool.#check(this);
    return this.#max;
  }
}

module.exports = { ObjectPool };
