'use strict';
// BlockIndex: a BlockCache's blocks by place, for the calls that free a range
// no whole block view covers (a subarray, freeRest's tail, a caller's own
// view of a chunk). Those must find the blocks the range touches; a scan of
// every id made each such free cost time in proportion to the blocks
// outstanding (about 130 us with 10,000 of them, against 0.4 us before the
// cache existed).
//
// Entries (id, chunk, offset) sorted by (chunk, offset), built on the first
// query and then kept: an id the cache places anew (BlockCache#add) waits in
// the pending list, scanned linearly, until a merge folds the pending ids in.
// An entry is current while its id is in use at the same chunk and offset;
// others are skipped and dropped at the next merge. Blocks are not always
// disjoint (a piece freed and handed out again lies inside the old block's
// span), so a query walks left from the range's end until no earlier entry
// reaches its start: maxEnd[i] is the furthest end of the entries up to i in
// the chunk, spans as recorded then (a span only shrinks while the entry is
// current; an id placed again goes through the pending list).
//
// Queries run inside free(): typed arrays and plain loops only, so no
// accessor a caller put on Array.prototype and no patched method runs.

const { EXACT, FREE, SETTLED } = require('./block_states');
const {
  Float64Array, Int32Array, MathMax, MathSqrt, noObjectPrototype, typedArraySet, typedArraySort,
} = require('./intrinsics');
const { grown } = require('./typed_arrays');

const MIN_CAPACITY = 64;

class BlockIndex {
  constructor(cache) {
    this.cache = cache;
    // Capacities are numbers: a typed array's .length is a getter a caller can replace.
    this.count = 0;
    this.capacity = MIN_CAPACITY;
    this.ids = new Int32Array(MIN_CAPACITY);
    this.chunk = new Float64Array(MIN_CAPACITY);
    this.offset = new Float64Array(MIN_CAPACITY);
    this.maxEnd = new Float64Array(MIN_CAPACITY);
    // Per id (below idCapacity): the merge that kept it, and the epoch it went pending in.
    this.idCapacity = 0;
    this.seen = new Int32Array(0);
    this.pendingMark = new Int32Array(0);
    this.epoch = 0;
    this.pending = new Int32Array(MIN_CAPACITY);
    this.pendingCount = 0;
    this.pendingCapacity = MIN_CAPACITY;
    this.found = new Int32Array(MIN_CAPACITY); // a query's answer, read before the next query
    this.foundCount = 0;
    this.foundCapacity = MIN_CAPACITY;
    const inUse = new Int32Array(cache.nextId);
    let n = 0;
    for (let id = 0; id < cache.nextId; id++) if (cache.state[id] !== FREE) inUse[n++] = id;
    this.merge(inUse, n);
  }

  // BlockCache#add placed id: the index learns it at the next query. An id
  // placed again before the next merge stays pending once (a LIFO pattern
  // places one id over and over).
  added(id) {
    if (id >= this.idCapacity) this.#growIds(id + 1);
    if (this.pendingMark[id] === this.epoch) return;
    this.pendingMark[id] = this.epoch;
    if (this.pendingCount === this.pendingCapacity) {
      this.pendingCapacity *= 2;
      this.pending = grown(this.pending, this.pendingCapacity);
    }
    this.pending[this.pendingCount++] = id;
  }

