// Type tests for binding.d.ts through `require('poolmem')`: exact types with
// expect-type, and misuse as @ts-expect-error lines (an unused one fails tsc).
import { expectTypeOf } from 'expect-type';
import poolmem = require('poolmem');

const { Arena, RangeAllocator, PoolError, SAFE_POISON, STRATEGIES } = poolmem;

const arena = new Arena(1024, { strategy: 'treap', safe: false, hugePages: true });
expectTypeOf(arena.malloc(16)).toEqualTypeOf<Buffer | null>();
expectTypeOf(arena.free).parameters.toEqualTypeOf<[buf: Uint8Array]>();
expectTypeOf(arena.size).toEqualTypeOf<number>();
expectTypeOf(arena.usedSize).toEqualTypeOf<number>();
expectTypeOf(arena.safe).toEqualTypeOf<boolean>();
expectTypeOf(arena.heldSize).toEqualTypeOf<number>();
expectTypeOf(SAFE_POISON).toEqualTypeOf<number>();
expectTypeOf(new poolmem.ScalableAllocator({ safe: true }).stats().heldSize).toEqualTypeOf<number>();
const safeBytes = new poolmem.BytePool(undefined, { safe: true });
expectTypeOf(safeBytes.safe).toEqualTypeOf<boolean>();
expectTypeOf(safeBytes.stats().heldSize).toEqualTypeOf<number>();
// @ts-expect-error safe is a boolean
new poolmem.BytePool(undefined, { safe: 1 });
expectTypeOf(arena).toMatchTypeOf<Disposable>();
{
  using scoped = new Arena(64);
  expectTypeOf(scoped.closed).toEqualTypeOf<boolean>();
}

const ranges = new RangeAllocator(100, { strategy: 'treap' });
expectTypeOf(ranges.allocate(10)).toEqualTypeOf<number>();
expectTypeOf(ranges.blocks()).toEqualTypeOf<Array<[start: number, end: number]>>();
expectTypeOf(ranges.reset).parameters.toEqualTypeOf<[size?: number | undefined]>();

expectTypeOf(STRATEGIES).toEqualTypeOf<readonly poolmem.Strategy[]>();
const err: unknown = null;
if (err instanceof PoolError) expectTypeOf(err.code).toEqualTypeOf<poolmem.PoolErrorCode>();

// @ts-expect-error sizes are numbers
arena.malloc('16');
// @ts-expect-error unknown strategy
new Arena(64, { strategy: 'slab' });
// @ts-expect-error size is read-only
arena.size = 5;
// @ts-expect-error free takes a buffer
arena.free(16);
// @ts-expect-error no such method
ranges.malloc(1);

// ---- BytePool, PooledBuffer, ObjectPool, ArenaPool ----
const { BytePool, PooledBuffer, ObjectPool, ArenaPool } = poolmem;
const bytes = new BytePool(BytePool.powerOfTwo(), { leakDetection: 'paranoid', maxSize: 1 << 20 });
expectTypeOf(bytes.get(100)).toEqualTypeOf<Buffer>();
expectTypeOf(PooledBuffer.prototype.release).toEqualTypeOf<() => boolean>();
expectTypeOf(bytes.stats().tiers[128]).toEqualTypeOf<poolmem.BytePoolTierStats>();
expectTypeOf(bytes.stats().recentLengths).toEqualTypeOf<number[]>();
expectTypeOf(bytes.metrics('app_')).toEqualTypeOf<string>();
const counted = bytes.getBuffer(64);
expectTypeOf(counted).toEqualTypeOf<poolmem.PooledBuffer>();
expectTypeOf(counted.retain()).toEqualTypeOf<typeof counted>();
expectTypeOf(counted.release()).toEqualTypeOf<boolean>();
expectTypeOf(counted.borrow()).toEqualTypeOf<[bytes: Buffer, release: () => void]>();
{
  using scopedCount = bytes.getBuffer(8);
  expectTypeOf(scopedCount.refCount).toEqualTypeOf<number>();
}
const objects = new ObjectPool(() => ({ n: 0 }), { reset: (o) => { o.n = 0; }, max: 8 });
expectTypeOf(objects.get()).toEqualTypeOf<{ n: number }>();
const arenas = new ArenaPool({ numArenas: 2, arenaSize: 4096, strategy: 'treap' });
expectTypeOf(arenas.get()).toEqualTypeOf<InstanceType<typeof Arena>>();
expectTypeOf(arenas).toMatchTypeOf<Disposable>();

