// ESM entry: re-exports the CommonJS names so both module systems share one
// instance of the addon and its classes.
import poolmem from './index.js';

export const { Arena, Memory, MemoryReader, PoolError, RangeAllocator, STRATEGIES } = poolmem;
export const { ArenaPool, BytePool, ObjectPool, PooledBuffer, alloc, free } = poolmem;
export const { RecyclableMemory, ScalableAllocator, transferableCopy } = poolmem;
export const { FrameReader, PooledMemory, PooledOnread, endAndFree, writeAndFree } = poolmem;
export default poolmem;
