'use strict';
// BytePool: bytepool's tiered pool over native slabs (issue #5). Each tier
// carves fixed-size, 16-byte-aligned slots from slabs it owns; per-slot state
// (free/in use, generation, reference count) lives in typed arrays and
// full-length Buffer views are cached, so get() and put() make no native call
// once a tier has its slabs. put() identifies a slot by its memory (which
// slab, which offset), never by capacity, and rejects a second put.
// Leak detection (getBuffer only): a sampled PooledBuffer gets an ArrayBuffer
// of its own over its slot, and a FinalizationRegistry watches that
// ArrayBuffer, the one object every view of the memory keeps alive.

const { Buffer, constants } = require('node:buffer');
const binding = require('./binding');
const { codes, fromNative } = require('./errors');
const { view } = require('./pool_buffer');
const { newPooledBuffer } = require('./pooled_buffer');
const {
  isSize, isUint8Array, validateBuffer, validateInteger, validateOneOf, validateOptions,
} = require('./validators');

const {
  ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_INVALID_THIS, ERR_POOLMEM_CLOSED,
  ERR_POOLMEM_DOUBLE_FREE, ERR_POOLMEM_OUT_OF_MEMORY, ERR_POOLMEM_REFCOUNT,
} = codes;

const MAX_LENGTH = constants.MAX_LENGTH;
const SLOT_ALIGN = 16;
const SLAB_BYTES = 256 * 1024; // a slab holds a power-of-two slot count, at most this many bytes
const RECENT = 256;            // recentLengths ring
const SAMPLE_INTERVAL = 128;   // leakDetection 'sample': one getBuffer in 128 on average
const NO_SLAB = 0;
const FREE = 1;
const IN_USE = 2;
const LEAK_MODES = ['disabled', 'sample', 'paranoid'];
const kEmpty = new ArrayBuffer(0); // what get(0) views: owns no memory, put() ignores it
const DISABLED = 0;
const SAMPLE = 1;
const PARANOID = 2;

// ---- stamps: unforgeable ArrayBuffer -> record, through private fields ------

class Stamper {
  constructor(target) {
    return target; // lets a subclass add a private field to any object
  }
}

// A slab's chunk ArrayBuffer -> its SlabRecord.
class SlabStamp extends Stamper {
  #record;
  constructor(target, record) {
    super(target);
    this.#record = record;
  }

  static of(target) {
    return #record in target ? target.#record : undefined;
  }
}

// A Buffer view the pool made over a slot -> that slot's SlotRecord. put()
// of such a view needs no .buffer / .byteOffset reads (~8-13 ns each on
// Node 20: they are not inlined); subarrays are not stamped and take the
// slab path.
class ViewStamp extends Stamper {
  #record;
  constructor(target, record) {
    super(target);
    this.#record = record;
  }

  static of(target) {
    return #record in target ? target.#record : undefined;
  }
}

// A leak-tracked slot's own ArrayBuffer -> its TrackedRecord.
class TrackedStamp extends Stamper {
  #record;
  constructor(target, record) {
    super(target);
    this.#record = record;
  }

  static of(target) {
    return #record in target ? target.#record : undefined;
  }
}

// ---- per-pool state ------------------------------------------------------------

class SlabRecord {
  constructor(core, tier, handle, chunk, index, slots, bytes) {
    this.core = core;
    this.tier = tier;
    this.handle = handle;
    this.chunk = chunk;
    this.base = index << tier.shift; // first slot id
    this.index = index;
    this.slots = slots;              // carved slots (fewer than perSlab only under maxSize)
    this.bytes = bytes;
    this.closed = false;
  }
}

class SlotRecord {
  constructor(core, tier, slab, slot) {
    this.core = core;
    this.tier = tier;
    this.slab = slab;
    this.slot = slot;
  }
}

