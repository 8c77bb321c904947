// ESM entry: re-exports the CommonJS names so both module systems share one
// instance of the addon and its classes. The CommonJS entry is loaded with
// createRequire, not a static import: a static import of a CommonJS module
// that throws (no loadable binary) kills the process on Node 20 even when the
// importer catches the error.
import { createRequire } from 'node:module';

const poolmem = createRequire(import.meta.url)('./index.js');

export const { Arena, Memory, MemoryReader, PoolError, RangeAllocator, STRATEGIES } = poolmem;
export const { ArenaPool, BytePool, ObjectPool, PooledBuffer, alloc, allocStats, free } = poolmem;
export const { RecyclableMemory, SAFE_POISON, ScalableAllocator, transferableCopy } = poolmem;
export const { FrameReader, PooledMemory, PooledOnread, endAndFree, writeAndFree } = poolmem;
export default poolmem;
