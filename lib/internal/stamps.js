'use strict';
// Ownership identity, in one place: every "whose is this ArrayBuffer (or
// view)?" in poolmem is answered by a stamp, a private field that a
// return-override constructor (Stamper) adds to the object. Nobody else can
// write or read it, a lookup (`Kind.of(target)`) runs no caller code, even for
// a Proxy, and a record stamped by one kind can never be read through another.

// Stamper is itself a derived class that returns before calling super(), so
// `new Kind(target)` allocates nothing: a base-class constructor that returns
// its argument still allocates the receiver it throws away, and V8 does not
// always optimize that allocation out (measured on Node 24: 24 more bytes of
// JS heap per pooled Buffer when BytePool made the view).
class NeverConstructed {}
class Stamper extends NeverConstructed {
  constructor(target) {
    return target; // lets a subclass add a private field to any object
  }
}

// A stamp kind for lookups off the hot paths: `new Kind(target, record)`
// stamps, `Kind.of(target)` reads the record (undefined when unstamped).
// The classes it makes share one function literal, so V8 keeps one set of
// inline caches for all of them.
function stampKind() {
  return class extends Stamper {
    #record;
    constructor(target, record) {
      super(target);
      this.#record = record;
    }

    static of(target) {
      return #record in target ? target.#record : undefined;
    }
  };
}

// ---- hot stamps: a class each ---------------------------------------------------
// Written out rather than made by stampKind(): with several stampKind()
// classes' private names at one site, the hot get()/put() field accesses
// went megamorphic (BytePool ring at 64 KiB: 80 -> 62 ns per pair with a
// class of its own). Made from one source text through vm instead, each
// with its own function, they measured 10-15% slower on that ring.

// BytePool (lib/internal/tier.js): a slab's chunk ArrayBuffer -> its
// SlabRecord; read by every put() (a view the pool made carries its slot in
// its record: lib/internal/pool_buffer.js, slotView).
class SlabStamp extends Stamper {
  #record;
  constructor(target, record) { super(target); this.#record = record; }
  static of(target) { return #record in target ? target.#record : undefined; }
}

// A tracked allocation's own ArrayBuffer -> its TrackedBuffer
// (lib/internal/leak_detector.js); read per PooledBuffer release.
class TrackedStamp extends Stamper {
  #record;
  constructor(target, record) { super(target); this.#record = record; }
  static of(target) { return #record in target ? target.#record : undefined; }
}

// alloc()/free() (lib/process_allocator.js): this thread's ArrayBuffer over
// a process arena -> the arena id; read by every free().
class ArenaChunkStamp extends Stamper {
  #id;
  constructor(target, id) { super(target); this.#id = id; }
  static of(target) { return #id in target ? target.#id : undefined; }
}

// ---- other stamps -----------------------------------------------------------------

// ScalableAllocator (lib/internal/scalable_space.js): a chunk ArrayBuffer -> its chunk
// id and its ScalableSpace's token ({ id, owner }), and one a caller
// transferred away -> the ScalableSpace that retired it.
const ChunkStamp = stampKind();
const RetiredChunkStamp = stampKind();
// A safe-mode borrow()'s own ArrayBuffer -> the ScalableSpace that lent it
// (the view itself is marked lent by its record: lib/internal/pool_buffer.js).
const LentStamp = stampKind();

module.exports = {
  ArenaChunkStamp, ChunkStamp, LentStamp, RetiredChunkStamp, SlabStamp, Stamper, TrackedStamp,
};