class TrackedRecord {
  constructor(core, tier, slot, gen, length, site) {
    this.core = core;
    this.tier = tier;
    this.slot = slot;
    this.gen = gen;
    this.length = length;
    this.site = site; // an object holding the allocation stack (paranoid), or null
  }
}

// Counters and settings shared by a pool's tiers.
class Core {
  constructor(maxSize, leakMode) {
    this.maxSize = maxSize;
    this.leakMode = leakMode;
    this.closed = false;
    this.reserved = 0;
    this.totalGet = 0;
    this.totalPut = 0;
    this.discarded = 0;
    this.leaks = 0;
    this.recent = new Float64Array(RECENT);
    this.recentCount = 0;
    this.sampleCountdown = nextSample();
    this.reportedSites = new Set();
    this.registry = null; // FinalizationRegistry, made on first tracked buffer
  }

  record(length) {
    this.recent[this.recentCount & (RECENT - 1)] = length;
    this.recentCount++;
  }
}

// One tier: slots of `size` bytes, `stride` apart, `perSlab` (a power of two)
// to a slab. Slot id = slab index * perSlab + slot index in the slab.
class Tier {
  constructor(core, size) {
    this.core = core;
    this.size = size;
    this.stride = Math.ceil(size / SLOT_ALIGN) * SLOT_ALIGN;
    this.strideShift = (this.stride & (this.stride - 1)) === 0 ? 31 - Math.clz32(this.stride) : -1;
    const fit = Math.max(1, Math.floor(SLAB_BYTES / this.stride));
    this.shift = 31 - Math.clz32(fit);
    this.perSlab = 1 << this.shift;
    this.slabs = [];
    this.state = new Uint8Array(0);
    this.gen = new Uint32Array(0);
    this.refs = new Int32Array(0);
    this.free = new Int32Array(0);
    this.freeTop = 0;
    this.views = [];   // cached full-length view per slot
    this.records = []; // SlotRecord per slot, shared by every view of it
    this.gets = 0;
    this.puts = 0;
    this.inUse = 0;
  }

  // A free slot id, now in use. Throws ERR_POOLMEM_OUT_OF_MEMORY and changes
  // nothing when a new slab is needed and refused.
  take() {
    if (this.freeTop === 0) this.addSlab();
    const slot = this.free[--this.freeTop];
    this.state[slot] = IN_USE;
    this.inUse++;
    this.gets++;
    this.core.totalGet++;
    return slot;
  }

  // Back to the free list; bumps the generation so stale PooledBuffers see it.
  release(slot) {
    this.state[slot] = FREE;
    this.gen[slot]++;
    this.free[this.freeTop++] = slot;
    this.inUse--;
    this.puts++;
    this.core.totalPut++;
  }

  // A Buffer of `length` bytes over the slot: the cached view at full length.
  bufferOf(slot, length) {
    if (length === this.size) {
      const cached = this.views[slot];
      if (cached !== undefined) return cached;
      return (this.views[slot] = this.viewOf(slot, length));
    }
    return this.viewOf(slot, length);
  }

  viewOf(slot, length) {
    let record = this.records[slot];
    if (record === undefined) {
      record = this.records[slot] = new SlotRecord(this.core, this, this.slabs[slot >>> this.shift], slot);
    }
    const buf = view(record.slab.chunk, (slot & (this.perSlab - 1)) * this.stride, length);
    new ViewStamp(buf, record); // eslint-disable-line no-new
    return buf;
  }

  // The slot a buffer returned by put() stands for, or -1 when it is not the
  // start of a slot of this slab (or runs past the slot).
  slotOf(slab, buf) {
    const offset = buf.byteOffset;
    let index;
    if (this.strideShift >= 0) {
      if ((offset & (this.stride - 1)) !== 0) return -1;
      index = offset >>> this.strideShift;
    } else {
      index = offset / this.stride;
      if (index !== Math.floor(index)) return -1;
    }
    if (index >= slab.slots || buf.length > this.size) return -1;
    return slab.base + index;
  }

