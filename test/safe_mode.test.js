'use strict';
// Safe mode in every pool: free() poisons the freed bytes (SAFE_POISON) and
// the block goes back to the pool only once its ArrayBuffer has been
// collected, so memory anything can still reach (a Buffer, a subarray, a
// socket write in flight inside libuv, a write still queued in JS) is never
// handed out again, and a use-after-free shows poison, never another
// allocation's data and never silence.

const net = require('node:net');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { Arena, ArenaPool, BytePool, SAFE_POISON, STRATEGIES, ScalableAllocator, allocStats } = require('..');
const { collect, until, watch } = require('./helpers/gc');
const { childEnv } = require('./helpers/child_env');

// One shape for every safe pool: make, malloc, free, held bytes, close.
const pools = [
  ['Arena', {
    make: () => new Arena(1 << 20, { safe: true }),
    malloc: (p, n) => p.malloc(n),
    free: (p, b) => p.free(b),
    held: (p) => p.heldSize,
  }],
  ...STRATEGIES.flatMap((strategy) => ['disabled', 'sample', 'paranoid'].map((leakDetection) => [
    `ScalableAllocator ${strategy} ${leakDetection}`, {
      make: () => new ScalableAllocator({ safe: true, strategy, leakDetection, chunkSize: 1 << 20 }),
      malloc: (p, n) => p.malloc(n),
      free: (p, b) => p.free(b),
      held: (p) => p.stats().heldSize,
    }])),
  ['ArenaPool arena (POOLMEM_SAFE=1)', {
    make: () => {
      const saved = process.env.POOLMEM_SAFE;
      process.env.POOLMEM_SAFE = '1';
      try {
        return new ArenaPool({ numArenas: 1, arenaSize: 1 << 20 }).get();
      } finally {
        if (saved === undefined) delete process.env.POOLMEM_SAFE;
        else process.env.POOLMEM_SAFE = saved;
      }
    },
    malloc: (p, n) => p.malloc(n),
    free: (p, b) => p.free(b),
    held: (p) => p.heldSize,
  }],
  ['BytePool get/put', {
    make: () => new BytePool([64, 1024, 1 << 20], { safe: true }),
    malloc: (p, n) => p.get(n),
    free: (p, b) => p.put(b),
    held: (p) => p.stats().heldSize,
  }],
  ['BytePool getBuffer/release', {
    make: () => new BytePool([64, 1024, 1 << 20], { safe: true }),
    malloc: (p, n) => {
      const pooled = p.getBuffer(n);
      const bytes = pooled.bytes;
      releasers.set(bytes, pooled);
      return bytes;
    },
    free: (p, b) => releasers.get(b).release(),
    held: (p) => p.stats().heldSize,
  }],
];
const releasers = new WeakMap();

const isPoison = (buf) => buf.every((x) => x === SAFE_POISON);

describe('SAFE_POISON', () => {
  test('is one byte value, exported', () => {
    expect(Number.isInteger(SAFE_POISON)).toBe(true);
    expect(SAFE_POISON).toBeGreaterThan(0);
    expect(SAFE_POISON).toBeLessThan(256);
  });
});

describe.each(pools)('%s, safe mode', (_, pool) => {
  test('free() poisons the bytes; the Buffer keeps its length (not detached)', () => {
    const p = pool.make();
    const buf = pool.malloc(p, 1000).fill(7);
    pool.free(p, buf);
    expect(buf.length).toBe(1000);
    expect(isPoison(buf)).toBe(true);
    p.close();
  });

  test('malloc after free never returns memory whose ArrayBuffer is still alive', () => {
    const p = pool.make();
    const kept = pool.malloc(p, 1000).fill(7);
    pool.free(p, kept);
    const others = [];
    for (let i = 0; i < 300; i++) others.push(pool.malloc(p, 1000).fill(1));
    expect(isPoison(kept)).toBe(true);
    for (const o of others) pool.free(p, o);
    p.close();
  });

  test('a second free of the held buffer is still a double free', () => {
    const p = pool.make();
    const buf = pool.malloc(p, 1000);
    pool.free(p, buf);
    expect(() => pool.free(p, buf)).toThrow(expect.objectContaining({
      code: expect.stringMatching(/^ERR_POOLMEM_(DOUBLE_FREE|REFCOUNT)$/),
    }));
    p.close();
  });

  test('the held block is accounted, and comes back once its ArrayBuffer is collected', async () => {
    const p = pool.make();
    expect(pool.held(p)).toBe(0);
    let buf = pool.malloc(p, 1000);
    pool.free(p, buf);
    expect(pool.held(p)).toBeGreaterThanOrEqual(1000);
    buf = null;
    expect(await until(() => pool.held(p) === 0)).toBe(true);
    p.close();
  });
});

