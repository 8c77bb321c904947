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
// ScalableAllocator: grows by chunks (issue #4)
// ---------------------------------------------------------------------------

/** `'sample'` (default) tracks about one allocation in 128; `'paranoid'` tracks all and records the malloc stack. */
export type LeakDetection = 'disabled' | 'sample' | 'paranoid';

export interface ScalableAllocatorOptions extends StrategyOptions {
  /** The first chunk, default 64 KiB; later chunks double up to `maxChunkSize`. At most 2^32. */
  chunkSize?: number;
  /** Default `max(4 MiB, chunkSize)`, at most 2^32; a larger request gets a chunk of its own. */
  maxChunkSize?: number;
  /** Cap on reserved bytes (the sum of chunk sizes); default unlimited. */
  maxSize?: number;
  /** One ArrayBuffer per allocation, detached on full free. Default: `process.env.POOLMEM_SAFE === '1'`. */
  safe?: boolean;
  /** Ask the kernel for transparent huge pages (advisory). */
  hugePages?: boolean;
  /** Default `'sample'`. Leaks go back to the pool, count in `stats().leaks` and are reported once (`POOLMEM_LEAK`). */
  leakDetection?: LeakDetection;
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
}

export class ScalableAllocator implements Disposable {
  constructor(options?: ScalableAllocatorOptions);
  /** A Buffer of `size` bytes (not zeroed); grows a chunk when nothing fits. Throws `ERR_POOLMEM_OUT_OF_MEMORY` past `maxSize`. */
  malloc(size: number): Buffer;
  /** Free memory lent until the next call on this allocator; not reserved: the next `malloc` may return it. */
  borrow(size: number): Buffer;
  /** Frees the buffer or any subarray of it (partial free). */
  free(buf: Uint8Array): void;
  /** Frees `buf[keep:]` and returns `buf.subarray(0, keep)`. */
  freeRest(buf: Uint8Array, keep: number): Buffer;
  /** Releases every fully free chunk; returns the bytes released. */
  trim(): number;
  /** Frees everything handed out (views kept afterwards may see new data, as after `free`). */
  recycle(): void;
  recyclable(): RecyclableMemory;
  stats(): ScalableAllocatorStats;
  readonly closed: boolean;
  readonly safe: boolean;
  readonly leakDetection: LeakDetection;
  /** Outstanding views read length 0 afterwards. Idempotent. */
  close(): void;
  [Symbol.dispose](): void;
}