  addSlab() {
    const core = this.core;
    let slots = this.perSlab;
    let bytes = slots * this.stride;
    if (core.reserved + bytes > core.maxSize) {
      slots = Math.floor((core.maxSize - core.reserved) / this.stride);
      if (slots < 1) {
        throw ERR_POOLMEM_OUT_OF_MEMORY(
          `a ${this.size}-byte slot does not fit under maxSize (${core.maxSize} bytes, ${core.reserved} reserved)`);
      }
      bytes = slots * this.stride;
    }
    let handle;
    try {
      handle = new binding.SlabHandle(bytes, false);
    } catch (err) {
      throw fromNative(err);
    }
    let index = this.slabs.indexOf(null);
    if (index < 0) index = this.slabs.length;
    this.ensureCapacity((index + 1) << this.shift);
    const chunk = handle.chunk();
    const slab = new SlabRecord(core, this, handle, chunk, index, slots, bytes);
    new SlabStamp(chunk, slab); // eslint-disable-line no-new
    this.slabs[index] = slab;
    // Lowest offset on top, so a fresh slab is used front to back.
    for (let i = slots - 1; i >= 0; i--) {
      this.state[slab.base + i] = FREE;
      this.free[this.freeTop++] = slab.base + i;
    }
    core.reserved += bytes;
  }

  ensureCapacity(slots) {
    if (this.state.length >= slots) return;
    const size = Math.max(slots, this.state.length * 2);
    const grow = (Type, old) => {
      const next = new Type(size);
      next.set(old);
      return next;
    };
    this.state = grow(Uint8Array, this.state);
    this.gen = grow(Uint32Array, this.gen);
    this.refs = grow(Int32Array, this.refs);
    this.free = grow(Int32Array, this.free);
    while (this.views.length < size) this.views.push(undefined); // packed, never sparse
    while (this.records.length < size) this.records.push(undefined);
  }

  // Unmaps every slab whose slots are all free; returns the bytes released.
  trim() {
    let released = 0;
    for (const slab of this.slabs) {
      if (slab === null) continue;
      let busy = false;
      for (let i = 0; i < slab.slots && !busy; i++) busy = this.state[slab.base + i] !== FREE;
      if (busy) continue;
      for (let i = 0; i < slab.slots; i++) {
        this.state[slab.base + i] = NO_SLAB;
        this.views[slab.base + i] = undefined;
        this.records[slab.base + i] = undefined;
      }
      this.closeSlab(slab);
      this.slabs[slab.index] = null;
      released += slab.bytes;
    }
    if (released === 0) return 0;
    let top = 0;
    for (let i = 0; i < this.freeTop; i++) {
      if (this.state[this.free[i]] === FREE) this.free[top++] = this.free[i];
    }
    this.freeTop = top;
    this.core.reserved -= released;
    return released;
  }

  closeSlab(slab) {
    slab.closed = true;
    slab.handle.close(); // outstanding views read length 0; unmapped on a later turn
  }

  close() {
    for (const slab of this.slabs) if (slab !== null) this.closeSlab(slab);
  }
}

function nextSample() {
  return 1 + Math.floor(Math.random() * (2 * SAMPLE_INTERVAL - 1));
}

// ---- leak detection ------------------------------------------------------------

// FinalizationRegistry callback: the tracked ArrayBuffer is gone, so nothing
// can reach the slot's memory any more. A count still above zero is a leak.
function onCollected(record) {
  const { core, tier, slot } = record;
  if (core.closed || tier.gen[slot] !== record.gen || tier.state[slot] !== IN_USE || tier.refs[slot] <= 0) return;
  tier.refs[slot] = 0;
  tier.state[slot] = FREE;
  tier.gen[slot]++;
  tier.free[tier.freeTop++] = slot;
  tier.inUse--;
  core.leaks++;
  reportLeak(core, record);
}

