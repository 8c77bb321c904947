// poolmem's public TypeScript contract (shared/API.md). Every name here is
// exported by both `require('poolmem')` and `import ... from 'poolmem'`.
/// <reference types="node" />

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

export type PoolErrorCode =
  | 'ERR_POOLMEM_CLOSED'
  | 'ERR_POOLMEM_DOUBLE_FREE'
  | 'ERR_POOLMEM_FOREIGN_BUFFER'
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

export interface StrategyOptions {
  /** Default `'treap'`: best fit, ties to the lowest offset. */
  strategy?: Strategy;
  /** Smallest block for `'buddy'` (a power of two); 0 or absent picks the default. */
  minBlock?: number;
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
  /** One ArrayBuffer per allocation, detached on free. Default: `process.env.POOLMEM_SAFE === '1'`. */
  safe?: boolean;
  /** Ask the kernel for transparent huge pages (advisory). */
  hugePages?: boolean;
}

export class Arena implements Disposable {
  constructor(size: number, options?: ArenaOptions);
  /** A Buffer of `size` bytes (not zeroed), or null when nothing fits. `malloc(0)` is an empty Buffer. */
  malloc(size: number): Buffer | null;
  /** Frees the buffer or any subarray of it (partial free). */
  free(buf: Uint8Array): void;
  readonly size: number;
  readonly freeSize: number;
  readonly usedSize: number;
  readonly safe: boolean;
  readonly closed: boolean;
  /** Outstanding views read length 0 afterwards. Idempotent. */
  close(): void;
  [Symbol.dispose](): void;
}

// ---------------------------------------------------------------------------
// BytePool: tiered pool with reference counting (bytepool, issue #5)
// ---------------------------------------------------------------------------

export type LeakDetection = 'disabled' | 'sample' | 'paranoid';

export interface BytePoolOptions {
  /**
   * Default `'sample'`: about one `getBuffer()` in 128 is watched; `'paranoid'` watches
   * every one and records where it was created. A watched PooledBuffer that becomes
   * unreachable with a count above zero is released, counted in `stats().leaks` and
   * reported once per allocation site with `process.emitWarning` code `'POOLMEM_LEAK'`.
   */
  leakDetection?: LeakDetection;
  /** Cap on bytes mapped for slabs; a get that needs more throws `ERR_POOLMEM_OUT_OF_MEMORY`. */
  maxSize?: number;
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
   * `ERR_POOLMEM_DOUBLE_FREE`; a PooledBuffer's bytes throw `ERR_POOLMEM_REFCOUNT`.
   */
  put(buf: Uint8Array): void;
  getBuffer(length: number): PooledBuffer;
  tierSizes(): number[];
  /** Unmaps slabs with no slot in use; returns the bytes released. */
  trim(): number;
  stats(): BytePoolStats;
  /** Prometheus text exposition format; metric names start with `${prefix}bytepool_`. */
  metrics(prefix?: string): string;
  readonly closed: boolean;
  /** Outstanding buffers read length 0 afterwards. Idempotent. */
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
  reset?: (item: T) => void;
  /** Most idle items kept; default 1024. */
  max?: number;
}

export class ObjectPool<T extends object> {
  constructor(create: () => T, options?: ObjectPoolOptions<T>);
  get(): T;
  /** An item already idle in the pool throws `ERR_POOLMEM_DOUBLE_FREE`. */
  put(item: T): void;
  /** Idle items. */
  readonly size: number;
  readonly max: number;
}

// ---------------------------------------------------------------------------
// ArenaPool (goumem, issue #5)
// ---------------------------------------------------------------------------

export interface ArenaPoolOptions {
  numArenas: number;
  arenaSize: number;
  strategy?: Strategy;
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
// Process-wide allocator (mem, issue #5)
// ---------------------------------------------------------------------------

/**
 * A Buffer of `size` bytes (not zeroed, 16-byte aligned) from one first-fit allocator
 * over mmap'd arenas shared by every thread of the process. `alloc(0)` is an empty Buffer.
 */
export function alloc(size: number): Buffer;
/**
 * Frees the buffer or any subarray of it (widened to whole 16-byte granules). The free
 * that empties an arena unmaps it; stale views of it read length 0.
 */
export function free(buf: Uint8Array): void;