describe('Arena, safe mode: held bytes are not free', () => {
  test('a full arena stays full while a freed buffer is reachable; freeSize, usedSize and heldSize add up', async () => {
    const arena = new Arena(4096, { safe: true });
    const bufs = [];
    for (let b = arena.malloc(64); b !== null; b = arena.malloc(64)) bufs.push(b);
    let first = bufs.shift();
    arena.free(first);
    expect(arena.malloc(64)).toBe(null);
    expect(arena.heldSize).toBe(64);
    expect(arena.usedSize + arena.freeSize + arena.heldSize).toBe(arena.size);
    first = null;
    expect(await until(() => arena.heldSize === 0)).toBe(true);
    expect(arena.malloc(64)).not.toBe(null);
    arena.close();
  });

  test('a partial free poisons just that range; the rest stays live', () => {
    const arena = new Arena(4096, { safe: true, alignment: 1 }); // byte-exact: no granule is shared
    const buf = arena.malloc(100).fill(3);
    arena.free(buf.subarray(10, 20));
    expect(isPoison(buf.subarray(10, 20))).toBe(true);
    expect(buf.subarray(0, 10).every((x) => x === 3) && buf.subarray(20).every((x) => x === 3)).toBe(true);
    expect(arena.heldSize).toBe(10);
    arena.free(buf.subarray(0, 10));
    arena.free(buf.subarray(20));
    expect(arena.heldSize).toBe(100);
    arena.close();
  });

  test('with granules, held bytes are whole granules no live byte touches', () => {
    const arena = new Arena(4096, { safe: true }); // alignment 8
    const buf = arena.malloc(100);
    arena.free(buf.subarray(10, 20)); // granules 1 and 2 still hold live bytes
    expect(arena.heldSize).toBe(0);
    arena.free(buf.subarray(20, 40)); // granules 2 to 4 now wholly freed
    expect(arena.heldSize).toBe(24); // granules 2, 3 and 4
    expect(arena.usedSize + arena.freeSize + arena.heldSize).toBe(arena.size);
    arena.free(buf.subarray(0, 10));
    arena.free(buf.subarray(40));
    expect(arena.heldSize).toBe(104);
    expect(arena.usedSize).toBe(0);
    arena.close();
  });

  // A safe free holds what the same free in fast mode would have freed: the
  // strategy's granules (buddy's minBlock, first-fit's 16 bytes), not the
  // alignment's, which buddy and first-fit take only as a floor.
  test.each([
    ['buddy', {}], ['buddy', { minBlock: 256 }], ['first-fit', {}], ['first-fit', { minBlock: 64 }],
    ['treap', { alignment: 1 }], ['avl', {}],
  ])('%s %j: held bytes are what fast mode frees, usedSize is fast mode\'s', (strategy, extra) => {
    const stats = (safe) => {
      const arena = new Arena(4096, { ...extra, strategy, safe });
      const buf = arena.malloc(100);
      const free0 = arena.freeSize;
      const steps = [];
      for (const [start, end] of [[50, 100], [0, 10], [10, 50]]) {
        arena.free(buf.subarray(start, end));
        steps.push({ released: safe ? arena.heldSize : arena.freeSize - free0, used: arena.usedSize });
      }
      arena.close();
      return steps;
    };
    expect(stats(true)).toEqual(stats(false));
  });

  test('close() poisons what is outstanding and leaves it mapped for its finalizer', async () => {
    const arena = new Arena(4096, { safe: true });
    const buf = arena.malloc(100).fill(3);
    arena.close();
    expect(buf.length).toBe(100);
    expect(isPoison(buf)).toBe(true);
    await collect();
    expect(isPoison(buf)).toBe(true);
  });

  test('ArenaPool release: the next holder never gets bytes a previous holder can still reach', () => {
    const saved = process.env.POOLMEM_SAFE;
    process.env.POOLMEM_SAFE = '1';
    let pool;
    try {
      pool = new ArenaPool({ numArenas: 1, arenaSize: 4096 });
    } finally {
      if (saved === undefined) delete process.env.POOLMEM_SAFE;
      else process.env.POOLMEM_SAFE = saved;
    }
    const a = pool.get();
    const kept = a.malloc(1024).fill(3);
    pool.release(a);
    expect(isPoison(kept)).toBe(true);
    const b = pool.get();
    const bufs = [];
    for (let x = b.malloc(1024); x !== null; x = b.malloc(1024)) bufs.push(x.fill(1));
    expect(bufs.length).toBe(3);
    expect(isPoison(kept)).toBe(true);
    pool.close();
  });
});

