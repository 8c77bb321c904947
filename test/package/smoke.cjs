'use strict';
// Smoke run of an installed poolmem, for machines other than the development
// one (a Debian root, qemu, a packed tarball): loads the package by name, then
// allocates, writes, checks and frees through every pool. Prints the native
// file that was loaded; with POOLMEM_EXPECT_BINARY=<substring> it also fails
// unless that file's path contains the substring.
//   node smoke.cjs          require('poolmem')
//   node smoke.cjs --esm    import('poolmem')
const assert = require('node:assert/strict');
const fs = require('node:fs');

function fill(buf, seed) {
  for (let i = 0; i < buf.length; i++) buf[i] = (seed + i) & 0xff;
}
function check(buf, seed) {
  for (let i = 0; i < buf.length; i++) assert.equal(buf[i], (seed + i) & 0xff, `byte ${i}`);
}

function exercise(pm) {
  const done = [];
  for (const strategy of pm.STRATEGIES) {
    const arena = new pm.Arena(1 << 20, { strategy });
    const a = arena.malloc(1000);
    const b = arena.malloc(5000);
    fill(a, 1);
    fill(b, 2);
    check(a, 1);
    arena.free(a);
    arena.free(b);
    assert.equal(arena.usedSize, 0, `Arena(${strategy}) used size after free`);
    arena.close();

    const ranges = new pm.RangeAllocator(1 << 20, { strategy });
    const off = ranges.allocate(4096);
    ranges.free(off, 4096);
    done.push(`Arena/RangeAllocator(${strategy})`);
  }

  const scalable = new pm.ScalableAllocator({ maxSize: 64 << 20 });
  const s = scalable.malloc(100000);
  fill(s, 3);
  check(s, 3);
  scalable.free(scalable.freeRest(s, 10));
  const frame = scalable.recyclable();
  frame.recycle();
  scalable.recycle();
  scalable.close();
  done.push('ScalableAllocator');

  const bytes = new pm.BytePool(pm.BytePool.powerOfTwo(), { maxSize: 16 << 20 });
  const g = bytes.get(3000);
  fill(g, 4);
  check(g, 4);
  bytes.put(g);
  const pooled = bytes.getBuffer(100);
  assert.equal(pooled.release(), true);
  bytes.close();
  done.push('BytePool/PooledBuffer');

  const arenas = new pm.ArenaPool({ numArenas: 2, arenaSize: 1 << 16 });
  const arena = arenas.get();
  arena.free(arena.malloc(64));
  arenas.release(arena);
  arenas.close();
  done.push('ArenaPool');

  const objects = new pm.ObjectPool(() => ({ n: 0 }));
  objects.put(objects.get());
  done.push('ObjectPool');

  const p = pm.alloc(4096);
  fill(p, 5);
  check(p, 5);
  pm.free(p);
  done.push('alloc/free');
  return done;
}

function loadedBinary() {
  // The addon's path as the dynamic loader mapped it (Linux); elsewhere the
  // module cache names it.
  try {
    const maps = fs.readFileSync('/proc/self/maps', 'utf8');
    const m = /\s(\/\S*poolmem[^/\s]*\.node)$/m.exec(maps);
    if (m) return m[1];
  } catch {
    // no /proc (not Linux): the module cache below names it
  }
  return Object.keys(require.cache).find((k) => k.endsWith('.node')) ?? '(unknown)';
}

async function main() {
  const esm = process.argv.includes('--esm');
  const pm = esm ? (await import('poolmem')).default : require('poolmem');
  if (esm) {
    const ns = await import('poolmem');
    assert.equal(ns.Arena, pm.Arena, 'ESM and CommonJS share one instance');
  }
  const done = exercise(pm);
  const binary = loadedBinary();
  const expected = process.env.POOLMEM_EXPECT_BINARY;
  if (expected) assert.ok(binary.includes(expected), `loaded ${binary}, expected a path containing ${expected}`);
  console.log(`smoke ok (${esm ? 'import' : 'require'}, node ${process.version} ${process.arch}): ${done.length} pools; loaded ${binary}`);
}

main().catch((err) => {
  console.error('smoke FAILED:', err);
  process.exit(1);
});
