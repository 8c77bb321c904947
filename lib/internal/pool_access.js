'use strict';
// One way for the server helpers to take memory from any pool and give it
// back. The pools fail differently when full (Arena#malloc returns null,
// ScalableAllocator#malloc and BytePool#get throw ERR_POOLMEM_OUT_OF_MEMORY,
// BytePool#get returns an unpooled Buffer above its largest tier); take()
// turns every one of those into null, so each helper falls back to an
// unpooled Buffer the same way and counts it.

const { codes } = require('./errors');
const { SafeWeakMap, noObjectPrototype } = require('./intrinsics');

const { ERR_INVALID_ARG_TYPE } = codes;

class PoolAccess {
  constructor(pool, name) {
    if (pool === null || typeof pool !== 'object') throw invalidPool(name, pool);
    if (typeof pool.get === 'function' && typeof pool.put === 'function' && typeof pool.tierSizes === 'function') {
      const tiers = pool.tierSizes(); // BytePool
      this.pool = pool;
      this.byteTiers = true;
      this.max = tiers[tiers.length - 1];
    } else if (typeof pool.malloc === 'function' && typeof pool.free === 'function') {
      this.pool = pool; // Arena, ScalableAllocator, or anything with their shape
      this.byteTiers = false;
      this.max = Infinity;
    } else {
      throw invalidPool(name, pool);
    }
  }

  // A pooled Buffer of exactly `size` bytes (size >= 1), or null when the pool
  // cannot give one without throwing. Other errors (a closed pool) propagate.
  take(size) {
    if (size > this.max) return null;
    try {
      return this.byteTiers ? this.pool.get(size) : this.pool.malloc(size);
    } catch (err) {
      if (err !== null && typeof err === 'object' && err.code === 'ERR_POOLMEM_OUT_OF_MEMORY') return null;
      throw err;
    }
  }

  // Like take(), but never throws: any failure is null. For the onread buffer
  // function, where a throw makes Node read into memory already given back.
  takeQuietly(size) {
    try {
      return this.take(size);
    } catch {
      return null;
    }
  }

  give(buf) {
    if (this.byteTiers) this.pool.put(buf);
    else this.pool.free(buf);
  }
}
noObjectPrototype(PoolAccess);

// The PoolAccess of a pool, made once per pool: helpers call this per write.
const cache = new SafeWeakMap();
let lastPool = null;
let lastAccess = null;

function accessFor(pool, name) {
  if (pool === lastPool) return lastAccess;
  let access = pool !== null && typeof pool === 'object' ? cache.get(pool) : undefined;
  if (access === undefined) {
    access = new PoolAccess(pool, name);
    cache.set(pool, access);
  }
  lastPool = pool;
  lastAccess = access;
  return access;
}

function invalidPool(name, pool) {
  return ERR_INVALID_ARG_TYPE(name, 'a pool (Arena, ScalableAllocator or BytePool)', pool);
}

module.exports = { PoolAccess, accessFor };
