// poolmem's public TypeScript contract (documented in README.md). Every name here is
// exported by both `require('poolmem')` and `import ... from 'poolmem'`.
/// <reference types="node" />

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

export type PoolErrorCode =
  | 'ERR_POOLMEM_CLOSED'
  | 'ERR_POOLMEM_DOUBLE_FREE'
  | 'ERR_POOLMEM_FOREIGN_BUFFER'
  | 'ERR_POOLMEM_NO_BINARY'
  | 'ERR_POOLMEM_OUT_OF_MEMORY'
  | 'ERR_POOLMEM_REFCOUNT';

/** Thrown for pool misuse; `code` says which. A failed call changes nothing. */
export class PoolError extends Error {
  readonly code: PoolErrorCode;
  constructor(code: PoolErrorCode, message: string);
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

export type Strategy = 'treap' | 'avl' | 'buddy' | 'first-fit';

/** The strategies this build provides. */
export const STRATEGIES: readonly Strategy[];

/**
 * The byte safe mode writes over freed memory (0xDF): `free()`, `put()`, a release to zero,
 * `recycle()` and `close()` poison what they free, so a use after free reads or sends this
 * byte, never another allocation's data.
 */
export const SAFE_POISON: number;

export interface StrategyOptions {
  /**
   * Default `'treap'`: best fit, ties to the lowest offset. `'avl'`: the same fit with two AVL trees.
   * `'buddy'`: power-of-two blocks of `minBlock` granules. `'first-fit'`: the lowest free range, 16-byte aligned.
   */
  strategy?: Strategy | undefined;
  /**
   * `'buddy'`: smallest block (default 64); `'first-fit'`: alignment and rounding (default 16). A power of
   * two from 16 to 2 ** 30; 0 or absent picks the default. Not accepted by `'treap'` and `'avl'`.
   * `size / minBlock` may be at most 2 ** 28.
   */
  minBlock?: number | undefined;
  /**
   * Every buffer (offset) starts at a multiple of it: a power of two from 1 to 4096. Default 8 for
   * `Arena`, `ScalableAllocator` and `ArenaPool` (as Node's own Buffer pool aligns), 1 (byte-exact)
   * for `RangeAllocator`. Each allocation then takes whole units of it (up to `alignment - 1`
   * bytes of padding); a partial free gives a unit back once none of its bytes is live. For
   * `'buddy'` and `'first-fit'` it is a floor on the granule (`minBlock`, 16).
   */
  alignment?: number | undefined;
}

// ---------------------------------------------------------------------------
// RangeAllocator: offsets only, no memory
// ---------------------------------------------------------------------------

export class RangeAllocator {
  constructor(size: number, options?: StrategyOptions);
  /** Offset of a free range of `size` bytes carved from its low end, or -1. `size >= 1`. */
  allocate(size: number): number;
  /** What `allocate` would return, without changing anything. */
  find(size: number): number;
  /** Frees any allocated sub-range; neighbours merge. Throws `ERR_POOLMEM_DOUBLE_FREE` if part is free. */
  free(offset: number, size: number): void;
  readonly size: number;
  readonly freeSize: number;
  /** Free ranges, ascending, half-open. */
  blocks(): Array<[start: number, end: number]>;
  /** Everything free again (optionally over a new size). */
  reset(size?: number): void;
}

// ---------------------------------------------------------------------------
// Arena: one region of memory and one strategy
// ---------------------------------------------------------------------------

export interface ArenaOptions extends StrategyOptions {
  /**
   * One ArrayBuffer per allocation; `free()` poisons the bytes (`SAFE_POISON`) and they are
   * reused only after that ArrayBuffer is collected. Default: `process.env.POOLMEM_SAFE === '1'`.
   */
  safe?: boolean | undefined;
  /** Ask the kernel for transparent huge pages (advisory). */
  hugePages?: boolean | undefined;
}

export class Arena implements Disposable {
  constructor(size: number, options?: ArenaOptions);
  /** A Buffer of `size` bytes (not zeroed), or null when nothing fits. `malloc(0)` is an empty Buffer. */
  malloc(size: number): Buffer | null;
  /** Frees the buffer or any subarray of it (partial free). */
  free(buf: Uint8Array): void;
  readonly size: number;
  /**
   * Bytes `malloc` can still find (held bytes are not among them). Granule strategies (and an
   * `alignment` above 1) count whole granules: a request takes its size rounded up to them.
   */
  readonly freeSize: number;
  /**
   * Bytes live allocations hold (whole granules, as `freeSize` counts them); 0 for a fresh arena.
   * The tail below one granule that a strategy can never hand out (`size % granule`) is neither
   * used nor free: `usedSize + freeSize + heldSize <= size`.
   */
  readonly usedSize: number;
  /** Safe mode: bytes freed but held until their ArrayBuffer is collected (whole granules); 0 in fast mode. */
  readonly heldSize: number;
  readonly safe: boolean;
  readonly closed: boolean;
  /**
   * Fast mode: outstanding views read length 0 afterwards. Safe mode: they read `SAFE_POISON`
   * and stay mapped until collected (a write in flight may still read them). Idempotent.
   */
  close(): void;
  [Symbol.dispose](): void;
}

// ---------------------------------------------------------------------------
// ScalableAllocator: grows by chunks
// ---------------------------------------------------------------------------

/** `'sample'` (default) tracks about one allocation in 1024; `'paranoid'` tracks all and records the malloc stack. */
export type LeakDetection = 'disabled' | 'sample' | 'paranoid';

export interface ScalableAllocatorOptions extends StrategyOptions {
  /** The first chunk, default 64 KiB; later chunks double up to `maxChunkSize`. At most 2^32. */
  chunkSize?: number | undefined;
  /** Default `max(4 MiB, chunkSize)`, at most 2^32; a larger request gets a chunk of its own. */
  maxChunkSize?: number | undefined;
  /** Cap on reserved bytes (the sum of chunk sizes); default unlimited. */
  maxSize?: number | undefined;
  /**
   * One ArrayBuffer per allocation (and per borrow); freeing poisons the bytes (`SAFE_POISON`) and
   * they are reused only after that ArrayBuffer is collected. Default: `process.env.POOLMEM_SAFE === '1'`.
   */
  safe?: boolean | undefined;
  /** Ask the kernel for transparent huge pages (advisory). */
  hugePages?: boolean | undefined;
  /** Default `'sample'`. Leaks go back to the pool, count in `stats().leaks` and are reported once (`POOLMEM_LEAK`). */
  leakDetection?: LeakDetection | undefined;
}

export interface ScalableAllocatorStats {
  chunks: number;
  /** Reserved bytes: the sum of chunk sizes. */
  size: number;
  /** Allocated bytes; always `totalMalloc - totalFree`. */
  usedSize: number;
  freeSize: number;
  /** Bytes ever allocated (`borrow` is not counted). */
  totalMalloc: number;
  /** Bytes ever freed (by free, freeRest, recycle and the GC fallback). */
  totalFree: number;
  /** Live allocations: a free in the middle of one leaves two pieces. */
  allocations: number;
  /** Allocations returned by the GC fallback. */
  leaks: number;
  /**
   * Bytes callers held in chunks whose `ArrayBuffer` was transferred away
   * (`ArrayBuffer.prototype.transfer()`); also counted in `totalFree`, never handed out again.
   */
  transferred: number;
  /**
   * Safe mode: bytes freed but held until their ArrayBuffer is collected; counted in
   * `totalFree`, in neither `usedSize` nor `freeSize`. 0 in fast mode.
   */
  heldSize: number;
}

export class ScalableAllocator implements Disposable {
  constructor(options?: ScalableAllocatorOptions);
  /** A Buffer of `size` bytes (not zeroed); grows a chunk when nothing fits. Throws `ERR_POOLMEM_OUT_OF_MEMORY` past `maxSize`. */
  malloc(size: number): Buffer;
  /**
   * Free memory lent until the next call on this allocator; not reserved: the next `malloc` may return it.
   * Safe mode: reserved, and poisoned and held by the next call, so no `malloc` returns it while it is reachable.
   * Never allocated: `free`, `freeRest` and `addRecycleBytes` of it throw `ERR_POOLMEM_DOUBLE_FREE`.
   */
  borrow(size: number): Buffer;
  /**
   * Frees the buffer or any subarray of it (partial free). Memory freed already (its chunk released
   * since included) throws `ERR_POOLMEM_DOUBLE_FREE`; a view this allocator never handed out,
   * `ERR_POOLMEM_FOREIGN_BUFFER`.
   */
  free(buf: Uint8Array): void;
  /**
   * Frees `buf[keep:]` and returns a Buffer over `buf[0:keep]`. For a buffer `malloc` returned, the
   * returned Buffer stands for the allocation from then on (free it, not `buf`), and `freeRest` of a
   * buffer already freed throws `ERR_POOLMEM_DOUBLE_FREE`.
   */
  freeRest(buf: Uint8Array, keep: number): Buffer;
  /** Releases every fully free chunk; returns the bytes released. */
  trim(): number;
  /** Frees everything handed out (views kept afterwards may see new data, as after `free`; safe mode: poison). */
  recycle(): void;
  recyclable(): RecyclableMemory;
  stats(): ScalableAllocatorStats;
  readonly closed: boolean;
  readonly safe: boolean;
  readonly leakDetection: LeakDetection;
  /** Outstanding views read length 0 afterwards (safe mode: `SAFE_POISON`, mapped until collected). Idempotent. */
  close(): void;
  [Symbol.dispose](): void;
}

// ---------------------------------------------------------------------------
// Memory and MemoryReader: zero-copy lists of buffers (pure JS)
// ---------------------------------------------------------------------------

/** What `Memory.from` can copy chunks into: anything with `recyclable()` (ScalableAllocator), or `malloc`/`free` (Arena). */
export type MemoryAllocator =
  | { recyclable(): Memory & { nextN(size: number): Buffer; recycle(): void } }
  | { malloc(size: number): Buffer | null; free(buf: Uint8Array): void };

/**
 * A list of Buffers and their total size. Pushed buffers are kept, not copied
 * (a Uint8Array that is not a Buffer is wrapped in a Buffer view).
 */
export class Memory implements Iterable<Buffer> {
  constructor(...buffers: Uint8Array[]);
  readonly size: number;
  readonly count: number;
  /** A snapshot of the list. */
  readonly buffers: readonly Buffer[];
  pushOne(buf: Uint8Array): this;
  push(...bufs: Uint8Array[]): this;
  /** Appends other's buffers (shared); appending itself doubles it. */
  append(other: Memory): this;
  /** Calls fn for each buffer present when the call starts. */
  range(fn: (buf: Buffer, index: number) => void): void;
  /** Bytes copied; copies what fits and never throws on a short target. */
  copyTo(target: Uint8Array, targetStart?: number): number;
  /** Every byte in one new Buffer (a copy). */
  toBytes(): Buffer;
  /** Same bytes in the same order, however either side is split. */
  equals(other: Memory | Uint8Array): boolean;
  /** Replaces a buffer; a negative index counts from the end. */
  updateBuffer(index: number, buf: Uint8Array): void;
  /** Drops every buffer; readers continue with what is pushed next. */
  reset(): void;
  reader(): MemoryReader;
  /**
   * Writes every buffer in one corked batch (one `_writev` call on a socket) and
   * resolves with the byte count once they are flushed. Does not consume.
   */
  writeTo(writable: NodeJS.WritableStream): Promise<number>;
  /**
   * Collects a stream's chunks: as they arrive (no copy), or copied into pooled
   * memory. With an allocator that has `recyclable()` the result is its
   * RecyclableMemory; with `malloc`/`free` the caller frees the buffers.
   */
  static from(readable: AsyncIterable<Uint8Array>, options?: { allocator?: MemoryAllocator | undefined }): Promise<Memory>;
  [Symbol.iterator](): Iterator<Buffer>;
  /**
   * Subclass hook: `MemoryReader#clipFront()` calls it once for each whole buffer it removes
   * from the front, after the caller's callback has seen it. The default does nothing;
   * `RecyclableMemory` frees the consumed pieces it allocated (an override there calls `super`).
   */
  protected _onClipFront(buf: Buffer): void;
}

/**
 * A Memory whose buffers come from one ScalableAllocator and go back in one
 * `recycle()`. It frees exactly what `nextN` allocated and
 * `addRecycleBytes` was given, never a buffer merely pushed into it.
 */
export class RecyclableMemory extends Memory implements Disposable {
  constructor(allocator: ScalableAllocator);
  readonly allocator: ScalableAllocator;
  /** Allocates `size` bytes (not zeroed) from the allocator, pushes and returns them. */
  nextN(size: number): Buffer;
  /** Pushes a buffer of the same allocator; `recycle()` frees it. */
  addRecycleBytes(buf: Uint8Array): void;
  /** Frees what nextN/addRecycleBytes added, then `reset()`. `ERR_POOLMEM_DOUBLE_FREE` if some were freed elsewhere. */
  recycle(): void;
  [Symbol.dispose](): void;
}

/**
 * Reads a Memory front to back across buffer boundaries without concatenating.
 * It follows its memory: bytes pushed later become readable. Reading past the
 * end throws `RangeError` (`ERR_BUFFER_OUT_OF_BOUNDS` for fixed-size reads,
 * `ERR_OUT_OF_RANGE` for a count argument) and consumes nothing.
 */
export class MemoryReader {
  constructor(source: Memory | Uint8Array, ...more: Uint8Array[]);
  /** Bytes left. */
  readonly length: number;
  /** Bytes consumed since the memory's front. */
  readonly offset: number;
  /** Bytes copied into target, 0 at the end. */
  read(target: Uint8Array): number;
  readByte(): number;
  /** A copy of the next n bytes. */
  readBytes(n: number): Buffer;
  /** 1..6 bytes, big-endian unsigned. */
  readBE(n: number): number;
  /** 1..6 bytes, little-endian unsigned. */
  readLE(n: number): number;
  readUInt8(): number;
  readUInt16BE(): number;
  readUInt16LE(): number;
  readUInt32BE(): number;
  readUInt32LE(): number;
  readBigUInt64BE(): bigint;
  readBigUInt64LE(): bigint;
  /** Unsigned LEB128 up to 2^53-1; longer or larger input throws `ERR_POOLMEM_INVALID_LEB128`. */
  leb128(): number;
  /** Unsigned LEB128 up to 2^64-1 (at most 10 bytes). */
  leb128BigInt(): bigint;
  skip(n: number): void;
  /** Moves back n bytes, n <= offset. */
  unread(n: number): void;
  /** The rest, one view per non-empty buffer piece; consumes it. */
  range(fn: (buf: Buffer) => void): void;
  /** The next n bytes as views; consumes them. */
  rangeN(n: number, fn: (buf: Buffer) => void): void;
  /** Drops the consumed prefix from the Memory; fn sees each removed piece. */
  clipFront(fn?: (buf: Buffer) => void): void;
  /** The unread rest of the current buffer as a view (empty at the end). */
  current(): Buffer;
  moveToEnd(): void;
}

// ---------------------------------------------------------------------------
// BytePool: tiered pool with reference counting (bytepool)
// ---------------------------------------------------------------------------

export interface BytePoolOptions {
  /**
   * Default `'sample'`: about one `getBuffer()` in 128 is watched; `'paranoid'` watches
   * every one and records where it was created. A watched PooledBuffer that becomes
   * unreachable with a count above zero is released, counted in `stats().leaks` and
   * reported once per allocation site with `process.emitWarning` code `'POOLMEM_LEAK'`.
   */
  leakDetection?: LeakDetection | undefined;
  /** Cap on bytes mapped for slabs; a get that needs more throws `ERR_POOLMEM_OUT_OF_MEMORY`. */
  maxSize?: number | undefined;
  /**
   * Every buffer gets an ArrayBuffer of its own; `put()` and a release to zero poison its slot
   * (`SAFE_POISON`), which is reused only after that ArrayBuffer is collected; a buffer collected
   * without either counts in `stats().leaks`. Default: `process.env.POOLMEM_SAFE === '1'`.
   */
  safe?: boolean | undefined;
}

export interface BytePoolTierStats {
  get: number;
  put: number;
  inUse: number;
}

export interface BytePoolStats {
  tiers: Record<number, BytePoolTierStats>;
  /** Requests above the largest tier, plus puts of buffers this pool did not hand out. */
  discarded: number;
  totalGet: number;
  totalPut: number;
  /** The last 256 requested lengths, oldest first. */
  recentLengths: number[];
  leaks: number;
  /** Bytes mapped for slabs. */
  reservedSize: number;
  /** Safe mode: bytes of slots given back but held until their ArrayBuffer is collected; 0 in fast mode. */
  heldSize: number;
}

export class BytePool implements Disposable {
  /** 128, 256, … 2 MiB (15 tiers). */
  static powerOfTwo(): number[];
  /** 1024, 4096, 16384, 32768, 65536, 131072. */
  static stream(): number[];
  /** Tiers: positive, strictly ascending integers; default `powerOfTwo()`. */
  constructor(tiers?: number[], options?: BytePoolOptions);
  /**
   * A Buffer of exactly `length` bytes (not zeroed) from the smallest tier that fits;
   * above the largest tier, a plain Buffer counted as discarded.
   */
  get(length: number): Buffer;
  /**
   * Returns a buffer from `get()` (or a prefix `buf.subarray(0, n)` of one) to its tier.
   * Other memory is not pooled and counts as discarded. A second put throws
   * `ERR_POOLMEM_DOUBLE_FREE`, also after the slot was handed out again, unless
   * `get()` handed out this same Buffer object again (then it is that caller's);
   * a caller-made prefix is checked only while its slot is in the pool. A live
   * PooledBuffer's bytes throw `ERR_POOLMEM_REFCOUNT`.
   */
  put(buf: Uint8Array): void;
  getBuffer(length: number): PooledBuffer;
  tierSizes(): number[];
  /** Unmaps slabs with no slot in use; returns the bytes released. */
  trim(): number;
  stats(): BytePoolStats;
  /** Prometheus text exposition format; metric names start with `${prefix}bytepool_` (`held_bytes`: safe mode's `heldSize`). */
  metrics(prefix?: string): string;
  readonly closed: boolean;
  readonly safe: boolean;
  /** Outstanding buffers read length 0 afterwards (safe mode: `SAFE_POISON`, mapped until collected). Idempotent. */
  close(): void;
  [Symbol.dispose](): void;
}

/** A reference-counted BytePool buffer; made by `BytePool#getBuffer()` only. */
export class PooledBuffer implements Disposable {
  private constructor();
  /** Throws `ERR_POOLMEM_REFCOUNT` once the count has reached zero. */
  readonly bytes: Buffer;
  readonly refCount: number;
  /** Throws `ERR_POOLMEM_REFCOUNT` after the count reached zero. */
  retain(): this;
  /** True when this release returned the memory; below zero throws `ERR_POOLMEM_REFCOUNT`. */
  release(): boolean;
  /** Retains; the release function works once. */
  borrow(): [bytes: Buffer, release: () => void];
  /** release() */
  [Symbol.dispose](): void;
}

export interface ObjectPoolOptions<T> {
  /** Runs on put(), before the item is kept. */
  reset?: ((item: T) => void) | undefined;
  /** Most idle items kept; default 1024. */
  max?: number | undefined;
}

export class ObjectPool<T extends object> {
  constructor(create: () => T, options?: ObjectPoolOptions<T>);
  get(): T;
  /** An item already idle in the pool, or put again from inside its own `reset`, throws `ERR_POOLMEM_DOUBLE_FREE`. */
  put(item: T): void;
  /** Idle items. */
  readonly size: number;
  readonly max: number;
}

// ---------------------------------------------------------------------------
// ArenaPool (goumem)
// ---------------------------------------------------------------------------

export interface ArenaPoolOptions {
  numArenas: number;
  arenaSize: number;
  strategy?: Strategy | undefined;
  /** As `StrategyOptions.alignment`; default 8. */
  alignment?: number | undefined;
}

export class ArenaPool implements Disposable {
  constructor(options: ArenaPoolOptions);
  /**
   * An empty arena nobody holds (a new Arena object each time); throws
   * `ERR_POOLMEM_OUT_OF_MEMORY` when all are held. `arena.close()` releases it.
   */
  get(): Arena;
  /** Empties the arena, closes this Arena object (its views read length 0), makes it available. */
  release(arena: Arena): void;
  /** Arenas nobody holds. */
  readonly available: number;
  readonly numArenas: number;
  readonly closed: boolean;
  close(): void;
  [Symbol.dispose](): void;
}

// ---------------------------------------------------------------------------
// Process-wide allocator (mem)
// ---------------------------------------------------------------------------

/**
 * A Buffer of `size` bytes (not zeroed, 16-byte aligned) from one first-fit allocator
 * over mmap'd arenas shared by every thread of the process. `alloc(0)` is an empty Buffer.
 * Safe mode (`POOLMEM_SAFE=1` when poolmem is loaded, per thread): each block has an
 * ArrayBuffer of its own, `free()` poisons the freed bytes (`SAFE_POISON`) and holds them,
 * and the block goes back only once that ArrayBuffer has been collected.
 * Fast mode: requests up to 256 KiB are served from this thread's size-class cache (blocks
 * of a class, multiples of 16 bytes; at most 8 MiB cached per thread), without a native call
 * when a freed block of the class is cached.
 */
export function alloc(size: number): Buffer;

/** `allocStats()`: the process-wide allocator's numbers. */
export interface AllocStats {
  /** Mapped arenas, every thread's (the spare included). */
  arenas: number;
  /** Bytes the arenas manage. */
  size: number;
  /**
   * Bytes allocated, every thread's (sizes rounded up to 16; safe mode: held bytes too). This
   * thread's size-class cache is settled first; other threads' cached blocks count as allocated.
   */
  usedSize: number;
  /** Bytes of the one emptied arena kept mapped (0 if none). */
  spareSize: number;
  /** This thread, safe mode: bytes freed and held until their ArrayBuffer is collected. */
  heldSize: number;
  /** Whether this thread's `alloc()` is in safe mode (`POOLMEM_SAFE=1` when poolmem loaded). */
  safe: boolean;
}
export function allocStats(): AllocStats;
/**
 * Frees the buffer or any subarray of it: exactly those bytes (a 16-byte granule goes back
 * once none of its bytes is live). A thread frees only blocks it allocated; what a worker
 * still holds goes back when it ends. The free that empties an arena unmaps it; stale views
 * of it read length 0. Fast mode: a whole buffer `alloc()` returned (up to 256 KiB) goes to
 * this thread's size-class cache, with no native call; a view kept after `free()` is
 * `ERR_POOLMEM_DOUBLE_FREE`, also once its block was handed out again.
 */
export function free(buf: Uint8Array): void;

// ---------------------------------------------------------------------------
// Server helpers: lifetimes tied to I/O, reads into pooled memory, frames
// ---------------------------------------------------------------------------

/**
 * Any pool the server helpers take memory from: `BytePool` (`get`/`put`), or anything with
 * `malloc`/`free` (`Arena`, `ScalableAllocator`). A full pool never makes a helper throw: each falls
 * back to an unpooled Buffer and counts it.
 */
export type AnyPool = BytePool | Arena | ScalableAllocator | { malloc(size: number): Buffer | null; free(buf: Uint8Array): void };

/** What `writeAndFree`/`endAndFree` give back: a pooled Buffer or Memory (with `pool`), or memory that frees itself. */
export type PooledData = Uint8Array | Memory | RecyclableMemory | PooledMemory | PooledBuffer;

/**
 * Writes `data` to a Writable and gives it back exactly once, after the stream is done with it:
 * after its write callback (in write order; after an error or destroy, once every outstanding
 * write has called back). On an HTTP message (`ServerResponse`, `ClientRequest`): once it has
 * finished or closed (`'close'` for a ServerResponse, which follows `'finish'`; `'finish'` or `'close'` otherwise). A Buffer (or a plain Memory of pooled Buffers) goes back to
 * `pool`; a `RecyclableMemory` is recycled; a `PooledBuffer` released. `callback(err)` runs after
 * that. Returns what `write()` returned.
 */
export function writeAndFree(
  stream: NodeJS.WritableStream,
  data: PooledData,
  pool?: AnyPool,
  callback?: (err: Error | null) => void,
): boolean;

/**
 * Ends `res` with `data` (one Buffer: `res.end(buf)`, so Node sets Content-Length; a Memory sets
 * Content-Length when no header was sent) and gives `data` back as `writeAndFree` does.
 */
export function endAndFree<T extends NodeJS.WritableStream>(
  res: T,
  data: PooledData,
  pool?: AnyPool,
  callback?: (err: Error | null) => void,
): T;

export interface PooledOnreadOptions {
  /** Bytes per read buffer (default 65536). */
  size?: number | undefined;
}

/**
 * `net.connect({ onread: new PooledOnread(pool, callback) })`: reads land in pooled buffers of
 * `size` bytes. `buffer()` never throws: when the pool cannot give memory it returns one reused
 * unpooled Buffer and counts a fallback. Each pooled buffer goes back after `callback` returns
 * (unless it called `keep()`); if `callback` throws, the buffer stays allocated (Node reads into it
 * again). The last buffer goes back on the socket's `'close'` (watched from the first read, or
 * from `watch(socket)`). One adapter per socket. Client sockets only: `net.createServer` ignores
 * `onread`.
 */
export class PooledOnread {
  constructor(pool: AnyPool, callback: (nread: number, buf: Buffer) => void, options?: PooledOnreadOptions);
  /** Called by Node: the buffer for the next read. */
  readonly buffer: () => Buffer;
  /** Called by Node after each read of `nread > 0` bytes into `buf`. */
  readonly callback: (nread: number, buf: Buffer) => void;
  readonly fallbacks: number;
  readonly reads: number;
  /** Inside the callback: whether its buffer is pooled (false: the unpooled fallback). */
  readonly pooled: boolean;
  /** Gives the last buffer back on the socket's `'close'`. */
  watch<S extends NodeJS.EventEmitter>(socket: S): S;
  /**
   * Inside the callback: takes ownership of its buffer (give a pooled one back yourself). Do not
   * throw afterwards: a throwing callback makes Node read into the same buffer again.
   */
  keep(): Buffer;
  /** Gives back the buffer Node would read into next; later reads use the fallback. */
  close(): void;
}

export interface FrameReaderOptions {
  /** Where frames that span chunks are copied; without one they go to `Buffer.allocUnsafe`. */
  pool?: AnyPool | null | undefined;
  /** Bytes of the big-endian length prefix: 1, 2 or 4 (default 4). */
  lengthBytes?: 1 | 2 | 4 | undefined;
  /** Longer frames throw `ERR_OUT_OF_RANGE` and reset the reader (default min(prefix max, 64 MiB)). */
  maxFrameLength?: number | undefined;
}

/**
 * Length-prefixed frames from a byte stream. `push(chunk)` lends a chunk; `next()` returns each
 * whole frame's payload: a view into the chunk when the frame lies in it, else the frame copied
 * once into pooled memory (given back on the next `next()`/`advance()`/`close()`). When `next()`
 * returns null the chunk is used up and no longer referenced.
 */
export class FrameReader {
  constructor(options?: FrameReaderOptions);
  readonly frames: number;
  /** Frames copied because they spanned chunks. */
  readonly assembled: number;
  /** Spanning frames the pool had no memory for (copied into a plain Buffer). */
  readonly fallbacks: number;
  /** Bytes of an incomplete frame held (its payload so far, or its prefix so far). */
  readonly pending: number;
  push(chunk: Uint8Array, end?: number): void;
  next(): Buffer | null;
  /** `next()` without a view: the frame is `source[start, end)`. */
  advance(): boolean;
  readonly source: Uint8Array | null;
  readonly start: number;
  readonly end: number;
  /** Gives back pooled memory, forgets a partial frame; the reader can be used again. */
  close(): void;
}

/**
 * A Memory over any pool that owns the buffers `nextN()` took (an unpooled Buffer, counted in
 * `fallbacks`, when the pool is full) and `addRecycleBytes()` was given, and gives each back whole
 * once `MemoryReader#clipFront()` has dropped its last byte, or all of them on `recycle()`. The way
 * to clip BytePool memory: `BytePool#put()` takes a slot's buffer or a prefix of it, not the rest
 * views `clipFront()` leaves.
 */
export class PooledMemory extends Memory implements Disposable {
  constructor(pool: AnyPool);
  readonly fallbacks: number;
  nextN(size: number): Buffer;
  addRecycleBytes(buf: Uint8Array): void;
  recycle(): void;
  [Symbol.dispose](): void;
}
// Handing bytes to another thread
// ---------------------------------------------------------------------------

/**
 * A copy of just `buf`'s bytes in a Buffer over an `ArrayBuffer` of exactly that size, which
 * `postMessage(copy, [copy.buffer])` transfers without another copy. Cloning a fast-mode pooled
 * buffer itself (`postMessage(buf)`, `structuredClone(buf)`) copies the whole chunk under it.
 */
export function transferableCopy(buf: Uint8Array): Buffer;