describe('ScalableAllocator, safe mode: accounting', () => {
  test('stats() reports held bytes apart from used and free ones; usedSize is totalMalloc - totalFree', async () => {
    const a = new ScalableAllocator({ safe: true, chunkSize: 4096 });
    let buf = a.malloc(1000);
    const keep = a.malloc(500);
    a.free(buf);
    let s = a.stats();
    expect(s.heldSize).toBe(1000);
    expect(s.usedSize).toBe(500);
    expect(s.usedSize).toBe(s.totalMalloc - s.totalFree);
    expect(s.allocations).toBe(1);
    expect(s.usedSize + s.heldSize).toBeLessThanOrEqual(s.size - s.freeSize);
    buf = null;
    expect(await until(() => a.stats().heldSize === 0)).toBe(true);
    s = a.stats();
    expect(s.usedSize).toBe(500);
    expect(s.leaks).toBe(0);
    a.free(keep);
    a.close();
  });

  test('recycle() poisons every allocation and holds it; trim() keeps chunks with held bytes', async () => {
    const a = new ScalableAllocator({ safe: true, chunkSize: 4096 });
    // Sync helpers: an async frame could keep a loop's last value alive.
    const gone = watch((() => {
      const buf = a.malloc(1000).fill(3);
      a.recycle();
      expect(isPoison(buf)).toBe(true);
      a.trim();
      const others = [];
      for (let i = 0; i < 20; i++) others.push(a.malloc(1000).fill(1));
      expect(isPoison(buf)).toBe(true);
      others.forEach((o) => a.free(o));
      return buf.buffer;
    })());
    expect(await until(() => gone() && a.stats().heldSize === 0)).toBe(true);
    a.trim();
    expect(a.stats().size).toBe(0);
    a.close();
  });

  test('borrow() lends bytes the next malloc never returns while the borrowed Buffer lives', () => {
    const a = new ScalableAllocator({ safe: true, chunkSize: 4096 });
    const lent = a.borrow(1000).fill(3);
    const others = [];
    for (let i = 0; i < 20; i++) others.push(a.malloc(1000).fill(1));
    expect(lent.every((x) => x === 3 || x === SAFE_POISON)).toBe(true);
    a.close();
  });

  test('close() poisons what is outstanding and leaves it mapped for its finalizer', async () => {
    const a = new ScalableAllocator({ safe: true, chunkSize: 4096 });
    const buf = a.malloc(100).fill(3);
    a.close();
    expect(buf.length).toBe(100);
    expect(isPoison(buf)).toBe(true);
    await collect();
    expect(isPoison(buf)).toBe(true);
  });
});

