'use strict';
// writeAndFree / endAndFree: memory goes back exactly once, never before the
// stream is done with it, under write errors, destroy mid-write, peer resets
// and HTTP clients that hang up mid-body.

const http = require('node:http');
const net = require('node:net');
const { once } = require('node:events');
const { Writable } = require('node:stream');
const { BytePool, Memory, ScalableAllocator, endAndFree, writeAndFree } = require('../lib');
const { expectCode } = require('./helpers/expect_error');
const { tick } = require('./helpers/gc');
const { spyPool } = require('./helpers/spy_pool');

const settle = async (n = 5) => {
  for (let i = 0; i < n; i++) await tick();
};

// A Writable that holds each write's callback until the test releases it,
// like libuv holding a pointer to memory it is still sending.
function heldWritable(options = {}) {
  const held = [];
  const stream = new Writable({
    highWaterMark: 1,
    ...options,
    write(chunk, encoding, cb) {
      held.push({ chunk, cb });
    },
  });
  return { stream, held };
}

describe('writeAndFree()', () => {
  test('frees each buffer only after its write callback, in order, once', async () => {
    const pool = spyPool(new ScalableAllocator({ leakDetection: 'disabled' }));
    const { stream, held } = heldWritable();
    const bufs = [pool.malloc(10), pool.malloc(20), pool.malloc(30)];
    for (const b of bufs) writeAndFree(stream, b, pool);
    await settle();
    expect(pool.freed).toHaveLength(0);
    expect(held).toHaveLength(1);
    held[0].cb();
    await settle();
    expect(pool.freed).toEqual([bufs[0]]);
    held[1].cb();
    await settle();
    held[2].cb();
    await settle();
    expect(pool.freed).toEqual(bufs);
  });

  test('many writes in flight, interleaved with new ones: freed in order, each once', async () => {
    const pool = spyPool(new ScalableAllocator({ leakDetection: 'disabled' }));
    const { stream, held } = heldWritable({ highWaterMark: 1 << 20 });
    const written = [];
    const write = (n) => {
      for (let i = 0; i < n; i++) {
        const b = pool.malloc(8 + (written.length % 5));
        written.push(b);
        writeAndFree(stream, b, pool);
      }
    };
    write(5);
    for (let round = 0; round < 40; round++) {
      write(1 + (round % 7)); // the queue wraps and grows while entries are pending
      for (let k = 0; k < 1 + (round % 5) && held.length > 0; k++) {
        held.shift().cb();
        await settle(1);
      }
    }
    while (held.length > 0) {
      held.shift().cb();
      await settle(1);
    }
    await settle();
    expect(pool.freed).toEqual(written);
  });

  test('destroyed mid-write: nothing is freed until the write in flight calls back', async () => {
    const real = new ScalableAllocator({ leakDetection: 'disabled' });
    const pool = spyPool(real);
    const { stream, held } = heldWritable();
    stream.on('error', () => {});
    const calls = [];
    const bufs = [pool.malloc(10), pool.malloc(20), pool.malloc(30)];
    bufs.forEach((b, i) => writeAndFree(stream, b, pool, (err) => calls.push([i, err?.code ?? null])));
    expect(held).toHaveLength(1); // the first is "in flight", the others buffered
    stream.destroy();
    await settle();
    // Node has errored the two buffered writes; the first is still held.
    expect(pool.freed).toHaveLength(0);
    held[0].cb();
    await settle();
    expect(pool.freed).toHaveLength(3);
    expect(new Set(pool.freed)).toEqual(new Set(bufs));
    expect(calls).toHaveLength(3);
    expect(real.stats().allocations).toBe(0);
  });

  test('a write error frees everything once and reports the error', async () => {
    const real = new BytePool(undefined, { leakDetection: 'disabled' });
    let n = 0;
    const stream = new Writable({
      write(chunk, encoding, cb) {
        n++;
        setImmediate(cb, n === 2 ? new Error('disk full') : null);
      },
    });
    stream.on('error', () => {});
    const errors = [];
    for (let i = 0; i < 4; i++) {
      writeAndFree(stream, real.get(100), real, (err) => errors.push(err ? err.message : null));
    }
    await settle(10);
    expect(errors).toHaveLength(4);
    expect(errors[0]).toBeNull();
    expect(errors.filter((e) => e !== null).length).toBeGreaterThanOrEqual(1);
    expect(real.stats().tiers[128].inUse).toBe(0);
    expect(real.stats().totalPut).toBe(4);
  });

  test('write after end: freed once, callback gets the error', async () => {
    const pool = new BytePool(undefined, { leakDetection: 'disabled' });
    const stream = new Writable({ write: (c, e, cb) => cb() });
    stream.on('error', () => {});
    stream.end();
    const [err] = await new Promise((resolve) => writeAndFree(stream, pool.get(10), pool, (...a) => resolve(a)));
    expect(err.code).toBe('ERR_STREAM_WRITE_AFTER_END');
    expect(pool.stats().totalPut).toBe(1);
  });

  test('a Memory of pooled buffers is freed whole after its last write; a RecyclableMemory is recycled', async () => {
    const pool = new ScalableAllocator({ leakDetection: 'disabled' });
    const { stream, held } = heldWritable({ highWaterMark: 1024 });
    const mem = new Memory(pool.malloc(5), pool.malloc(6));
    const rec = pool.recyclable();
    rec.nextN(7).fill(1);
    writeAndFree(stream, mem, pool);
    writeAndFree(stream, rec);
    const drain = async () => {
      while (held.length > 0) {
        held.shift().cb();
        await settle();
      }
    };
    await drain();
    expect(pool.stats().allocations).toBe(0);
    expect(rec.size).toBe(0);
  });

  test('rejects bad arguments with Node codes', () => {
    const pool = new BytePool();
    const { stream } = heldWritable();
    expectCode(() => writeAndFree(null, Buffer.alloc(1), pool), 'ERR_INVALID_ARG_TYPE', TypeError);
    expectCode(() => writeAndFree(stream, 'text', pool), 'ERR_INVALID_ARG_TYPE', TypeError);
    expectCode(() => writeAndFree(stream, Buffer.alloc(1)), 'ERR_INVALID_ARG_TYPE', TypeError);
    expectCode(() => writeAndFree(stream, Buffer.alloc(1), {}), 'ERR_INVALID_ARG_TYPE', TypeError);
    expectCode(() => writeAndFree(stream, Buffer.alloc(1), pool, 5), 'ERR_INVALID_ARG_TYPE', TypeError);
  });
});

