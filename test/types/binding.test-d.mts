// Type tests for the ESM entry (binding.d.mts): the same names, named imports.
import { expectTypeOf } from 'expect-type';
import { Arena, PoolError, RangeAllocator, STRATEGIES, type Strategy } from 'poolmem';

expectTypeOf(new Arena(64).malloc(8)).toEqualTypeOf<Buffer | null>();
expectTypeOf(new RangeAllocator(8).find(1)).toEqualTypeOf<number>();
expectTypeOf(STRATEGIES).toEqualTypeOf<readonly Strategy[]>();
expectTypeOf(new PoolError('ERR_POOLMEM_CLOSED', 'x')).toMatchTypeOf<Error>();
// @ts-expect-error not a pool error code
new PoolError('ERR_NOPE', 'x');
import { transferableCopy } from 'poolmem';
expectTypeOf(transferableCopy(new Uint8Array(2))).toEqualTypeOf<Buffer>();

// The default export is the CommonJS module object, as at runtime.
import poolmem from 'poolmem';
expectTypeOf(poolmem.Arena).toEqualTypeOf<typeof Arena>();
expectTypeOf(new poolmem.ScalableAllocator().malloc(1)).toEqualTypeOf<Buffer>();
expectTypeOf(poolmem.STRATEGIES).toEqualTypeOf<readonly Strategy[]>();