// Netty's report: one warning per allocation site (per pool when sampling
// records no site).
function reportLeak(core, record) {
  const stack = record.site === null ? '' : String(record.site.stack).split('\n').slice(1).join('\n');
  if (core.reportedSites.has(stack)) return;
  core.reportedSites.add(stack);
  const where = stack === ''
    ? "Use leakDetection: 'paranoid' to record where leaked buffers are created."
    : `Created at:\n${stack}`;
  process.emitWarning(
    `LEAK: PooledBuffer.release() was not called before it was garbage-collected ` +
      `(${record.length} bytes from the ${record.tier.size}-byte tier). The memory went back to the pool.`,
    { type: 'PoolmemLeakWarning', code: 'POOLMEM_LEAK', detail: where });
}

// ---- BytePool ----------------------------------------------------------------

class BytePool {
  #core;
  #tiers;      // Tier[], ascending
  #maxTier;
  #bucketStart; // ceil(log2(length)) -> index of the first tier that may fit

  static powerOfTwo() {
    const out = [];
    for (let size = 128; size <= 2 * 1024 * 1024; size *= 2) out.push(size);
    return out;
  }

  static stream() {
    return [1024, 4096, 16384, 32768, 65536, 131072];
  }

  constructor(tiers = undefined, options = undefined) {
    const sizes = validateTiers(tiers === undefined ? BytePool.powerOfTwo() : tiers);
    const opts = validateOptions(options);
    const leak = opts.leakDetection === undefined ? 'sample' : validateOneOf(opts.leakDetection, 'options.leakDetection', LEAK_MODES);
    const maxSize = opts.maxSize === undefined ? Infinity : validateInteger(opts.maxSize, 'options.maxSize', 0);
    this.#core = new Core(maxSize, LEAK_MODES.indexOf(leak));
    this.#tiers = sizes.map((size) => new Tier(this.#core, size));
    this.#maxTier = sizes[sizes.length - 1];
    this.#bucketStart = new Uint8Array(34);
    for (let b = 0, t = 0; b < 34; b++) {
      // bucket b holds lengths in (2^(b-1), 2^b]; skip tiers below its smallest
      const smallest = b === 0 ? 1 : 2 ** (b - 1) + 1;
      while (t < sizes.length && sizes[t] < smallest) t++;
      this.#bucketStart[b] = Math.min(t, sizes.length - 1);
    }
  }

  static #check(self) {
    if (self === null || typeof self !== 'object' || !(#core in self)) throw ERR_INVALID_THIS('BytePool');
  }

  // The smallest tier of at least `length` bytes (0 < length <= max tier).
  #tierFor(length) {
    const tiers = this.#tiers;
    let i = this.#bucketStart[32 - Math.clz32(length - 1)];
    while (tiers[i].size < length) i++;
    return tiers[i];
  }

  get(length) {
    BytePool.#check(this);
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
    const slot = tier.take();
    core.record(length);
    return tier.bufferOf(slot, length);
  }

  put(buf) {
    BytePool.#check(this);
    const record = typeof buf === 'object' && buf !== null ? ViewStamp.of(buf) : undefined;
    if (record === undefined) return this.#putUnstamped(buf);
    const core = this.#core;
    if (core.closed) throw ERR_POOLMEM_CLOSED('byte pool');
    if (record.core !== core) {
      core.discarded++; // another pool's buffer
      return;
    }
    if (record.slab.closed) throw ERR_POOLMEM_DOUBLE_FREE('the slab holding this buffer was trimmed');
    const tier = record.tier;
    const slot = record.slot;
    if (tier.state[slot] !== IN_USE) throw ERR_POOLMEM_DOUBLE_FREE(`the ${tier.size}-byte slot is already in the pool`);
    if (tier.refs[slot] !== 0) throw ERR_POOLMEM_REFCOUNT('the buffer belongs to a PooledBuffer; call release() on it');
    tier.release(slot);
  }