describe('BytePool, safe mode', () => {
  test('the option is validated and reported; fast mode is the default', () => {
    expect(new BytePool().safe).toBe(process.env.POOLMEM_SAFE === '1');
    expect(new BytePool(undefined, { safe: true }).safe).toBe(true);
    expect(() => new BytePool(undefined, { safe: 1 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });

  test('every buffer has an ArrayBuffer of its own; a slot is never cached or shared', () => {
    const pool = new BytePool([64], { safe: true });
    const a = pool.get(64);
    const b = pool.get(10);
    expect(a.buffer).not.toBe(b.buffer);
    expect(a.byteOffset).toBe(0);
    pool.put(a);
    pool.put(b);
    pool.close();
  });

  test('put() of a subarray frees the slot; foreign and other pools\' buffers are discarded as in fast mode', () => {
    const pool = new BytePool([64], { safe: true });
    const other = new BytePool([64], { safe: true });
    const a = pool.get(64).fill(2);
    pool.put(a.subarray(0, 10));
    expect(isPoison(a)).toBe(true);
    pool.put(Buffer.alloc(10));
    pool.put(other.get(64));
    expect(pool.stats().discarded).toBe(2);
    pool.close();
    other.close();
  });

  test('a PooledBuffer released to zero is poisoned and held; retained ones are not', () => {
    const pool = new BytePool([64], { safe: true });
    const pb = pool.getBuffer(64);
    const bytes = pb.bytes.fill(4);
    pb.retain();
    expect(() => pool.put(bytes)).toThrow(expect.objectContaining({ code: 'ERR_POOLMEM_REFCOUNT' }));
    pb.release();
    expect(bytes.every((x) => x === 4)).toBe(true);
    pb.release();
    expect(isPoison(bytes)).toBe(true);
    expect(pool.stats().heldSize).toBe(64);
    pool.close();
  });

  test('trim() keeps a slab with held slots; close() poisons outstanding buffers without detaching them', async () => {
    const pool = new BytePool([1024], { safe: true });
    let held = pool.get(1024);
    pool.put(held);
    expect(pool.trim()).toBe(0);
    held = null;
    expect(await until(() => pool.stats().heldSize === 0)).toBe(true);
    expect(pool.trim()).toBeGreaterThan(0);
    const out = pool.get(100).fill(5);
    pool.close();
    expect(out.length).toBe(100);
    expect(isPoison(out)).toBe(true);
  });

  test('a held slot whose buffer is collected is handed out by the next get(), with no stats() or trim() first', async () => {
    const pool = new BytePool([64], { safe: true, maxSize: 64 }); // one slot
    pool.put(pool.get(64).fill(1));
    expect(() => pool.get(64)).toThrow(expect.objectContaining({ code: 'ERR_POOLMEM_OUT_OF_MEMORY' }));
    await collect();
    expect(await until(() => {
      try {
        pool.put(pool.get(64));
        return true;
      } catch (err) {
        if (err.code !== 'ERR_POOLMEM_OUT_OF_MEMORY') throw err;
        return false;
      }
    })).toBe(true);
    expect(pool.stats().tiers[64]).toEqual({ get: 2, put: 2, inUse: 0 });
    pool.close();
  });

  test('an unreleased buffer that is collected comes back as a leak', async () => {
    const pool = new BytePool([64], { safe: true, leakDetection: 'disabled' });
    pool.get(64);
    expect(await until(() => pool.stats().tiers[64].inUse === 0)).toBe(true);
    expect(pool.stats().leaks).toBe(1);
    pool.close();
  });

  test.each([['never given back', false], ['after put()', true]])(
    'a slot whose ArrayBuffer was transferred (%s) is reused only once the new ArrayBuffer is collected', async (_, put) => {
      const { transfer } = require('./helpers/transfer');
      const realBuffer = (v) => Reflect.apply(Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), 'buffer').get, v, []);
      const pool = new BytePool([64], { safe: true, leakDetection: 'disabled' });
      let moved = (() => {
        const buf = pool.get(64).fill(1);
        if (put) pool.put(buf);
        return new Uint8Array(transfer(realBuffer(buf))); // the original ArrayBuffer can now be collected
      })();
      const expected = put ? SAFE_POISON : 1;
      await collect();
      const others = [];
      for (let i = 0; i < 300; i++) others.push(pool.get(64).fill(2));
      expect(moved.every((x) => x === expected)).toBe(true);
      others.forEach((o) => pool.put(o));
      others.length = 0;
      moved = null;
      expect(await until(() => pool.stats().heldSize === 0 && pool.stats().tiers[64].inUse === 0)).toBe(true);
      pool.close();
    });

  test('POOLMEM_SAFE=1 turns it on for every BytePool', () => {
    const script = `
      const { BytePool, SAFE_POISON } = require(${JSON.stringify(require.resolve('..'))});
      const pool = new BytePool();
      const buf = pool.get(100).fill(1);
      pool.put(buf);
      console.log(JSON.stringify({ safe: pool.safe, poisoned: buf.every((x) => x === SAFE_POISON), length: buf.length }));
    `;
    const result = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8', timeout: 60000, env: childEnv({ POOLMEM_SAFE: '1' }),
    });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ safe: true, poisoned: true, length: 100 });
  });
});

