'use strict';
// PooledOnread: reads land in pooled memory, the buffer function never
// throws (a full pool falls back to one unpooled buffer, counted), each read
// buffer goes back after the callback, and the last one on 'close'.

const net = require('node:net');
const { once } = require('node:events');
const { BytePool, PooledOnread, ScalableAllocator } = require('../lib');
const { expectCode } = require('./helpers/expect_error');
const { tick } = require('./helpers/gc');

const SIZE = 16 * 1024;

// A server that sends `total` bytes of a known pattern (byte i = i * 7 mod 251)
// and then closes, or resets after `resetAt` bytes.
async function patternServer(total, resetAt = undefined) {
  const data = Buffer.alloc(total);
  for (let i = 0; i < total; i++) data[i] = (i * 7) % 251;
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    if (resetAt === undefined) {
      socket.end(data);
    } else {
      socket.write(data.subarray(0, resetAt), () => setTimeout(() => socket.resetAndDestroy(), 20));
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

async function readAll(server, pool, onread) {
  let got = 0;
  let corrupted = 0;
  const adapter = onread ?? new PooledOnread(pool, (nread, buf) => {
    for (let k = 0; k < nread; k++) if (buf[k] !== ((got + k) * 7) % 251) corrupted++;
    got += nread;
  }, { size: SIZE });
  const socket = net.connect({ host: '127.0.0.1', port: server.address().port, onread: adapter });
  adapter.watch(socket);
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('close', resolve));
  await tick();
  server.close();
  return { got: () => got, corrupted: () => corrupted, adapter };
}

describe('PooledOnread', () => {
  test('reads into pooled memory, every byte intact, allocations back to 0', async () => {
    const pool = new ScalableAllocator({ leakDetection: 'disabled' });
    const server = await patternServer(1024 * 1024);
    const r = await readAll(server, pool);
    expect(r.got()).toBe(1024 * 1024);
    expect(r.corrupted()).toBe(0);
    expect(r.adapter.fallbacks).toBe(0);
    expect(r.adapter.reads).toBeGreaterThan(0);
    expect(pool.stats().allocations).toBe(0);
  });

  test('server reset: the last buffer goes back on close', async () => {
    const pool = new BytePool(undefined, { leakDetection: 'disabled' });
    const server = await patternServer(512 * 1024, 100 * 1024);
    const r = await readAll(server, pool);
    expect(r.corrupted()).toBe(0);
    expect(r.got()).toBe(100 * 1024);
    expect(pool.stats().tiers[SIZE].inUse).toBe(0);
  });

  test('pool full (maxSize): the buffer function falls back, never throws, data intact', async () => {
    const pool = new ScalableAllocator({ chunkSize: SIZE, maxChunkSize: SIZE, maxSize: SIZE, leakDetection: 'disabled' });
    const hog = pool.malloc(SIZE); // nothing left for reads
    const server = await patternServer(256 * 1024);
    const r = await readAll(server, pool);
    expect(r.got()).toBe(256 * 1024);
    expect(r.corrupted()).toBe(0);
    expect(r.adapter.fallbacks).toBe(r.adapter.reads + 1);
    pool.free(hog);
    expect(pool.stats().allocations).toBe(0);
  });

  test('a throwing callback keeps its buffer allocated (Node reads into it again)', () => {
    const pool = new ScalableAllocator({ leakDetection: 'disabled' });
    let fail = true;
    const adapter = new PooledOnread(pool, () => {
      if (fail) throw new Error('parse error');
    }, { size: 100 });
    const b1 = adapter.buffer();
    expect(() => adapter.callback(10, b1)).toThrow('parse error');
    expect(pool.stats().allocations).toBe(1); // still ours: Node reads into b1 again
    fail = false;
    adapter.callback(10, b1);
    expect(pool.stats().allocations).toBe(0);
    const b2 = adapter.buffer();
    expect(b2.length).toBe(100);
    adapter.close();
    expect(pool.stats().allocations).toBe(0);
  });

  test('keep() hands the buffer to the callback; a second socket gets the fallback', () => {
    const pool = new BytePool(undefined, { leakDetection: 'disabled' });
    let kept = null;
    let pooled = null;
    const adapter = new PooledOnread(pool, () => {
      pooled = adapter.pooled;
      kept = adapter.keep();
    }, { size: 1024 });
    const b1 = adapter.buffer();
    adapter.callback(5, b1);
    expect(kept).toBe(b1);
    expect(pooled).toBe(true);
    expect(pool.stats().tiers[1024].inUse).toBe(1);
    pool.put(kept);
    const b2 = adapter.buffer();
    const other = adapter.buffer(); // misuse: one adapter, two sockets
    expect(other).not.toBe(b2);
    expect(adapter.fallbacks).toBe(1);
    adapter.close();
    expect(pool.stats().tiers[1024].inUse).toBe(0);
    expectCode(() => adapter.keep(), 'ERR_INVALID_STATE', Error);
  });

  test('validates its arguments', () => {
    const pool = new BytePool();
    expectCode(() => new PooledOnread({}, () => {}), 'ERR_INVALID_ARG_TYPE', TypeError);
    expectCode(() => new PooledOnread(pool, 5), 'ERR_INVALID_ARG_TYPE', TypeError);
    expectCode(() => new PooledOnread(pool, () => {}, { size: 0 }), 'ERR_OUT_OF_RANGE', RangeError);
  });
});