  // put() of a view the pool did not make: a prefix subarray of a pooled
  // buffer, a leak-tracked PooledBuffer's bytes, or foreign memory.
  #putUnstamped(buf) {
    if (!isUint8Array(buf)) validateBuffer(buf, 'buf');
    const core = this.#core;
    if (core.closed) throw ERR_POOLMEM_CLOSED('byte pool');
    const slab = SlabStamp.of(buf.buffer);
    if (slab === undefined || slab.core !== core) return this.#putOther(buf);
    if (slab.closed) throw ERR_POOLMEM_DOUBLE_FREE('the slab holding this buffer was trimmed');
    const tier = slab.tier;
    const slot = tier.slotOf(slab, buf);
    if (slot < 0) {
      core.discarded++; // a view into pool memory that is not a handed-out buffer
      return;
    }
    if (tier.state[slot] !== IN_USE) throw ERR_POOLMEM_DOUBLE_FREE(`the ${tier.size}-byte slot is already in the pool`);
    if (tier.refs[slot] !== 0) throw ERR_POOLMEM_REFCOUNT('the buffer belongs to a PooledBuffer; call release() on it');
    tier.release(slot);
  }

  // Slow path of put(): a leak-tracked PooledBuffer's bytes, or foreign memory.
  #putOther(buf) {
    const core = this.#core;
    const tracked = TrackedStamp.of(buf.buffer);
    if (tracked !== undefined && tracked.core === core) {
      const { tier, slot } = tracked;
      if (tier.gen[slot] === tracked.gen && tier.refs[slot] > 0) {
        throw ERR_POOLMEM_REFCOUNT('the buffer belongs to a PooledBuffer; call release() on it');
      }
      throw ERR_POOLMEM_DOUBLE_FREE(`the ${tier.size}-byte slot was already released`);
    }
    if (buf.byteLength !== 0) core.discarded++; // foreign memory is never pooled
  }

  getBuffer(length) {
    BytePool.#check(this);
    if (!isSize(length, MAX_LENGTH)) validateInteger(length, 'length', 0, MAX_LENGTH);
    const core = this.#core;
    if (core.closed) throw ERR_POOLMEM_CLOSED('byte pool');
    if (length === 0 || length > this.#maxTier) return newPooledBuffer(null, 0, 0, this.get(length));
    const tier = this.#tierFor(length);
    if (core.leakMode !== DISABLED && (core.leakMode === PARANOID || --core.sampleCountdown === 0)) {
      return this.#getTracked(tier, length);
    }
    const slot = tier.take();
    core.record(length);
    tier.refs[slot] = 1;
    return newPooledBuffer(tier, slot, tier.gen[slot], tier.bufferOf(slot, length));
  }

  // A PooledBuffer whose bytes have an ArrayBuffer of their own, watched by
  // the pool's FinalizationRegistry. A FinalizationRegistry on a Buffer view
  // would fire while a subarray of it still reaches the memory; every view of
  // this ArrayBuffer keeps it alive, so the slot comes back only when nothing
  // can reach it.
  #getTracked(tier, length) {
    const core = this.#core;
    core.sampleCountdown = nextSample();
    const site = core.leakMode === PARANOID ? captureSite() : null;
    const slot = tier.take();
    const slab = tier.slabs[slot >>> tier.shift];
    let arrayBuffer;
    try {
      arrayBuffer = slab.handle.view((slot & (tier.perSlab - 1)) * tier.stride, tier.size);
    } catch (err) {
      tier.state[slot] = FREE; // undo take(): a failed call changes nothing
      tier.free[tier.freeTop++] = slot;
      tier.inUse--;
      tier.gets--;
      core.totalGet--;
      throw fromNative(err);
    }
    core.record(length);
    tier.refs[slot] = 1;
    const gen = tier.gen[slot];
    const record = new TrackedRecord(core, tier, slot, gen, length, site);
    new TrackedStamp(arrayBuffer, record); // eslint-disable-line no-new
    if (core.registry === null) core.registry = new FinalizationRegistry(onCollected);
    core.registry.register(arrayBuffer, record);
    return newPooledBuffer(tier, slot, gen, view(arrayBuffer, 0, length));
  }

  tierSizes() {
    BytePool.#check(this);
    return this.#tiers.map((t) => t.size);
  }

  // Unmaps every slab with no slot in use; returns the bytes released.
  trim() {
    BytePool.#check(this);
    if (this.#core.closed) return 0;
    let released = 0;
    for (const t of this.#tiers) released += t.trim();
    return released;
  }

  stats() {
    BytePool.#check(this);
    const core = this.#core;
    const tiers = {};
    for (const t of this.#tiers) tiers[t.size] = { get: t.gets, put: t.puts, inUse: t.inUse };
    return {
      tiers,
      discarded: core.discarded,
      totalGet: core.totalGet,
      totalPut: core.totalPut,
      recentLengths: recentLengths(core),
      leaks: core.leaks,
      reservedSize: core.reserved,
    };
  }

  metrics(prefix = '') {
    BytePool.#check(this);
    if (typeof prefix !== 'string') throw ERR_INVALID_ARG_TYPE('prefix', 'of type string', prefix);
    if (prefix !== '' && !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) {
      throw ERR_INVALID_ARG_VALUE('prefix', prefix, 'must be a Prometheus metric name prefix');
    }
    return formatMetrics(`${prefix}bytepool_`, this.#tiers, this.#core);
  }

  get closed() {
    BytePool.#check(this);
    return this.#core.closed;
  }

  // Outstanding buffers read length 0 afterwards; slabs are unmapped once
  // their finalizers have run. Idempotent.
  close() {
    BytePool.#check(this);
    const core = this.#core;
    if (core.closed) return;
    core.closed = true;
    for (const t of this.#tiers) t.close();
  }

  [Symbol.dispose]() {
    BytePool.#check(this);
    this.close();
  }
}

function captureSite() {
  const site = {};
  Error.captureStackTrace(site, BytePool.prototype.getBuffer); // formatted lazily, on a leak
  return site;
}

function recentLengths(core) {
  const n = Math.min(core.recentCount, RECENT);
  const out = new Array(n);
  const start = core.recentCount - n;
  for (let i = 0; i < n; i++) out[i] = core.recent[(start + i) & (RECENT - 1)];
  return out;
}

function validateTiers(tiers) {
  if (!Array.isArray(tiers)) throw ERR_INVALID_ARG_TYPE('tiers', 'an instance of Array', tiers);
  if (tiers.length === 0) throw ERR_INVALID_ARG_VALUE('tiers', tiers, 'must not be empty');
  const sizes = tiers.slice();
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
  const lines = [];
  const family = (metric, type, help, samples) => {
    lines.push(`# HELP ${name}${metric} ${help}`, `# TYPE ${name}${metric} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${metric}${labels} ${value}`);
  };
  const perTier = (pick) => tiers.map((t) => [`{tier="${t.size}"}`, pick(t)]);
  family('get_total', 'counter', 'Buffers handed out from each tier.', perTier((t) => t.gets));
  family('put_total', 'counter', 'Buffers returned to each tier.', perTier((t) => t.puts));
  family('in_use', 'gauge', 'Slots of each tier currently handed out.', perTier((t) => t.inUse));
  family('discarded_total', 'counter',
    'Requests above the largest tier plus puts of buffers the pool did not hand out.', [['', core.discarded]]);
  family('leaks_total', 'counter',
    'PooledBuffers garbage-collected with a reference count above zero.', [['', core.leaks]]);
  family('reserved_bytes', 'gauge', 'Bytes mapped for slabs.', [['', core.reserved]]);
  return `${lines.join('\n')}\n`;
}

module.exports = { BytePool };