// @ts-expect-error unknown leak detection level
new BytePool(undefined, { leakDetection: 'simple' });
// @ts-expect-error PooledBuffer is made by getBuffer only
new PooledBuffer();
// @ts-expect-error refCount is read-only
counted.refCount = 3;
// @ts-expect-error numArenas is required
new ArenaPool({ arenaSize: 10 });
// @ts-expect-error put takes the item type
objects.put('x');
expectTypeOf(poolmem.alloc(16)).toEqualTypeOf<Buffer>();
expectTypeOf(poolmem.allocStats()).toEqualTypeOf<poolmem.AllocStats>();
expectTypeOf(poolmem.allocStats().heldSize).toEqualTypeOf<number>();
expectTypeOf(poolmem.free).parameters.toEqualTypeOf<[buf: Uint8Array]>();
// @ts-expect-error alloc takes a size
poolmem.alloc(Buffer.alloc(1));
// ScalableAllocator and RecyclableMemory
const { ScalableAllocator, RecyclableMemory, Memory } = poolmem;
const pool = new ScalableAllocator({ chunkSize: 4096, maxChunkSize: 1 << 20, maxSize: 1 << 24, leakDetection: 'paranoid' });
expectTypeOf(pool.malloc(16)).toEqualTypeOf<Buffer>();
expectTypeOf(pool.borrow(16)).toEqualTypeOf<Buffer>();
expectTypeOf(pool.freeRest(pool.malloc(16), 4)).toEqualTypeOf<Buffer>();
expectTypeOf(pool.trim()).toEqualTypeOf<number>();
expectTypeOf(pool.stats().leaks).toEqualTypeOf<number>();
expectTypeOf(pool.leakDetection).toEqualTypeOf<poolmem.LeakDetection>();
const rm = pool.recyclable();
expectTypeOf(rm).toEqualTypeOf<poolmem.RecyclableMemory>();
expectTypeOf(rm).toMatchTypeOf<poolmem.Memory>();
expectTypeOf(rm.nextN(8)).toEqualTypeOf<Buffer>();
expectTypeOf(new RecyclableMemory(pool).allocator).toEqualTypeOf<poolmem.ScalableAllocator>();
expectTypeOf(new Memory()).not.toHaveProperty('nextN');
{
  using scopedPool = new ScalableAllocator();
  using scopedMemory = scopedPool.recyclable();
  scopedMemory.nextN(1);
}
// @ts-expect-error unknown leak detection level
new ScalableAllocator({ leakDetection: 'always' });
// @ts-expect-error malloc never returns null here
const notNull: null = pool.malloc(1);

// Server helpers
{
  const { BytePool, FrameReader, PooledOnread, writeAndFree, endAndFree } = poolmem;
  const pool = new BytePool();
  const reader = new FrameReader({ pool, lengthBytes: 2 });
  expectTypeOf(reader.next()).toEqualTypeOf<Buffer | null>();
  expectTypeOf(reader.advance()).toEqualTypeOf<boolean>();
  const onread = new PooledOnread(pool, (nread, buf) => {
    expectTypeOf(nread).toEqualTypeOf<number>();
    expectTypeOf(buf).toEqualTypeOf<Buffer>();
  }, { size: 4096 });
  expectTypeOf(onread.fallbacks).toEqualTypeOf<number>();
  const stream = process.stdout;
  expectTypeOf(writeAndFree(stream, pool.get(10), pool)).toEqualTypeOf<boolean>();
  expectTypeOf(endAndFree(stream, pool.get(10), pool, (err) => expectTypeOf(err).toEqualTypeOf<Error | null>())).toEqualTypeOf<typeof stream>();
  // @ts-expect-error lengthBytes is 1, 2 or 4
  new FrameReader({ lengthBytes: 3 });
  // @ts-expect-error data must be pooled memory
  writeAndFree(stream, 'text', pool);
}
{
  const pm = new poolmem.PooledMemory(new poolmem.Arena(1024));
  expectTypeOf(pm.nextN(4)).toEqualTypeOf<Buffer>();
  expectTypeOf(pm.fallbacks).toEqualTypeOf<number>();
  expectTypeOf(pm).toMatchTypeOf<poolmem.Memory>();
}
// alignment: a number on every strategy-taking pool; transferableCopy copies to a Buffer.
new Arena(1024, { alignment: 16 });
new poolmem.ScalableAllocator({ alignment: 4096 });
new poolmem.ArenaPool({ numArenas: 1, arenaSize: 64, alignment: 8 });
new RangeAllocator(64, { alignment: 1 });
// @ts-expect-error alignment is a number
new Arena(1024, { alignment: '8' });
expectTypeOf(poolmem.transferableCopy(Buffer.alloc(1))).toEqualTypeOf<Buffer>();
// @ts-expect-error transferableCopy takes a Uint8Array
poolmem.transferableCopy(new ArrayBuffer(1));
// Options take an explicit `undefined` (the runtime reads it as absent), also
// under exactOptionalPropertyTypes.
const u = undefined;
new RangeAllocator(64, { strategy: u, minBlock: u });
new Arena(64, { strategy: u, minBlock: u, safe: u, hugePages: u, alignment: u });
new poolmem.ScalableAllocator({
  strategy: u, minBlock: u, chunkSize: u, maxChunkSize: u, maxSize: u, safe: u, hugePages: u, leakDetection: u,
});
new poolmem.BytePool(u, { leakDetection: u, maxSize: u });
new poolmem.ObjectPool(() => ({}), { reset: u, max: u });
new poolmem.ArenaPool({ numArenas: 1, arenaSize: 64, strategy: u });
void poolmem.Memory.from((async function* () {})(), { allocator: u });
// @ts-expect-error still a Strategy when present
new Arena(64, { strategy: 'best' });

// The subclass hook of Memory: `override` works, and the hook is not public API.
class CountingMemory extends poolmem.Memory {
  dropped = 0;
  protected override _onClipFront(buf: Buffer): void {
    this.dropped += buf.length;
  }
}
class CountingRecyclable extends poolmem.RecyclableMemory {
  protected override _onClipFront(buf: Buffer): void {
    super._onClipFront(buf); // keeps freeing the consumed pooled pieces
  }
}
void CountingRecyclable;
// @ts-expect-error protected: called by MemoryReader#clipFront only
new CountingMemory()._onClipFront(Buffer.alloc(1));

// STRATEGIES is frozen at runtime and readonly here.
// @ts-expect-error readonly
STRATEGIES.length = 0;
// @ts-expect-error no mutating methods
STRATEGIES.push('treap');

// Loading fails with a PoolError too (no loadable native binary).
expectTypeOf<'ERR_POOLMEM_NO_BINARY'>().toMatchTypeOf<poolmem.PoolErrorCode>();
