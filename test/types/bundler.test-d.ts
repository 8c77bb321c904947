// Type tests under `moduleResolution: bundler` (tsconfig.bundler.json): what
// a Vite, esbuild or webpack project sees, default and named imports alike.
import { expectTypeOf } from 'expect-type';
import poolmem, { Arena, STRATEGIES, type Strategy } from 'poolmem';

expectTypeOf(poolmem.Arena).toEqualTypeOf<typeof Arena>();
expectTypeOf(new Arena(64).malloc(8)).toEqualTypeOf<Buffer | null>();
expectTypeOf(STRATEGIES).toEqualTypeOf<readonly Strategy[]>();
