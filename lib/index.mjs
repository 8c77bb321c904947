// ESM entry: re-exports the CommonJS names so both module systems share one
// instance of the addon and its classes.
import poolmem from './index.js';

export const { Arena, PoolError, RangeAllocator, STRATEGIES } = poolmem;
export const { ScalableAllocator } = poolmem;
export default poolmem;