// ---- real sockets ------------------------------------------------------------

const SIZE = 128 * 1024;
const COUNT = 32;
const closedOf = (emitter) => new Promise((resolve) => emitter.once('close', resolve));
const fillOf = (i) => 1 + (i % 200);

// Sends COUNT pooled buffers; after each writeAndFree, a same-size malloc is
// filled with 0xEE and freed, so memory given back too early would reach the
// wire as 0xEE. The peer checks every byte it gets and may reset mid-way.
async function sendThrough(resetAfter) {
  const pool = new ScalableAllocator({ leakDetection: 'disabled' });
  let corrupted = 0;
  let received = 0;
  const server = net.createServer((socket) => {
    socket.on('end', () => socket.end());
    socket.on('data', (chunk) => {
      for (let k = 0; k < chunk.length; k++) {
        if (chunk[k] !== fillOf(Math.floor((received + k) / SIZE))) corrupted++;
      }
      received += chunk.length;
      if (resetAfter !== undefined && received >= resetAfter) socket.resetAndDestroy();
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = net.connect(server.address().port, '127.0.0.1');
  client.on('error', () => {});
  await once(client, 'connect');
  for (let i = 0; i < COUNT; i++) {
    const buf = pool.malloc(SIZE);
    buf.fill(fillOf(i));
    writeAndFree(client, buf, pool);
    const decoy = pool.malloc(SIZE);
    decoy.fill(0xee);
    pool.free(decoy);
  }
  const clientClosed = closedOf(client);
  client.end();
  await clientClosed;
  await settle();
  server.close();
  return { corrupted, received, allocations: pool.stats().allocations };
}

describe('writeAndFree() on a TCP socket', () => {
  test('every byte arrives intact and every buffer goes back', async () => {
    const r = await sendThrough(undefined);
    expect(r.corrupted).toBe(0);
    expect(r.received).toBe(SIZE * COUNT);
    expect(r.allocations).toBe(0);
  });

  test('peer reset mid-stream: 0 corrupted bytes, allocations back to 0', async () => {
    const r = await sendThrough(SIZE * 3 + 1000);
    expect(r.corrupted).toBe(0);
    expect(r.received).toBeLessThan(SIZE * COUNT);
    expect(r.allocations).toBe(0);
  });
});

// ---- HTTP -------------------------------------------------------------------------

async function httpRound(body, { hangUp }) {
  const pool = new BytePool(undefined, { leakDetection: 'disabled' });
  const closed = [];
  const server = http.createServer((req, res) => {
    let finished = false;
    res.on('finish', () => {
      finished = true;
    });
    res.on('close', () => closed.push(finished));
    if (body === 'memory') {
      const mem = new Memory(pool.get(1000).fill(7), pool.get(2 * 1024 * 1024).fill(8));
      endAndFree(res, mem, pool);
    } else if (body === 'large') {
      const mem = new Memory();
      for (let i = 0; i < 8; i++) mem.pushOne(pool.get(2 * 1024 * 1024).fill(9));
      endAndFree(res, mem, pool);
    } else {
      const buf = pool.get(2 * 1024 * 1024).fill(9);
      endAndFree(res, buf, pool);
    }
    // Memory given back too early would be this decoy's slot: 0xEE on the wire.
    const decoy = pool.get(2 * 1024 * 1024).fill(0xee);
    setImmediate(() => pool.put(decoy));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  let got = 0;
  let bad = 0;
  await new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: server.address().port, agent: false }, (res) => {
      res.on('data', (chunk) => {
        for (let k = 0; k < chunk.length; k++) {
          const expected = body === 'memory' ? (got + k < 1000 ? 7 : 8) : 9;
          if (chunk[k] !== expected) bad++;
        }
        got += chunk.length;
        if (hangUp) req.destroy();
      });
      res.on('end', resolve);
      res.on('error', resolve);
      res.on('close', resolve);
    });
    req.on('error', resolve);
  });
  for (let i = 0; i < 100 && closed.length === 0; i++) await settle(2);
  await settle();
  server.closeAllConnections();
  server.close();
  const s = pool.stats();
  return { got, bad, closed, inUse: Object.values(s.tiers).reduce((a, t) => a + t.inUse, 0), put: s.totalPut };
}

describe('endAndFree() on an HTTP response', () => {
  test('freed after finish; the body is intact', async () => {
    const r = await httpRound('buffer', { hangUp: false });
    expect(r.got).toBe(2 * 1024 * 1024);
    expect(r.bad).toBe(0);
    expect(r.inUse).toBe(0);
    expect(r.put).toBe(2);
  });

  test('a 16 MiB body (writes queued behind the socket) arrives intact', async () => {
    const r = await httpRound('large', { hangUp: false });
    expect(r.got).toBe(16 * 1024 * 1024);
    expect(r.bad).toBe(0);
    expect(r.inUse).toBe(0);
    expect(r.put).toBe(9);
  });

  test('a Memory body gets Content-Length and is freed whole', async () => {
    const r = await httpRound('memory', { hangUp: false });
    expect(r.got).toBe(1000 + 2 * 1024 * 1024);
    expect(r.bad).toBe(0);
    expect(r.inUse).toBe(0);
    expect(r.put).toBe(3);
  });

  test('client hangs up mid-body: freed on close, once', async () => {
    const r = await httpRound('large', { hangUp: true });
    expect(r.bad).toBe(0);
    expect(r.got).toBeLessThan(16 * 1024 * 1024);
    expect(r.closed).toHaveLength(1); // 'finish' may still fire: Node calls back a write cancelled by the close
    expect(r.inUse).toBe(0);
    expect(r.put).toBe(9);
  });
});

describe('writeAndFree() on an HTTP request body', () => {
  test('a ClientRequest body is freed once the request has finished, intact', async () => {
    const pool = new BytePool(undefined, { leakDetection: 'disabled' });
    let received = 0;
    let bad = 0;
    const server = http.createServer((req, res) => {
      req.on('data', (chunk) => {
        for (let k = 0; k < chunk.length; k++) if (chunk[k] !== 5) bad++;
        received += chunk.length;
      });
      req.on('end', () => res.end('ok'));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const req = http.request({ host: '127.0.0.1', port: server.address().port, method: 'POST', agent: false });
    for (let i = 0; i < 4; i++) writeAndFree(req, pool.get(1024 * 1024).fill(5), pool);
    const decoy = pool.get(1024 * 1024).fill(0xee); // would take a slot given back too early
    const [[res]] = await Promise.all([once(req, 'response'), new Promise((resolve) => req.end(resolve))]);
    pool.put(decoy);
    res.resume();
    await once(res, 'end');
    await settle();
    server.closeAllConnections();
    server.close();
    expect(received).toBe(4 * 1024 * 1024);
    expect(bad).toBe(0);
    expect(pool.stats().totalPut).toBe(5);
  });
});

