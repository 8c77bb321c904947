'use strict';
// BlockCache: the size-class front end of a fast-mode arena, as the small
// bins of mimalloc and jemalloc are. A request of at most MAX_CLASS_SIZE
// bytes is served from a block of its size class (8-byte steps to 64 B, then
// four classes per power of two: at most 20% slack). A freed block goes onto
// its class's LIFO stack, offsets in typed arrays, and the next request of
// that class takes it without crossing into C++. Larger requests are exact
// blocks, freed straight to the native strategy.
//
// Every block handed out has an id and a generation, which the view's record
// carries (lib/internal/pool_buffer.js), so free() of that view is a few typed-array
// reads. A view whose block was freed since (cached, or reused by a later
// malloc) is a double free, detected without touching the strategy.
//
// The strategy sees a class block as one live allocation of the whole class
// size, cached or not. settle() makes it exact before anything needs the
// strategy to match what callers hold (a free of a view the pool did not
// make, a partial free, stats, reset): cached blocks go back to it, and each
// live class block gives back the bytes beyond what its caller was handed and
// leaves the cache, an ordinary allocation from then on (its free takes the
// slow path, where the strategy decides). A settled block keeps its id
// (state SETTLED) until its whole view comes back, so a view whose generation
// is not its id's current one always belongs to a handout that ended: a
// double free, never the strategy's to judge (it would free the new owner's
// bytes). Each block settles at most once, so the cost is amortised.
// cachedBytes and slack() keep usedSize exact without settling.
//
// The strategy knows free bytes, not allocations: a whole view whose bytes
// were freed piecewise (subarrays) and handed out again would free the new
// owner's. So the owner reports every range it frees natively (piecesFreed()),
// and a block the strategy judges (settled, or exact and live) counts the
// bytes it still holds: a whole view with any of them freed is a double free,
// and the piece that frees its last byte ends the handout. The price: a
// settled block never freed keeps its id, about 48 bytes of typed arrays.
//
// The block freed last waits in a one-entry park instead of on its stack: an
// allocate-then-free loop touches no stack. The park is kept out of the
// counters a block on a stack moves (the stacks' bytes, the live blocks), so
// parking a block and handing it out again whole (parkLane() and reissue(),
// an owner's fast lanes) change no counter but one; the parked block is
// counted when it leaves the park any other way. The lanes read that block
// from plain fields copied once (mirror()), not from the typed arrays.

const {
  Float64Array, Int32Array, Int8Array, MathClz32, MathMax, MathMin, Uint8Array, asArray, noObjectPrototype, ownArray,
} = require('./intrinsics');
const { STRATEGY_AVL, STRATEGY_TREAP } = require('./native_contract');
const { BlockIndex } = require('./block_index');
const { GEN_MASK } = require('./pool_buffer'); // generations wrap below 2^30
const { grown } = require('./typed_arrays');

const MAX_CLASS_SIZE = 16 * 1024 * 1024;
const CLASS_COUNT = 80; // 8 up to 64 B, then 4 for each power of two up to 2^24

const { CACHED, EXACT, FREE, LIVE, SETTLED } = require('./block_states');

// Class of n bytes, 1 <= n <= MAX_CLASS_SIZE: 0..7 for 8..64, then 4 per power of two.
function classIndex(n) {
  if (n <= 64) return ((n + 7) >> 3) - 1;
  const b = 31 - MathClz32(n - 1); // n - 1 in [2^b, 2^(b+1))
  return 8 + (b - 6) * 4 + ((n - 1) >> (b - 2)) - 4;
}

function classBytes(index) {
  if (index < 8) return (index + 1) * 8;
  const b = ((index - 8) >> 2) + 6;
  return ((index - 8 & 3) + 5) << (b - 2);
}

// The largest request a pool with this strategy kind and alignment serves
// from a size class, or 0 (every block exact). Only the byte-exact strategies
// (treap, avl) reserve exactly the aligned bytes asked for, which the slack
// accounting assumes; classes are multiples of 8 bytes, so alignment 1 to 4
// (asked for tighter packing) gets none.
function classLimit(kind, alignment) {
  return (kind === STRATEGY_TREAP || kind === STRATEGY_AVL) && alignment >= 8 ? MAX_CLASS_SIZE : 0;
}