describe('alloc()/free(), safe mode (POOLMEM_SAFE=1 when poolmem loads)', () => {
  test('free() poisons and holds; double, partial and foreign frees as in fast mode; a write in flight sends poison', async () => {
    const out = await new Promise((resolve) => {
      const child = spawn(process.execPath, ['--expose-gc', path.join(__dirname, 'fixtures', 'alloc_safe.js')], {
        stdio: ['ignore', 'pipe', 'pipe'], env: childEnv({ POOLMEM_SAFE: '1' }),
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => { stderr += d; });
      child.on('close', (code) => resolve({ code, stderr, stdout }));
    });
    expect({ code: out.code, stderr: out.stderr }).toEqual({ code: 0, stderr: '' });
    const r = JSON.parse(out.stdout);
    const { socket } = r;
    delete r.socket;
    expect(r).toEqual({
      safe: true,
      poisoned: true, length: 100, held: 112, doubleFree: 'ERR_POOLMEM_DOUBLE_FREE', otherBlock: true,
      partial: true, partialAgain: 'ERR_POOLMEM_DOUBLE_FREE', foreign: 'ERR_POOLMEM_FOREIGN_BUFFER', empty: null,
      heldBoth: 224, heldEnd: 0, usedBack: true,
    });
    const BIG = 4 << 20; // as the fixture's
    expect(socket.writable).toBeGreaterThan(0); // the write was in flight when it was freed
    expect(socket.received).toBe(BIG);
    expect(socket.counts[1]).toBeUndefined(); // never the next allocation's bytes
    expect(socket.counts[SAFE_POISON]).toBeGreaterThan(0);
    expect((socket.counts[0x41] ?? 0) + socket.counts[SAFE_POISON]).toBe(BIG);
  }, 60000);

  test('without POOLMEM_SAFE, alloc() is fast mode', () => {
    expect(allocStats()).toEqual(expect.objectContaining({ safe: process.env.POOLMEM_SAFE === '1', heldSize: 0 }));
  });
});

// ---- sockets ----------------------------------------------------------------

const BIG = 16 << 20; // more than the loopback socket buffers hold: the write stays in flight

// A 127.0.0.1 server that counts what each client sends; resolves with the
// bytes received per value. The client sends `send(socket)` and ends.
function exchange(send, expected) {
  return new Promise((resolve, reject) => {
    const counts = new Map();
    let received = 0;
    const server = net.createServer({ pauseOnConnect: true }, (conn) => {
      const timer = setTimeout(() => finish(), 20000); // a hang shows as missing bytes, not a stuck test
      const finish = () => {
        clearTimeout(timer);
        conn.destroy();
        server.close();
        resolve({ counts, received });
      };
      conn.on('data', (chunk) => {
        for (const x of chunk) counts.set(x, (counts.get(x) ?? 0) + 1);
        received += chunk.length;
        if (received >= expected) finish();
      });
      conn.on('end', finish);
      conn.on('error', finish);
      // Reading starts once the client's write is in flight and freed.
      setTimeout(() => conn.resume(), 50);
    });
    server.listen(0, '127.0.0.1', () => {
      const client = net.connect(server.address().port, '127.0.0.1', () => send(client));
      client.on('error', reject);
    });
  });
}

const socketPools = [
  ['Arena', () => new Arena(4 * BIG, { safe: true }), (p, n) => p.malloc(n), (p, b) => p.free(b)],
  ['ScalableAllocator', () => new ScalableAllocator({ safe: true, chunkSize: BIG }), (p, n) => p.malloc(n), (p, b) => p.free(b)],
  ['BytePool', () => new BytePool([BIG], { safe: true }), (p, n) => p.get(n), (p, b) => p.put(b)],
];

describe.each(socketPools)('%s, safe mode: a buffer freed while a socket write uses it', (_, make, malloc, free) => {
  test('in flight (libuv holds the pointer): the peer gets poison, never the next allocation\'s bytes, and everything', async () => {
    const p = make();
    let inFlight = -1;
    const { counts, received } = await exchange((client) => {
      const buf = malloc(p, BIG).fill(0x41);
      client.write(buf);
      inFlight = client.writableLength;
      free(p, buf); // the bug under test: freed before the write completed
      const next = malloc(p, BIG).fill(0x01); // another owner's data
      client.end(() => free(p, next));
    }, BIG);
    expect(inFlight).toBeGreaterThan(0);
    expect(received).toBe(BIG);
    expect(counts.get(0x01)).toBeUndefined();
    expect(counts.get(SAFE_POISON)).toBeGreaterThan(0);
    expect((counts.get(0x41) ?? 0) + counts.get(SAFE_POISON)).toBe(BIG);
    p.close();
  }, 60000);

  test('still queued in JS behind another write: the peer gets poison, not silence', async () => {
    const p = make();
    const first = Buffer.alloc(BIG, 0x41);
    let queued = -1;
    const { counts, received } = await exchange((client) => {
      client.write(first);
      const buf = malloc(p, 4096).fill(0x42);
      client.write(buf);
      queued = client.writableLength;
      free(p, buf);
      const next = malloc(p, 4096).fill(0x01);
      client.end(() => free(p, next));
    }, BIG + 4096);
    expect(queued).toBeGreaterThan(4096);
    expect(received).toBe(BIG + 4096);
    expect(counts.get(0x01)).toBeUndefined();
    expect(counts.get(0x42)).toBeUndefined();
    expect(counts.get(SAFE_POISON)).toBe(4096);
    p.close();
  }, 60000);
});
