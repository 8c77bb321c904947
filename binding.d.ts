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
  /**
   * Default `'treap'`: best fit, ties to the lowest offset. `'avl'`: the same fit with two AVL trees.
   * `'buddy'`: power-of-two blocks of `minBlock` granules. `'first-fit'`: the lowest free range, 16-byte aligned.
   */
  strategy?: Strategy;
  /**
   * `'buddy'`: smallest block (default 64); `'first-fit'`: alignment and rounding (default 16). A power of
   * two from 16 to 2 ** 30; 0 or absent picks the default. Not accepted by `'treap'` and `'avl'`.
   * `size / minBlock` may be at most 2 ** 28.
   */
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