  // The ids in use whose bytes reach into [start, end) of chunk, each once:
  // found[0..foundCount).
  overlapping(chunk, start, end) {
    const limit = 16 + MathSqrt(this.count);
    if (this.pendingCount > limit) this.merge(this.pending, this.pendingCount);
    this.foundCount = 0;
    let visited = 0;
    for (let i = this.#lowerBound(chunk, end) - 1; i >= 0; i--) {
      if (this.chunk[i] !== chunk || this.maxEnd[i] <= start) break;
      visited++;
      if (this.#current(i)) this.#collect(this.ids[i], start, end);
    }
    const cache = this.cache;
    for (let k = 0; k < this.pendingCount; k++) {
      const id = this.pending[k];
      if (cache.state[id] !== FREE && cache.chunk[id] === chunk) this.#collect(id, start, end);
    }
    // Entries gone stale since the last merge make walks long: fold them out.
    if (visited > limit) this.merge(this.pending, this.pendingCount);
    return this.foundCount;
  }

  // Drops the entries gone stale and folds in extra[0..extraCount) still in
  // use, in one pass over the entries (the extra ones, few but for the first
  // build, are sorted alone).
  merge(extra, extraCount) {
    const cache = this.cache;
    const epoch = ++this.epoch; // also empties the pending marks
    if (cache.nextId > this.idCapacity) this.#growIds(cache.nextId);
    const seen = this.seen;
    let kept = 0;
    for (let i = 0; i < this.count; i++) {
      if (!this.#current(i)) continue;
      seen[this.ids[i]] = epoch;
      this.ids[kept] = this.ids[i];
      this.chunk[kept] = this.chunk[i];
      this.offset[kept] = this.offset[i];
      kept++;
    }
    let fresh = 0;
    const added = new Int32Array(extraCount);
    for (let k = 0; k < extraCount; k++) {
      const id = extra[k];
      if (cache.state[id] === FREE || seen[id] === epoch) continue;
      seen[id] = epoch;
      added[fresh++] = id;
    }
    const sorted = new Int32Array(fresh);
    for (let k = 0; k < fresh; k++) sorted[k] = added[k];
    typedArraySort(sorted, (x, y) => cache.chunk[x] - cache.chunk[y] || cache.offset[x] - cache.offset[y]);
    const n = kept + fresh;
    if (n > this.capacity) this.#resize(MathMax(n, 2 * this.capacity));
    // Merged from the back, in place.
    let a = kept - 1;
    for (let b = fresh - 1, k = n - 1; b >= 0; k--) {
      const id = sorted[b];
      const chunk = cache.chunk[id];
      const offset = cache.offset[id];
      if (a >= 0 && (this.chunk[a] > chunk || (this.chunk[a] === chunk && this.offset[a] > offset))) {
        this.ids[k] = this.ids[a];
        this.chunk[k] = this.chunk[a];
        this.offset[k] = this.offset[a];
        a--;
      } else {
        this.ids[k] = id;
        this.chunk[k] = chunk;
        this.offset[k] = offset;
        b--;
      }
    }
    for (let k = 0; k < n; k++) {
      const end = this.offset[k] + span(cache, this.ids[k]);
      const before = k > 0 && this.chunk[k - 1] === this.chunk[k] ? this.maxEnd[k - 1] : 0;
      this.maxEnd[k] = before > end ? before : end;
    }
    this.count = n;
    this.pendingCount = 0;
  }

  #current(i) {
    const cache = this.cache;
    const id = this.ids[i];
    return cache.state[id] !== FREE && cache.chunk[id] === this.chunk[i] && cache.offset[id] === this.offset[i];
  }

  #collect(id, start, end) {
    const from = this.cache.offset[id];
    if (end <= from || start >= from + span(this.cache, id)) return;
    for (let k = 0; k < this.foundCount; k++) if (this.found[k] === id) return;
    if (this.foundCount === this.foundCapacity) {
      this.foundCapacity *= 2;
      this.found = grown(this.found, this.foundCapacity);
    }
    this.found[this.foundCount++] = id;
  }

  // The first entry at or after (chunk, offset).
  #lowerBound(chunk, offset) {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.chunk[mid] < chunk || (this.chunk[mid] === chunk && this.offset[mid] < offset)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #resize(n) {
    const ids = new Int32Array(n);
    const chunk = new Float64Array(n);
    const offset = new Float64Array(n);
    typedArraySet(ids, this.ids);
    typedArraySet(chunk, this.chunk);
    typedArraySet(offset, this.offset);
    this.ids = ids;
    this.chunk = chunk;
    this.offset = offset;
    this.maxEnd = new Float64Array(n); // recomputed by merge()
    this.capacity = n;
  }

  // seen and pendingMark cover ids below n (at least).
  #growIds(n) {
    const capacity = MathMax(MIN_CAPACITY, 2 * n);
    this.seen = grown(this.seen, capacity);
    this.pendingMark = grown(this.pendingMark, capacity);
    this.idCapacity = capacity;
  }
}
noObjectPrototype(BlockIndex);

// The bytes block id spans now: its class size while the cache holds its
// slack (live or cached), what its caller was handed once settled or exact.
function span(cache, id) {
  const index = cache.klass[id];
  return index === EXACT || cache.state[id] === SETTLED ? cache.length[id] : cache.sizes[index];
}

module.exports = { BlockIndex };
