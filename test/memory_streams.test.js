'use strict';
// Memory and Node streams: writeTo() to Writables and a TCP socket,
// Memory.from() collecting a Readable (as is, into an Arena, or into a
// recyclable allocator), with stream failures and bad arguments.

const { Buffer } = require('node:buffer');
const net = require('node:net');
const { PassThrough, Readable, Writable } = require('node:stream');
const { Arena, Memory } = require('..');

const B = (...bytes) => Buffer.from(bytes);
const bytesOf = (mem) => [...mem.toBytes()];

describe('Memory#writeTo()', () => {
  test('writes all buffers in one _writev call and resolves with the size', async () => {
    const calls = [];
    const sink = new Writable({
      writev(chunks, cb) {
        calls.push(chunks.map((c) => [...c.chunk]));
        setImmediate(cb);
      },
    });
    const mem = new Memory(B(1, 2), B(), B(3), B(4, 5));
    await expect(mem.writeTo(sink)).resolves.toBe(5);
    expect(calls).toEqual([[[1, 2], [3], [4, 5]]]);
    expect(mem.size).toBe(5); // not consumed
  });

  test('works with a stream that has only _write', async () => {
    const got = [];
    const sink = new Writable({ write(chunk, enc, cb) { got.push(...chunk); cb(); } });
    await expect(new Memory(B(1), B(2, 3)).writeTo(sink)).resolves.toBe(3);
    expect(got).toEqual([1, 2, 3]);
  });

  test('an empty memory resolves with 0 and writes nothing', async () => {
    const sink = new Writable({ write() { throw new Error('unexpected'); } });
    await expect(new Memory(B()).writeTo(sink)).resolves.toBe(0);
  });

  test('sends the bytes over a TCP socket', async () => {
    const received = [];
    const server = net.createServer((s) => s.on('data', (d) => received.push(...d)).on('end', () => s.end()));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const sock = net.connect(server.address().port, '127.0.0.1');
      await new Promise((resolve) => sock.once('connect', resolve));
      const mem = new Memory(B(1, 2, 3), Buffer.alloc(70000, 7), B(4));
      await expect(mem.writeTo(sock)).resolves.toBe(70004);
      sock.end();
      await new Promise((resolve) => sock.once('close', resolve));
      expect(received.length).toBe(70004);
      expect(received.slice(0, 3)).toEqual([1, 2, 3]);
      expect(received[70003]).toBe(4);
    } finally {
      server.close();
    }
  });

  test('rejects when the stream fails', async () => {
    const sink = new Writable({ writev(chunks, cb) { cb(new Error('boom')); } });
    sink.on('error', () => {});
    await expect(new Memory(B(1), B(2)).writeTo(sink)).rejects.toThrow('boom');
    const ended = new PassThrough();
    ended.on('error', () => {});
    ended.end();
    await expect(new Memory(B(1)).writeTo(ended)).rejects.toThrow(expect.objectContaining({
      code: 'ERR_STREAM_WRITE_AFTER_END',
    }));
  });

  test('rejects what is not a writable', () => {
    expect(() => new Memory().writeTo({})).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => new Memory().writeTo(null)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});

describe('Memory.from()', () => {
  test('collects the chunks as they are, without copying', async () => {
    const chunks = [B(1, 2), B(3), B(4, 5, 6)];
    const mem = await Memory.from(Readable.from(chunks));
    expect(mem).toBeInstanceOf(Memory);
    expect(mem.count).toBe(3);
    expect(mem.buffers[0]).toBe(chunks[0]);
    expect(bytesOf(mem)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('copies into an Arena with malloc/free', async () => {
    const arena = new Arena(4096);
    try {
      const chunks = [B(1, 2), B(), B(3)];
      const mem = await Memory.from(Readable.from(chunks), { allocator: arena });
      expect(bytesOf(mem)).toEqual([1, 2, 3]);
      expect(mem.count).toBe(2);
      expect(mem.buffers[0]).not.toBe(chunks[0]);
      expect(arena.usedSize).toBeGreaterThanOrEqual(3);
      for (const buf of mem) arena.free(buf);
      expect(arena.usedSize).toBe(0);
    } finally {
      arena.close();
    }
  });

  test('frees what it allocated when the stream fails or the pool is full', async () => {
    const arena = new Arena(64);
    try {
      const failing = new Readable({ read() {} });
      failing.push(B(1, 2, 3));
      setImmediate(() => failing.destroy(new Error('broken')));
      await expect(Memory.from(failing, { allocator: arena })).rejects.toThrow('broken');
      expect(arena.usedSize).toBe(0);
      await expect(Memory.from(Readable.from([Buffer.alloc(40), Buffer.alloc(40)]), { allocator: arena }))
        .rejects.toThrow(expect.objectContaining({ code: 'ERR_POOLMEM_OUT_OF_MEMORY' }));
      expect(arena.usedSize).toBe(0);
    } finally {
      arena.close();
    }
  });

  test('uses recyclable() when the allocator has it, and recycles on error', async () => {
    class FakeRecyclable extends Memory {
      recycled = 0;
      nextN(size) {
        const buf = Buffer.alloc(size);
        this.pushOne(buf);
        return buf;
      }
      recycle() {
        this.recycled++;
        this.reset();
      }
    }
    let made;
    const allocator = { recyclable: () => (made = new FakeRecyclable()) };
    const mem = await Memory.from(Readable.from([B(1), B(2, 3)]), { allocator });
    expect(mem).toBe(made);
    expect(bytesOf(mem)).toEqual([1, 2, 3]);
    await expect(Memory.from(Readable.from([B(1), 'text']), { allocator }))
      .rejects.toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(made.recycled).toBe(1);
    expect(made.size).toBe(0);
  });

  test('rejects bad arguments', async () => {
    await expect(Memory.from(null)).rejects.toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    await expect(Memory.from([B(1)])).rejects.toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    await expect(Memory.from(Readable.from([B(1)]), 5))
      .rejects.toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    await expect(Memory.from(Readable.from([B(1)]), { allocator: {} }))
      .rejects.toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    await expect(Memory.from(Readable.from(['abc'])))
      .rejects.toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});
