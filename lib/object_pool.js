'use strict';
// ObjectPool<T>: bytepool's generic Pool[T] with an explicit retention limit
// instead of sync.Pool's drop-on-GC. Idle items are kept LIFO up
// to `max`; the `reset` hook runs on put(), before the item is kept. Any
// object may be put (like sync.Pool); an item already idle in the pool may
// not be put again (ERR_POOLMEM_DOUBLE_FREE), since two get()s would then
// return the same object; so is a put() of an item from inside its own reset.

const { codes } = require('./internal/errors');
const { SafeWeakMap } = require('./internal/intrinsics');
const { Lifo } = require('./internal/lifo');
const { validateFunction, validateInteger, validateOptions } = require('./internal/validators');

const { ERR_INVALID_ARG_TYPE, ERR_INVALID_RETURN_VALUE, ERR_INVALID_THIS, ERR_POOLMEM_DOUBLE_FREE } = codes;

const DEFAULT_MAX = 1024;

// What the pool knows of an item it has seen (#states). An item is never
// removed from the map, only moved between states: a Set of idle items that
// gained and lost an entry on every get() and put() allocated 270-400 bytes
// of JS heap per get+put and took 100-1,400 ns (its table rehashes as
// deleted entries pile up), more than making a new object.
const OUT = 0;       // handed out, dropped, or never kept
const IDLE = 1;      // in #items
const RESETTING = 2; // its reset hook is running: a put() of it from inside the hook is refused

function isObjectLike(value) {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

class ObjectPool {
  #create;
  #reset;
  #max = 0;
  #items = new Lifo(); // idle items, most recently put last
  #states = new SafeWeakMap(); // item -> OUT, IDLE or RESETTING; weak, so dropped items go

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
    if (items.count !== 0) {
      const item = items.pop();
      this.#states.set(item, OUT);
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
    const states = this.#states;
    const state = states.get(item);
    if (state === IDLE) throw ERR_POOLMEM_DOUBLE_FREE('the item is already idle in the pool');
    if (state === RESETTING) throw ERR_POOLMEM_DOUBLE_FREE('the item is already being put (from its reset hook)');
    if (this.#reset !== null) {
      states.set(item, RESETTING);
      try {
        this.#reset(item);
      } finally {
        states.set(item, OUT);
      }
    }
    if (this.#items.count >= this.#max) return;
    this.#items.push(item);
    states.set(item, IDLE);
  }

  // Idle items held by the pool.
  get size() {
    ObjectPool.#check(this);
    return this.#items.count;
  }

  get max() {
    ObjectPool.#check(this);
    return this.#max;
  }
}

module.exports = { ObjectPool };