class BlockCache {
  // alignment: every block size is a multiple of it (the strategy reserves
  // whole granules). capBytes bounds the bytes held on the stacks.
  // The owner's native calls: allocate(bytes) reserves bytes natively and
  // returns their offset, with their chunk in `placedChunk` (left 0 by owners
  // of one chunk), or a negative status (newBlock(), the miss path only);
  // freeRange(chunk, offset, size) frees a range the cache held natively and
  // must succeed (settle() and settlePiece()).
  constructor(alignment, capBytes, allocate, freeRange) {
    this.mask = alignment - 1;
    this.capBytes = capBytes;
    this.allocate = allocate;
    this.freeRange = freeRange;
    this.placedChunk = 0;
    this.sizes = new Int32Array(CLASS_COUNT); // bytes a block of each class reserves
    for (let i = 0; i < CLASS_COUNT; i++) this.sizes[i] = this.rounded(classBytes(i));
    // Capacities are kept as numbers: a typed array's .length is a
    // %TypedArray%.prototype getter a caller can replace, and these paths run
    // inside free() and malloc().
    const stacks = ownArray(); // built without a setter running, then never grown
    this.stackCapacity = new Int32Array(CLASS_COUNT);
    for (let i = 0; i < CLASS_COUNT; i++) {
      stacks[i] = new Int32Array(16);
      this.stackCapacity[i] = 16;
    }
    this.stacks = asArray(stacks);
    this.tops = new Int32Array(CLASS_COUNT);
    const n = 64;
    this.capacity = n; // of the per-id arrays below
    // Which chunk of the pool: 0 for an arena, a chunk id, or for alloc() an
    // arena id, which grows with every arena mapped (up to 2^53): not an Int32Array.
    this.chunk = new Float64Array(n);
    this.offset = new Float64Array(n);
    this.length = new Float64Array(n); // bytes handed out
    // Of those, bytes not freed piecewise since: kept for SETTLED and EXACT
    // blocks only (set when they become one; class blocks never free piecewise while LIVE).
    this.held = new Float64Array(n);
    this.klass = new Int8Array(n);
    this.gen = new Int32Array(n);
    this.state = new Uint8Array(n);
    this.liveOrParked = 0; // LIVE class blocks, and the parked one: settle() finds them by scanning
    // No LIVE class block has a lower id: settle() leaves none, and each one
    // after it was added since (a settled block keeps its id until its view
    // comes back, so without this every settle would scan all of those).
    this.scanFrom = 0;
    this.parked = -1; // a cached block on no stack (state CACHED), or -1
    this.freeIds = new Int32Array(n);
    this.freeCount = 0;
    this.nextId = 0;
    this.stackedBytes = 0; // of the blocks on the stacks (the park not counted)
    // Bytes callers gave back: of blocks handed out again whole by reissue(),
    // and of parked blocks that left the park any other way (an owner's
    // totals of bytes handed out and given back count them).
    this.reissued = 0;
    this.leftPark = 0;
    this.index = null; // BlockIndex, made by the first free of a piece
    // The lanes' block (an owner's allocate-then-free fast path): a parked
    // block copied into these plain fields by mirror(), or -1. Each
    // typed-array access costs a detach check once any ArrayBuffer in the
    // process was detached (leak detection detaches those it tracks), and
    // the lanes made about ten per pair; reading the copy, they make three.
    // While laneId >= 0 the block is parked (CACHED), or LIVE at laneGen
    // (reissue() handed it out and its view has not come back), and the
    // copy equals its entries: every other change to the block (take, push,
    // shrink, settle, retire, dropChunk, clear) sets laneId to -1.
    this.laneId = -1;
    this.laneGen = 0;
    this.laneChunk = 0;
    this.laneOffset = 0;
    this.laneLength = 0;
    this.laneBytes = 0;
    // What the owner keeps of the block's chunk: its ArrayBuffer and detach probe.
    this.laneArrayBuffer = null;
    this.laneProbe = null;
  }

  // Bytes held for callers to take again: on the stacks and in the park.
  get cachedBytes() {
    const parked = this.parked;
    return this.stackedBytes + (parked >= 0 ? this.sizes[this.klass[parked]] : 0);
  }

  // LIVE class blocks.
  get liveClassBlocks() {
    return this.liveOrParked - (this.parked >= 0 ? 1 : 0);
  }

