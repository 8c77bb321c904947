'use strict';
// ArenaPool: goumem's ArenaPools, fixed. A fixed set of arenas,
// each mapped once. get() hands out only an arena nobody holds (goumem's
// round-robin handed the same arena to two users) and throws
// ERR_POOLMEM_OUT_OF_MEMORY when all are held. release() empties the arena
// (goumem kept the old contents) and detaches every view made from it (safe mode: poisons them). Each
// get() returns a fresh Arena object over the pooled native arena; release()
// closes that object, so a stale reference throws ERR_POOLMEM_CLOSED instead
// of allocating from the next holder's memory. arena.close() and
// `using arena = pool.get()` release it too. An arena whose memory a holder
// transferred away (ArrayBuffer#transfer) is retired and replaced on release.

const { constants } = require('node:buffer');
const { Arena, adopt, isArena, resetArena, revoke } = require('./arena');
const { codes } = require('./internal/errors');
const { SafeMap, SafeWeakSet, ownArray } = require('./internal/intrinsics');
const { Lifo } = require('./internal/lifo');
const { validateInteger, validateObject } = require('./internal/validators');

const {
  ERR_INVALID_ARG_TYPE, ERR_INVALID_THIS, ERR_POOLMEM_CLOSED, ERR_POOLMEM_DOUBLE_FREE,
  ERR_POOLMEM_FOREIGN_BUFFER, ERR_POOLMEM_OUT_OF_MEMORY,
} = codes;

const MAX_ARENAS = 65536;

class ArenaPool {
  #bases = ownArray();    // one never-handed-out Arena per pooled native arena
  #idle = new Lifo();     // indices into #bases, most recently released last
  #held = new SafeMap();      // handed-out Arena object -> index
  #released = new SafeWeakSet(); // Arena objects already handed back
  #onClose;
  #closed = false;
  #arenaSize = 0;
  #arenaOptions;

  constructor(options) {
    validateObject(options, 'options');
    const numArenas = validateInteger(options.numArenas, 'options.numArenas', 1, MAX_ARENAS);
    const arenaSize = validateInteger(options.arenaSize, 'options.arenaSize', 1, constants.MAX_LENGTH);
    const arenaOptions = { __proto__: null, strategy: options.strategy, alignment: options.alignment }; // read as options: inherits nothing
    try {
      for (let i = 0; i < numArenas; i++) this.#bases[i] = new Arena(arenaSize, arenaOptions);
    } catch (err) {
      for (let i = 0; i < this.#bases.length; i++) this.#bases[i].close(); // goumem leaked the arenas made so far
      throw err;
    }
    for (let i = numArenas - 1; i >= 0; i--) this.#idle.push(i);
    this.#arenaSize = arenaSize;
    this.#arenaOptions = arenaOptions;
    this.#onClose = (arena) => this.release(arena);
  }

  static #check(self) {
    if (self === null || typeof self !== 'object' || !(#bases in self)) throw ERR_INVALID_THIS('ArenaPool');
  }

  // An empty arena nobody holds.
  get() {
    ArenaPool.#check(this);
    if (this.#closed) throw ERR_POOLMEM_CLOSED('arena pool');
    if (this.#idle.count === 0) {
      throw ERR_POOLMEM_OUT_OF_MEMORY(`all ${this.#bases.length} arenas of the pool are held`);
    }
    const index = this.#idle.pop();
    const arena = adopt(this.#bases[index], this.#onClose);
    this.#held.set(arena, index);
    return arena;
  }

  // Empties the arena, closes the caller's Arena object and makes the memory
  // available to the next get().
  release(arena) {
    ArenaPool.#check(this);
    if (!isArena(arena)) throw ERR_INVALID_ARG_TYPE('arena', 'an instance of Arena', arena);
    if (this.#closed) throw ERR_POOLMEM_CLOSED('arena pool');
    const index = this.#held.get(arena);
    if (index === undefined) {
      if (this.#released.has(arena)) throw ERR_POOLMEM_DOUBLE_FREE('the arena was already released to this pool');
      throw ERR_POOLMEM_FOREIGN_BUFFER('arena pool', 'arena');
    }
    revoke(arena);
    this.#held.delete(arena);
    this.#released.add(arena);
    if (!resetArena(this.#bases[index])) {
      // Its memory was transferred out of reach of a reset: retire it, map a new one.
      this.#bases[index].close();
      this.#bases[index] = new Arena(this.#arenaSize, this.#arenaOptions);
    }
    this.#idle.push(index);
  }

  // Arenas nobody holds.
  get available() {
    ArenaPool.#check(this);
    return this.#closed ? 0 : this.#idle.count;
  }

  get numArenas() {
    ArenaPool.#check(this);
    return this.#bases.length;
  }

  get closed() {
    ArenaPool.#check(this);
    return this.#closed;
  }

  // Unmaps every arena; held Arena objects are closed and their views read
  // length 0 (safe mode: poison). Idempotent.
  close() {
    ArenaPool.#check(this);
    if (this.#closed) return;
    this.#closed = true;
    this.#held.forEach((index, arena) => revoke(arena));
    this.#held.clear();
    for (let i = 0; i < this.#bases.length; i++) this.#bases[i].close();
  }

  [Symbol.dispose]() {
    ArenaPool.#check(this);
    this.close();
  }
}

module.exports = { ArenaPool };
