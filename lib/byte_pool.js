'use strict';
// BytePool: bytepool's tiered pool over native slabs. Each tier
// carves fixed-size, 16-byte-aligned slots from slabs it owns; per-slot state
// (free/in use, generation, reference count) lives in typed arrays and
// each slot's last Buffer view is cached, so get() and put() make no native call
// once a tier has its slabs. put() identifies a slot by its memory (which
// slab, which offset), never by capacity, and rejects a second put.
// Leak detection (getBuffer only): a sampled PooledBuffer gets an ArrayBuffer
// of its own over its slot, and a FinalizationRegistry watches that
// ArrayBuffer, the one object every view of the memory keeps alive.
// Safe mode (lib/internal/byte_pool_safe.js) does that for every slot handed out.

const { Buffer } = require('node:buffer');
const { codes, fromNative } = require('./internal/errors');
const {
  ArrayIsArray, ArrayPrototypeJoin, ArrayPrototypeSlice, MathClz32, MathFloor, MathMin, ObjectDefineProperty,
  RegExpPrototypeExec, SafeFinalizationRegistry, Uint8Array, asArray, isDetached, ownArray,
  viewBuffer, viewByteLength,
} = require('./internal/intrinsics');
const { arrayBufferOf, fresh, genOf, slotOf, view } = require('./internal/pool_buffer');
const { newPooledBuffer } = require('./pooled_buffer');
const { SafeSlots } = require('./internal/byte_pool_safe');
const { parseSafe } = require('./internal/safe_mode');
const {
  COUNTED, Core, IN_USE, MAX_LENGTH, RECENT, SlabStamp, Tier,
} = require('./internal/tier');
const {
  DISABLED, LeakDetector, PARANOID, TrackedBuffer, captureSite, parseLeakDetection,
} = require('./internal/leak_detector');
const {
  isSize, isUint8Array, validateBuffer, validateInteger, validateOptions,
} = require('./internal/validators');

const {
  ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_INVALID_THIS, ERR_POOLMEM_CLOSED,
  ERR_POOLMEM_DOUBLE_FREE, ERR_POOLMEM_FOREIGN_BUFFER, ERR_POOLMEM_REFCOUNT,
} = codes;

const kEmpty = new ArrayBuffer(0); // what get(0) views: owns no memory, put() ignores it
const SAMPLE_INTERVAL = 128; // leakDetection 'sample': one getBuffer in 128 on average

// ---- leak detection ------------------------------------------------------------

// FinalizationRegistry callback: the tracked ArrayBuffer is gone. A count
// still above zero is a leak. Its memory may still be reachable all the
// same: a caller may have transferred the ArrayBuffer (ArrayBuffer#transfer),
// and the new one holds it. So the slot waits, held by nobody, until the
// native side says no ArrayBuffer over it is alive (Tier#lose).
function onCollected(record) {
  const { tier, slot } = record;
  const core = record.owner;
  if (core.closed || tier.gen[slot] !== record.gen || tier.state[slot] !== IN_USE || tier.refs[slot] <= 0) return;
  tier.refs[slot] = 0;
  tier.lose(slot);
  core.leaks++;
  reportLeak(core, record);
}

// One registry for every pool, for the life of the process: on Node.js 20 to
// 24 a FinalizationRegistry that becomes garbage with a callback pending can
// stop every FinalizationRegistry in the process (docs/design.md, "One
// FinalizationRegistry"), so a pool never owns one. A record holds its pool
// until its callback has run.
const trackedBuffers = new SafeFinalizationRegistry(onCollected);

// Netty's report: one warning per allocation site (per pool when sampling
// records no site).
function reportLeak(core, record) {
  core.leakDetector.reportSite(
    `LEAK: PooledBuffer.release() was not called before it was garbage-collected ` +
      `(${record.length} bytes from the ${record.tier.size}-byte tier)`,
    record.site);
}

// ---- BytePool ----------------------------------------------------------------

class BytePool {
  #core;
  #tiers;      // Tier[], ascending
  #maxTier = 0;
  #bucketStart; // ceil(log2(length)) -> index of the first tier that may fit

  static powerOfTwo() {
    const out = ownArray();
    for (let size = 128; size <= 2 * 1024 * 1024; size *= 2) out[out.length] = size;
    return asArray(out);
  }