  // n rounded up to the alignment; n <= MAX_CLASS_SIZE.
  rounded(n) {
    return (n + this.mask) & ~this.mask;
  }

  // A cached block of class `index` handed out as n bytes, or -1.
  // The hottest path of every pool using the cache, kept small so V8 inlines
  // it with its caller: the park inline, the stacks a call.
  take(index, n) {
    let id = this.parked;
    if (id >= 0 && this.klass[id] === index) {
      this.parked = -1;
      if (id === this.laneId) this.laneId = -1;
      this.leftPark += this.length[id];
    } else {
      id = this.#pop(index);
      if (id < 0) return -1;
    }
    this.state[id] = LIVE;
    this.gen[id] = (this.gen[id] + 1) & GEN_MASK;
    this.length[id] = n;
    return id;
  }

  // The block on top of class index's stack, taken off it, or -1.
  #pop(index) {
    const top = this.tops[index];
    if (top === 0) return -1;
    this.tops[index] = top - 1;
    this.stackedBytes -= this.sizes[index];
    this.liveOrParked++;
    return this.stacks[index][top - 1];
  }

  // Copies the parked block id into the lanes' fields, with what its owner
  // keeps of its chunk.
  mirror(id, arrayBuffer, probe) {
    this.laneId = id;
    this.laneArrayBuffer = arrayBuffer;
    this.laneProbe = probe;
    this.laneGen = this.gen[id];
    this.laneChunk = this.chunk[id];
    this.laneOffset = this.offset[id];
    this.laneLength = this.length[id];
    this.laneBytes = this.sizes[this.klass[id]];
  }

  // An owner's malloc lane: the parked block, copied (laneId), handed out
  // again at the length it was given back with (the caller checked both).
  // Returns its new generation. Typed arrays are written, not read: they
  // stay what every other path reads.
  reissue() {
    const id = this.laneId;
    this.parked = -1;
    this.state[id] = LIVE;
    this.reissued += this.laneLength;
    const gen = (this.laneGen + 1) & GEN_MASK;
    this.laneGen = gen;
    this.gen[id] = gen;
    return gen;
  }

  // An owner's free lane: the whole view of the lanes' block, which reissue()
  // handed out (the caller checked the view is of laneId and the park is
  // empty), goes back to the park if it is of the current handout and the
  // stacks and the park stay within capBytes (what park() decides). False
  // changes nothing.
  parkLane(gen) {
    if (gen !== this.laneGen || this.stackedBytes + this.laneBytes > this.capBytes) return false;
    const id = this.laneId;
    this.state[id] = CACHED;
    this.parked = id;
    return true;
  }

  // The caller's whole view of class block id (generation gen) comes back
  // while it is LIVE at gen: the park takes it, and the block it held goes
  // onto its stack, so every class still hands out its most recently freed
  // block. The stacks and the park hold at most capBytes. True when parked;
  // false changes nothing (release() decides). An owner's free lane calls
  // it directly, and it is small for that: the push is a call.
  park(id, gen) {
    if (this.gen[id] !== gen || this.state[id] !== LIVE) return false;
    const index = this.klass[id];
    if (index === EXACT) return false;
    const older = this.parked;
    if (older >= 0 ? !this.pushParked(index) : this.stackedBytes + this.sizes[index] > this.capBytes) return false;
    this.state[id] = CACHED;
    this.parked = id;
    return true;
  }

  // Moves the parked block onto its stack to make room for a block of class
  // index; false (nothing moved) when that would put more than capBytes in
  // the stacks and the park.
  pushParked(index) {
    const older = this.parked;
    if (this.stackedBytes + this.sizes[this.klass[older]] + this.sizes[index] > this.capBytes) return false;
    this.#push(older);
    return true;
  }

  // A new block from the strategy, of class `index` (or EXACT), handed out
  // as n bytes: its id, or allocate()'s negative status when nothing fits.
  // A class block is tried first, after settling too (cached blocks and
  // slack may make room), then exactly n bytes, the same way.
  newBlock(index, n) {
    let offset;
    if (index !== EXACT) {
      offset = this.#place(this.sizes[index]);
      if (offset >= 0) return this.add(this.placedChunk, offset, index, n);
    }
    offset = this.#place(n);
    return offset < 0 ? offset : this.add(this.placedChunk, offset, EXACT, n);
  }

  #place(bytes) {
    const offset = this.allocate(bytes);
    if (offset >= 0 || !this.settles()) return offset;
    this.settle();
    return this.allocate(bytes);
  }

  // A new block at chunk, offset (class `index`, or EXACT), handed out as n bytes.
  add(chunk, offset, index, n) {
    let id;
    if (this.freeCount > 0) {
      id = this.freeIds[--this.freeCount];
    } else {
      id = this.nextId++;
      if (id === this.capacity) this.#grow();
    }
    if (id < this.scanFrom) this.scanFrom = id;
    this.chunk[id] = chunk;
    this.offset[id] = offset;
    this.klass[id] = index;
    if (index === EXACT) this.held[id] = n;
    this.#handOut(id, index, n);
    if (this.index !== null) this.index.added(id);
    return id;
  }

  #handOut(id, index, n) {
    this.state[id] = LIVE;
    this.gen[id] = (this.gen[id] + 1) & GEN_MASK;
    this.length[id] = n;
    if (index !== EXACT) this.liveOrParked++;
  }

  // The caller's whole view of block id (generation gen) comes back.
  // Returns CACHED (done), FREE (that handout ended, or some of its bytes
  // were freed piecewise: a double free, nothing changed), SETTLED (the block
  // left the cache while live: the caller frees the view's range natively,
  // and the id is free again), or LIVE: free natively the block's whole
  // reservation, [offset[id], offset[id] + reserved(id)) of chunk[id], and
  // drop(id) once the strategy agreed.
  release(id, gen) {
    if (this.park(id, gen)) return CACHED;
    // Not LIVE at generation gen: another handout since, cached, or settled.
    if (this.gen[id] !== gen || this.state[id] !== LIVE) return this.#releaseNotLive(id, gen);
    // An exact block, or a class block past the cap: back to the strategy.
    if (this.klass[id] === EXACT) return this.held[id] === this.length[id] ? LIVE : FREE;
    return LIVE;
  }

  #releaseNotLive(id, gen) {
    // A later handout of the id: this one ended (a settled one keeps its id).
    if (this.gen[id] !== gen || this.state[id] !== SETTLED) return FREE; // cached, or freed since
    if (this.held[id] !== this.length[id]) return FREE; // some of its bytes were freed piecewise
    this.retire(id); // its view's one free: another is a double free
    return SETTLED;
  }

  // The parked block id goes onto its class's stack.
  #push(id) {
    if (id === this.laneId) this.laneId = -1;
    const index = this.klass[id];
    this.stackedBytes += this.sizes[index];
    this.liveOrParked--;
    this.leftPark += this.length[id];
    let stack = this.stacks[index];
    const top = this.tops[index];
    if (top === this.stackCapacity[index]) {
      stack = this.stacks[index] = grown(stack, top * 2);
      this.stackCapacity[index] = top * 2;
    }
    stack[top] = id;
    this.tops[index] = top + 1;
  }

  // Bytes live class blocks reserve beyond what their callers hold (granule
  // rounding and class slack): free, though the strategy counts them. A scan,
  // for the occasional usedSize/freeSize read, so malloc and free need not
  // keep a running total.
  slack() {
    let bytes = 0;
    for (let id = this.scanFrom; id < this.nextId && this.liveOrParked > 0; id++) {
      const index = this.klass[id];
      if (this.state[id] === LIVE && index !== EXACT) bytes += this.sizes[index] - this.rounded(this.length[id]);
    }
    return bytes;
  }

  // Bytes block id holds in the native strategy while LIVE (not settled).
  reserved(id) {
    const index = this.klass[id];
    return index === EXACT ? this.length[id] : this.sizes[index];
  }

  // A LIVE block was freed natively: it leaves the cache.
  drop(id) {
    if (this.klass[id] !== EXACT) this.liveOrParked--;
    this.retire(id);
  }

  // The block's handout ended (freed natively, cached and settled, or its
  // settled view came back): its id may be reused.
  retire(id) {
    if (id === this.laneId) this.laneId = -1;
    this.state[id] = FREE;
    this.freeIds[this.freeCount++] = id;
  }

  // The owner freed [start, end) natively (a view it did not make, or a
  // piece of one it did) right after settlePiece() of that range answered
  // `count`: every block the strategy judges that loses bytes to it counts
  // them, and one left with none ends its handout (its whole view is a
  // double free from now on). settlePiece()'s answer still holds: settling
  // moves no block, it only makes blocks SETTLED or FREE, and their spans shorter.
  piecesFreed(count, start, end) {
    const found = this.index.found;
    for (let k = 0; k < count; k++) {
      const id = found[k];
      const state = this.state[id];
      if (state !== SETTLED && (state !== LIVE || this.klass[id] !== EXACT)) continue;
      const from = this.offset[id];
      const to = from + this.length[id];
      if (end <= from || start >= to) continue;
      const held = this.held[id] - (MathMin(end, to) - MathMax(start, from));
      this.held[id] = held;
      if (held > 0) continue;
      if (state === LIVE) this.drop(id);
      else this.retire(id);
    }
  }

  // Before the owner frees [start, end) of chunk natively, a range no whole
  // block view covers: makes the strategy exact where the range lies. A live
  // class block the range lies inside settles alone (freeRange takes back its
  // slack); a range reaching cached bytes or a block's slack settles everything.
  // Returns how many blocks the range touches, for piecesFreed().
  settlePiece(chunk, start, end) {
    const count = this.#blocksIn(chunk, start, end);
    const found = this.index.found;
    for (let k = 0; k < count; k++) {
      const id = found[k];
      const state = this.state[id];
      if (state === CACHED || (state === LIVE && this.klass[id] !== EXACT &&
          (start < this.offset[id] || end > this.offset[id] + this.length[id]))) {
        this.settle();
        return count;
      }
    }
    for (let k = 0; k < count; k++) {
      const id = found[k];
      if (this.state[id] === LIVE && this.klass[id] !== EXACT) this.#settleLive(id);
    }
    return count;
  }

  // True when the view of block id at generation gen is of a handout that
  // ended: the block was freed since (cached, or its id retired) or handed
  // out again. Its bytes may be another caller's.
  handoutEnded(id, gen) {
    const state = this.state[id];
    return this.gen[id] !== gen || state === CACHED || state === FREE;
  }

  // freeRest() of the whole view of block id, a handout that has not ended
  // (handoutEnded() said so): the block keeps its first `keep` bytes
  // (0 < keep < length[id]) and its id, and the owner frees the rest of what
  // it reserves natively, class slack included, in one call. No search
  // (settlePiece()) is needed: a block none of whose bytes were freed
  // piecewise overlaps no other. Returns how many bytes from
  // offset[id] + keep to free, or -1 when some were freed piecewise (the
  // owner's general path decides). Once the native free succeeded, the owner
  // calls shrink().
  restOf(id, keep) {
    const state = this.state[id];
    const index = this.klass[id];
    if (state === LIVE && index !== EXACT) return this.sizes[index] - keep;
    if ((state === LIVE || state === SETTLED) && this.held[id] === this.length[id]) return this.length[id] - keep;
    return -1;
  }

  // After restOf()'s bytes were freed natively: block id holds `keep` bytes
  // (a class block has left the cache: SETTLED), and the view of them is
  // the block's next generation, so the old whole view is a double free.
  // Returns that generation.
  shrink(id, keep) {
    if (id === this.laneId) this.laneId = -1;
    if (this.state[id] === LIVE && this.klass[id] !== EXACT) {
      this.liveOrParked--;
      this.state[id] = SETTLED;
    }
    this.length[id] = keep;
    this.held[id] = keep;
    return (this.gen[id] = (this.gen[id] + 1) & GEN_MASK);
  }

  // How many ids in use reach into [start, end) of chunk: this.index.found[0..count).
  #blocksIn(chunk, start, end) {
    if (this.index === null) this.index = new BlockIndex(this);
    return this.index.overlapping(chunk, start, end);
  }

  // True when settle() has something to do.
  settles() {
    return this.liveOrParked > 0 || this.stackedBytes > 0;
  }

  // Makes the strategy exact: freeRange(chunk, offset, size) for every cached
  // block and every live class block's bytes beyond its length. Every block
  // then leaves the cache.
  settle() {
    if (!this.settles()) return;
    this.settleCached();
    for (let id = this.scanFrom; id < this.nextId && this.liveOrParked > 0; id++) {
      if (this.state[id] === LIVE && this.klass[id] !== EXACT) this.#settleLive(id);
    }
    this.scanFrom = this.nextId;
  }

  // freeRange(chunk, offset, size) for every cached block, which leaves the
  // cache: what a search of the strategy's free memory needs (borrow()),
  // while blocks handed out stay in it.
  settleCached() {
    const freeRange = this.freeRange;
    const parked = this.parked;
    if (parked >= 0) {
      const bytes = this.sizes[this.klass[parked]];
      this.#unpark(parked);
      freeRange(this.chunk[parked], this.offset[parked], bytes);
    }
    if (this.stackedBytes === 0) return;
    for (let index = 0; index < CLASS_COUNT; index++) {
      const stack = this.stacks[index];
      const bytes = this.sizes[index];
      for (let top = this.tops[index]; top > 0; top = this.tops[index]) {
        const id = stack[top - 1];
        this.tops[index] = top - 1;
        this.stackedBytes -= bytes;
        this.retire(id);
        freeRange(this.chunk[id], this.offset[id], bytes);
      }
    }
  }

  // A live class block leaves the cache: it keeps its id until its view comes
  // back, and freeRange takes back the bytes beyond what its caller was handed.
  #settleLive(id) {
    if (id === this.laneId) this.laneId = -1;
    const index = this.klass[id];
    this.liveOrParked--;
    this.state[id] = SETTLED;
    const n = this.length[id];
    this.held[id] = n;
    if (n < this.sizes[index]) this.freeRange(this.chunk[id], this.offset[id] + n, this.sizes[index] - n);
  }

  // Forgets every block of `chunk`, whose memory a caller transferred away
  // (the owner settles first, so natively these are ordinary allocations):
  // cached blocks leave their stacks (their ids may be reused), live ones
  // leave the cache as settled blocks do.
  dropChunk(chunk) {
    this.laneId = -1;
    const parked = this.parked;
    if (parked >= 0 && this.chunk[parked] === chunk) this.#unpark(parked);
    for (let index = 0; index < CLASS_COUNT; index++) {
      const stack = this.stacks[index];
      let kept = 0;
      for (let i = 0; i < this.tops[index]; i++) {
        const id = stack[i];
        if (this.chunk[id] !== chunk) {
          stack[kept++] = id;
        } else {
          this.stackedBytes -= this.sizes[index];
          this.retire(id);
        }
      }
      this.tops[index] = kept;
    }
    for (let id = 0; id < this.nextId; id++) {
      if (this.state[id] !== LIVE || this.chunk[id] !== chunk) continue;
      if (this.klass[id] !== EXACT) {
        this.liveOrParked--;
        this.held[id] = this.length[id];
      }
      this.state[id] = SETTLED; // its view's free goes to the owner's slow path
    }
  }

  // Forgets every block (the arena was reset): each outstanding record goes stale.
  clear() {
    this.laneId = -1;
    for (let id = 0; id < this.nextId; id++) {
      this.gen[id] = (this.gen[id] + 1) & GEN_MASK;
      this.state[id] = FREE;
    }
    this.freeCount = 0;
    for (let id = this.nextId - 1; id >= 0; id--) this.freeIds[this.freeCount++] = id;
    for (let index = 0; index < CLASS_COUNT; index++) this.tops[index] = 0;
    if (this.parked >= 0) this.leftPark += this.length[this.parked];
    this.parked = -1;
    this.liveOrParked = 0;
    this.scanFrom = this.nextId;
    this.stackedBytes = 0;
  }

  // The parked block id leaves the cache (settled, or its chunk dropped): its id is free again.
  #unpark(id) {
    this.parked = -1;
    this.liveOrParked--;
    this.leftPark += this.length[id];
    this.retire(id);
  }

  #grow() {
    const n = this.capacity * 2;
    this.capacity = n;
    this.chunk = grown(this.chunk, n);
    this.offset = grown(this.offset, n);
    this.length = grown(this.length, n);
    this.held = grown(this.held, n);
    this.klass = grown(this.klass, n);
    this.gen = grown(this.gen, n);
    this.state = grown(this.state, n);
    this.freeIds = grown(this.freeIds, n);
  }
}
noObjectPrototype(BlockCache);

module.exports = {
  BlockCache, CACHED, EXACT, FREE, LIVE, MAX_CLASS_SIZE, SETTLED, classBytes, classIndex, classLimit,
};
