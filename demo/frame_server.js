'use strict';
// The demo's length-prefixed TCP server (a 4-byte big-endian length, then the
// payload); it answers each frame with a frame holding a copy of its payload.
// plain: chunks gathered and concatenated only when a frame spans them, one
// Buffer.allocUnsafe reply per frame, each 'data' batch corked. pooled:
// FrameReader#advance (the frame read in place, or a pooled copy when it
// spans chunks), replies batched into BytePool memory (consecutive frames of
// a chunk copied in one call), writeAndFree.
// Run by demo/run.js: node demo/frame_server.js plain|pooled

const net = require('node:net');
const { BytePool, FrameReader, writeAndFree } = require('poolmem');
const { poolSummary, startProbe } = require('./probe');

const mode = process.argv[2];
const lifetimeMs = Number(process.argv[3] ?? 120_000);
let frames = 0;
let fallbacks = 0;
const pool = mode === 'pooled' ? new BytePool(BytePool.powerOfTwo(), { maxSize: 512 * 1024 * 1024 }) : null;

function plainConnection(socket) {
  let chunks = [];
  let held = 0;   // bytes in chunks
  let need = 4;   // bytes needed before the next parse makes progress
  socket.on('data', (chunk) => {
    chunks.push(chunk);
    held += chunk.length;
    if (held < need) return;
    const buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, held);
    let pos = 0;
    socket.cork();
    while (buf.length - pos >= 4) {
      const length = buf.readUInt32BE(pos);
      if (buf.length - pos - 4 < length) break;
      const out = Buffer.allocUnsafe(4 + length);
      out.writeUInt32BE(length, 0);
      buf.copy(out, 4, pos + 4, pos + 4 + length);
      socket.write(out);
      frames++;
      pos += 4 + length;
    }
    socket.uncork();
    chunks = pos === buf.length ? [] : [buf.subarray(pos)];
    held = buf.length - pos;
    need = held >= 4 ? 4 + buf.readUInt32BE(pos) : 4;
  });
  socket.on('error', () => {});
}

// Replies go into one pooled batch buffer per 'data' event (64 KiB, or one
// frame's size when larger), written and given back with writeAndFree: no
// Buffer object, no write request and no closure per frame. A reply is its
// request (length, then payload), so frames that follow each other in the
// chunk are copied as one run: on Node 20 every Buffer#copy from an offset
// makes a Uint8Array (about 100 B of JS heap), one per frame at 256 B was a
// quarter of the pooled server's heap per frame. A frame read from anywhere
// else (a pooled copy of one that spanned chunks, freed by the next advance)
// is copied at once.
const BATCH = 64 * 1024;
const copy = Buffer.prototype.copy;

function pooledConnection(socket) {
  const reader = new FrameReader({ pool });
  let out = null;
  let pooledOut = false;
  let used = 0;
  let run = null; // the chunk holding the frames not yet copied, [runStart, runEnd) of it, to out[runAt]
  let runStart = 0;
  let runEnd = 0;
  let runAt = 0;
  const copyRun = () => {
    if (run !== null) copy.call(run, out, runAt, runStart, runEnd);
    run = null;
  };
  const flush = () => {
    copyRun();
    const data = used === out.length ? out : out.subarray(0, used);
    if (pooledOut) writeAndFree(socket, data, pool);
    else socket.write(data);
    out = null;
    used = 0;
  };
  socket.on('data', (chunk) => {
    reader.push(chunk);
    while (reader.advance()) {
      const source = reader.source;
      const start = reader.start;
      const length = reader.end - start;
      if (out !== null && used + 4 + length > out.length) flush();
      if (out === null) {
        const size = Math.max(BATCH, 4 + length);
        try {
          out = pool.get(size);
        } catch {
          out = null; // pool full (maxSize): answer from plain memory
        }
        pooledOut = out !== null;
        if (!pooledOut) {
          fallbacks++;
          out = Buffer.allocUnsafe(size);
        }
      }
      if (run === source && start - 4 === runEnd) {
        runEnd = start + length; // its length field and payload follow the run in the chunk
      } else {
        copyRun();
        out.writeUInt32BE(length, used);
        if (source === chunk) {
          run = chunk;
          runStart = start;
          runEnd = start + length;
          runAt = used + 4;
        } else {
          copy.call(source, out, used + 4, start, start + length);
        }
      }
      used += 4 + length;
      frames++;
    }
    if (out !== null) flush();
  });
  socket.on('close', () => reader.close());
  socket.on('error', () => {});
}

const server = net.createServer({ noDelay: true }, mode === 'pooled' ? pooledConnection : plainConnection);
server.listen(0, '127.0.0.1', () => {
  startProbe(server, {
    lifetimeMs,
    report: () => ({ served: frames, fallbacks, pool: pool === null ? null : poolSummary(pool) }),
  });
  process.send({ type: 'ready', port: server.address().port });
});