  static stream() {
    return [1024, 4096, 16384, 32768, 65536, 131072];
  }

  constructor(tiers = undefined, options = undefined) {
    const sizes = validateTiers(tiers === undefined ? BytePool.powerOfTwo() : tiers);
    const opts = validateOptions(options);
    const leak = parseLeakDetection(opts);
    const maxSize = opts.maxSize === undefined ? Infinity : validateInteger(opts.maxSize, 'options.maxSize', 0);
    this.#core = new Core(maxSize, new LeakDetector(leak, SAMPLE_INTERVAL));
    if (parseSafe(opts)) this.#core.safe = new SafeSlots(this.#core, reportSafeLeak);
    const built = ownArray(); // without a setter running; never grown after
    for (let i = 0; i < sizes.length; i++) built[i] = new Tier(this.#core, sizes[i]);
    this.#tiers = asArray(built);
    this.#maxTier = sizes[sizes.length - 1];
    this.#bucketStart = new Uint8Array(34);
    for (let b = 0, t = 0; b < 34; b++) {
      // bucket b holds lengths in (2^(b-1), 2^b]; skip tiers below its smallest
      const smallest = b === 0 ? 1 : 2 ** (b - 1) + 1;
      while (t < sizes.length && sizes[t] < smallest) t++;
      this.#bucketStart[b] = MathMin(t, sizes.length - 1);
    }
  }

  static #check(self) {
    if (self === null || typeof self !== 'object' || !(#core in self)) throw ERR_INVALID_THIS('BytePool');
  }

  // The smallest tier of at least `length` bytes (0 < length <= max tier).
  #tierFor(length) {
    const tiers = this.#tiers;
    let i = this.#bucketStart[32 - MathClz32(length - 1)];
    while (tiers[i].size < length) i++;
    return tiers[i];
  }

  get(length) {
    // BytePool.#check(this), written out: get() and put() stay small enough
    // for V8 to inline them whole into a caller's loop.
    if (typeof this !== 'object' || this === null || !(#core in this)) throw ERR_INVALID_THIS('BytePool');
    const core = this.#core;
    // The common call, in as few checks as possible: a whole number of bytes
    // that a tier holds, on an open fast-mode pool (a NaN fails `length > 0`).
    if (typeof length === 'number' && length > 0 && length <= this.#maxTier && MathFloor(length) === length &&
        !core.closed && core.safe === null) {
      const tier = this.#tierFor(length);
      const slot = tier.take();
      core.record(length);
      return tier.bufferOf(slot, length);
    }
    return this.#getOther(length);
  }

  // get() of anything else: invalid, closed, empty, or above the largest tier.
  #getOther(length) {
    if (!isSize(length, MAX_LENGTH)) validateInteger(length, 'length', 0, MAX_LENGTH);
    const core = this.#core;
    if (core.closed) throw ERR_POOLMEM_CLOSED('byte pool');
    if (length === 0) return view(kEmpty, 0, 0);
    if (length > this.#maxTier) {
      const plain = Buffer.allocUnsafe(length);
      core.discarded++;
      core.record(length);
      return plain;
    }
    const tier = this.#tierFor(length);
    if (core.safe !== null) return core.safe.get(tier, length);
    const slot = tier.take();
    core.record(length);
    return tier.bufferOf(slot, length);
  }

  put(buf) {
    if (typeof this !== 'object' || this === null || !(#core in this)) throw ERR_INVALID_THIS('BytePool');
    // A view the pool made over a slot carries the slot id and the slot's
    // generation when it was handed out, and its chunk the slab (private
    // fields: no caller code runs).
    const slot = typeof buf === 'object' && buf !== null ? slotOf(buf) : -1;
    if (slot < 0) return this.#putUnstamped(buf);
    const core = this.#core;
    const slab = SlabStamp.of(arrayBufferOf(buf));
    const tier = slab.tier;
    // The common call in one test; anything else is sorted out, in order, by
    // putSlotView(). The view's generation is the slot's only while the
    // handout it was made for lasts (Tier#endHandout bumps it; the other ways
    // out of use, a lost slab and close(), detach the slab's chunk), so it
    // also says the slot is IN_USE, the pool open (close() detaches every
    // slab's chunk) and no PooledBuffer's (whose bytes carry gen + COUNTED).
    if (slab.core === core && slab.probe[0] !== undefined && genOf(buf) === tier.gen[slot]) {
      tier.release(slot);
      return;
    }
    putSlotView(core, slab, slot, buf);
  }

  // put() of a view the pool did not make: a prefix subarray of a pooled
  // buffer, a leak-tracked PooledBuffer's bytes, or foreign memory. A prefix
  // carries no generation: it is checked against the slot's state only, so
  // once the slot is handed out again it returns the new owner's slot
  // (README, BytePool).
  #putUnstamped(buf) {
    if (!isUint8Array(buf)) validateBuffer(buf, 'buf');
    const core = this.#core;
    if (core.closed) throw ERR_POOLMEM_CLOSED('byte pool');
    const arrayBuffer = viewBuffer(buf); // intrinsic reads only: no caller code runs in put()
    const slab = SlabStamp.of(arrayBuffer);
    if (slab === undefined || slab.core !== core) return this.#putOther(buf, arrayBuffer);
    if (slab.probe[0] === undefined) lostOrTrimmed(slab);
    const tier = slab.tier;
    const slot = tier.slotOf(slab, buf);
    if (slot < 0) {
      core.discarded++; // a view into pool memory that is not a handed-out buffer
      return;
    }
    releaseSlot(tier, slot);
  }

  // Slow path of put(): a leak-tracked PooledBuffer's bytes, or foreign memory.
  #putOther(buf, arrayBuffer) {
    const core = this.#core;
    const tracked = TrackedBuffer.of(arrayBuffer);
    if (tracked !== undefined && tracked.owner === core) {
      if (core.safe !== null) return core.safe.put(buf, tracked);
      const { tier, slot } = tracked;
      if (tier.gen[slot] === tracked.gen && tier.refs[slot] > 0) {
        throw ERR_POOLMEM_REFCOUNT('the buffer belongs to a PooledBuffer; call release() on it');
      }
      throw ERR_POOLMEM_DOUBLE_FREE(`the ${tier.size}-byte slot was already released`);
    }
    if (viewByteLength(buf) !== 0) core.discarded++; // foreign memory is never pooled
  }

  getBuffer(length) {
    BytePool.#check(this);
    if (!isSize(length, MAX_LENGTH)) validateInteger(length, 'length', 0, MAX_LENGTH);
    const core = this.#core;
    if (core.closed) throw ERR_POOLMEM_CLOSED('byte pool');
    if (length === 0 || length > this.#maxTier) return newPooledBuffer(null, 0, 0, this.get(length));
    const tier = this.#tierFor(length);
    if (core.safe !== null) return core.safe.getBuffer(tier, length, core.leakMode === PARANOID ? captureSite(BytePool.prototype.getBuffer) : null);
    if (core.leakMode !== DISABLED && (core.leakMode === PARANOID || --core.sampleCountdown === 0)) {
      return this.#getTracked(tier, length);
    }
    const slot = tier.takeChecked();
    core.record(length);
    tier.refs[slot] = 1;
    return newPooledBuffer(tier, slot, tier.gen[slot], tier.countedBufferOf(slot, length));
  }

  // A PooledBuffer whose bytes have an ArrayBuffer of their own, watched by
  // the pool's FinalizationRegistry. A FinalizationRegistry on a Buffer view
  // would fire while a subarray of it still reaches the memory; every view of
  // this ArrayBuffer keeps it alive, so the slot comes back only when nothing
  // can reach it.
  #getTracked(tier, length) {
    const core = this.#core;
    core.sampleCountdown = core.leakDetector.nextCountdown();
    const site = core.leakMode === PARANOID ? captureSite(BytePool.prototype.getBuffer) : null;
    const slot = tier.takeChecked();
    const gen = tier.gen[slot];
    // The slot's last tracked ArrayBuffer, released, comes back with its
    // record (still registered): no ArrayBuffer, no V8 call (Tier#releaseBytes).
    let arrayBuffer = tier.takeTracked(slot);
    if (arrayBuffer !== undefined && !isDetached(arrayBuffer)) {
      const record = TrackedBuffer.of(arrayBuffer);
      record.gen = gen;
      record.length = length;
      record.site = site;
    } else {
      const slab = tier.slabs[slot >>> tier.shift];
      try {
        arrayBuffer = slab.handle.view((slot & (tier.perSlab - 1)) * tier.stride, tier.size);
      } catch (err) {
        tier.untake(slot); // a failed call changes nothing
        tier.free[tier.freeTop++] = slot;
        throw fromNative(err);
      }
      const record = new TrackedBuffer(arrayBuffer, core, tier, slot, gen, length, site);
      trackedBuffers.register(arrayBuffer, record);
    }
    core.record(length);
    tier.refs[slot] = 1;
    return newPooledBuffer(tier, slot, gen, fresh(arrayBuffer, 0, length));
  }

  tierSizes() {
    BytePool.#check(this);
    const sizes = ownArray();
    for (let i = 0; i < this.#tiers.length; i++) sizes[i] = this.#tiers[i].size;
    return asArray(sizes);
  }

  // Unmaps every slab with no slot in use; returns the bytes released.
  trim() {
    BytePool.#check(this);
    if (this.#core.closed) return 0;
    if (this.#core.safe !== null) this.#core.safe.settle();
    let released = 0;
    for (let i = 0; i < this.#tiers.length; i++) released += this.#tiers[i].trim();
    return released;
  }

  stats() {
    BytePool.#check(this);
    const core = this.#core;
    const tiers = {};
    let totalGet = 0;
    let totalPut = 0;
    for (let i = 0; i < this.#tiers.length; i++) {
      const t = this.#tiers[i];
      ObjectDefineProperty(tiers, t.size, {
        value: { get: t.gets, put: t.puts, inUse: t.inUse }, writable: true, enumerable: true, configurable: true,
      }); // defined: a caller's setter on Object.prototype[size] never runs
      totalGet += t.gets;
      totalPut += t.puts;
    }
    return {
      tiers,
      discarded: core.discarded,
      totalGet,
      totalPut,
      recentLengths: recentLengths(core),
      leaks: core.leaks,
      reservedSize: core.reserved,
      heldSize: core.safe === null ? 0 : core.safe.held,
    };
  }

  metrics(prefix = '') {
    BytePool.#check(this);
    if (typeof prefix !== 'string') throw ERR_INVALID_ARG_TYPE('prefix', 'of type string', prefix);
    if (prefix !== '' && RegExpPrototypeExec(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, prefix) === null) {
      throw ERR_INVALID_ARG_VALUE('prefix', prefix, 'must be a Prometheus metric name prefix');
    }
    return formatMetrics(`${prefix}bytepool_`, this.#tiers, this.#core);
  }

  get closed() {
    BytePool.#check(this);
    return this.#core.closed;
  }

  get safe() {
    BytePool.#check(this);
    return this.#core.safe !== null;
  }

  // Outstanding buffers read length 0 (safe mode: poison) afterwards; slabs are unmapped once
  // their finalizers have run. Idempotent.
  close() {
    BytePool.#check(this);
    const core = this.#core;
    if (core.closed) return;
    core.closed = true;
    for (let i = 0; i < this.#tiers.length; i++) this.#tiers[i].close();
  }

  [Symbol.dispose]() {
    BytePool.#check(this);
    this.close();
  }
}

// put() of a slot view that failed put()'s one test, sorted out in order. Not
// in put(): V8 inlines put() whole into a caller's loop only while its
// bytecode is small (measured: with this inline, a ring of two tiers lost
// the inlining of #tierFor() and release(), +100 instructions a pair).
function putSlotView(core, slab, slot, buf) {
  if (core.closed) throw ERR_POOLMEM_CLOSED('byte pool');
  if (slab.core !== core) {
    core.discarded++; // another pool's buffer
    return;
  }
  if (slab.probe[0] === undefined) lostOrTrimmed(slab); // its chunk is detached
  const tier = slab.tier;
  const gen = genOf(buf);
  if (gen === (tier.gen[slot] | COUNTED)) {
    throw ERR_POOLMEM_REFCOUNT('the buffer belongs to a PooledBuffer; call release() on it');
  }
  if (gen !== tier.gen[slot]) {
    throw ERR_POOLMEM_DOUBLE_FREE(`the ${tier.size}-byte slot was put already (it may be in use again)`);
  }
  releaseSlot(tier, slot);
}

// put() of a handed-out slot: back to the pool unless it is already there or
// a PooledBuffer holds it.
function releaseSlot(tier, slot) {
  if (tier.state[slot] !== IN_USE) throw ERR_POOLMEM_DOUBLE_FREE(`the ${tier.size}-byte slot is already in the pool`);
  if (tier.refs[slot] !== 0) throw ERR_POOLMEM_REFCOUNT('the buffer belongs to a PooledBuffer; call release() on it');
  tier.release(slot);
}

// put() of a buffer whose slab's chunk is detached: the slab was trimmed, or
// a caller transferred the chunk (then its memory is the new ArrayBuffer's,
// and the slab is lost to the pool: Tier#loseSlab).
function lostOrTrimmed(slab) {
  if (slab.closed) throw ERR_POOLMEM_DOUBLE_FREE('the slab holding this buffer was trimmed');
  if (!slab.lost) slab.tier.loseSlab(slab);
  throw ERR_POOLMEM_FOREIGN_BUFFER(
    "byte pool (its slab's ArrayBuffer was transferred: the memory is the new ArrayBuffer's)");
}

// A safe-mode slot collected without put()/release(): counted always,
// reported unless leak detection is disabled.
function reportSafeLeak(core, record) {
  if (core.leakMode !== DISABLED) reportLeak(core, record);
}

function recentLengths(core) {
  const n = MathMin(core.recentCount, RECENT);
  const out = ownArray();
  const start = core.recentCount - n;
  for (let i = 0; i < n; i++) out[i] = core.recent[(start + i) & (RECENT - 1)];
  return asArray(out);
}

function validateTiers(tiers) {
  if (!ArrayIsArray(tiers)) throw ERR_INVALID_ARG_TYPE('tiers', 'an instance of Array', tiers);
  if (tiers.length === 0) throw ERR_INVALID_ARG_VALUE('tiers', tiers, 'must not be empty');
  const sizes = ArrayPrototypeSlice(tiers);
  for (let i = 0; i < sizes.length; i++) {
    validateInteger(sizes[i], `tiers[${i}]`, 1, MAX_LENGTH);
    if (i > 0 && sizes[i] <= sizes[i - 1]) {
      throw ERR_INVALID_ARG_VALUE('tiers', tiers, 'must be strictly ascending');
    }
  }
  return sizes;
}

// ---- Prometheus text exposition format (version 0.0.4) -------------------------

function formatMetrics(name, tiers, core) {
  const lines = ownArray();
  const family = (metric, type, help, samples) => {
    lines[lines.length] = `# HELP ${name}${metric} ${help}`;
    lines[lines.length] = `# TYPE ${name}${metric} ${type}`;
    for (let i = 0; i < samples.length; i++) lines[lines.length] = `${name}${metric}${samples[i][0]} ${samples[i][1]}`;
  };
  const perTier = (pick) => {
    const samples = ownArray();
    for (let i = 0; i < tiers.length; i++) samples[i] = [`{tier="${tiers[i].size}"}`, pick(tiers[i])];
    return samples;
  };
  family('get_total', 'counter', 'Buffers handed out from each tier.', perTier((t) => t.gets));
  family('put_total', 'counter', 'Buffers returned to each tier.', perTier((t) => t.puts));
  family('in_use', 'gauge', 'Slots of each tier currently handed out.', perTier((t) => t.inUse));
  family('discarded_total', 'counter',
    'Requests above the largest tier plus puts of buffers the pool did not hand out.', [['', core.discarded]]);
  family('leaks_total', 'counter',
    'PooledBuffers garbage-collected with a reference count above zero.', [['', core.leaks]]);
  family('reserved_bytes', 'gauge', 'Bytes mapped for slabs.', [['', core.reserved]]);
  family('held_bytes', 'gauge', 'Safe mode: bytes given back but held until their buffer is garbage-collected.',
    [['', core.safe === null ? 0 : core.safe.held]]);
  return `${ArrayPrototypeJoin(lines, '\n')}\n`;
}

module.exports = { BytePool };
