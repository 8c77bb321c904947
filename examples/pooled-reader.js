'use strict';
// A TCP client that reads socket data straight into ScalableAllocator memory
// with net's `onread` option: no Buffer per read, no copy. Each read lands in
// a 64 KiB pooled buffer that is freed as soon as it is processed; the next
// read's malloc of the same size gets the same block back from the size-class
// cache, without a native call. The client answers with a summary built in a RecyclableMemory.
// A local server on 127.0.0.1 (ephemeral port) sends BYTES of a deterministic
// pseudo-random stream (an AES-CTR keystream) in writes of random size; both
// sides hash what passed with SHA-256. Exits by itself.
//
//   node examples/pooled-reader.js [bytes]

const { createCipheriv, createHash } = require('node:crypto');
const { once } = require('node:events');
const net = require('node:net');
const { inspect } = require('node:util');
const { ScalableAllocator } = require('poolmem');

const BYTES = Number(process.argv[2] ?? 4 * 1024 * 1024);
if (!Number.isSafeInteger(BYTES) || BYTES < 0) {
  console.error('usage: node examples/pooled-reader.js [bytes]');
  process.exit(2);
}
const READ_SIZE = 64 * 1024; // what libuv may read in one go
const MAX_WRITE = 48 * 1024; // server writes are 1..MAX_WRITE bytes
const deadline = setTimeout(() => {
  console.error('pooled-reader: timed out');
  process.exit(1);
}, 15_000);

// ---------------------------------------------------------------------------
// Server: send the stream in random pieces, then read the client's summary
// ---------------------------------------------------------------------------

async function serve(socket) {
  const replies = [];
  socket.on('data', (chunk) => replies.push(chunk));

  // Same key and IV every run, so the stream is the same every run.
  const keystream = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16));
  const zeros = Buffer.alloc(MAX_WRITE); // encrypting zeros yields the keystream
  const hash = createHash('sha256');
  let seed = 0x5eed; // write sizes: a 32-bit LCG (Numerical Recipes constants)
  let writes = 0;
  for (let at = 0; at < BYTES; writes++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const piece = keystream.update(zeros.subarray(0, Math.min(BYTES - at, 1 + (seed % MAX_WRITE))));
    hash.update(piece);
    at += piece.length;
    await new Promise((resolve, reject) => socket.write(piece, (err) => (err ? reject(err) : resolve())));
    if (seed >>> 30 === 0) await new Promise((resolve) => setImmediate(resolve)); // let reads land in between
  }
  socket.end(); // half-close: the client sees EOF and answers
  await once(socket, 'end');

  const reply = Buffer.concat(replies);
  const summary = JSON.parse(reply.subarray(4, 4 + reply.readUInt32BE(0)).toString());
  return { writes, checksum: hash.digest('hex'), summary, replyBytes: reply.length };
}

// ---------------------------------------------------------------------------
// Client: read into pooled memory, answer from pooled memory
// ---------------------------------------------------------------------------
//
// What Node 20 does with `onread: { buffer: fn, callback }` (lib/net.js
// Socket constructor and initSocketHandle(), lib/internal/stream_base_commons.js
// onStreamRead(), src/stream_base.cc CustomBufferJSListener):
// - fn is called once when the socket gets its handle (inside net.connect(),
//   before any data) and again right after every callback, which runs only
//   for nread > 0 (never for EOF or an error): reads + 1 calls in all. The
//   buffer from the last call is never passed to the callback, so free it
//   yourself on 'close', when the handle is closed and libuv reads no more.
// - The callback gets the whole buffer; the bytes read are buf.subarray(0,
//   nread). Returning false pauses the socket, so return nothing.
// - Native code keeps only a pointer to the buffer, reads into it, and takes
//   the next pointer from fn's return value before libuv reads again. So
//   freeing buf inside the callback is safe: nothing writes to it afterwards
//   unless fn hands it out again. Free it last: if processing throws first,
//   Node keeps reading into buf, which is still allocated.
// - If fn throws or returns something that is not a Uint8Array, Node keeps
//   reading into the previous buffer, the one just freed. Here fn cannot fail
//   that way: its malloc follows a free of the same size, so it fits, and
//   usually gets its block straight back from the size-class cache.

async function read(pool, port) {
  let next = null; // the buffer Node reads into next; ours until freed
  let calls = 0;
  let reads = 0;
  let bytes = 0;
  const hash = createHash('sha256');

  const socket = net.connect({
    host: '127.0.0.1',
    port,
    allowHalfOpen: true, // answer after the server's EOF
    onread: {
      buffer: () => {
        calls++;
        next = pool.malloc(READ_SIZE);
        return next;
      },
      callback: (nread, buf) => {
        reads++;
        bytes += nread;
        hash.update(buf.subarray(0, nread)); // process in place, no copy
        next = null;
        pool.free(buf); // last: Node asks for the next buffer after this returns
      },
    },
  });
  socket.once('close', () => {
    if (next !== null) pool.free(next); // from fn's last call, never read into
    next = null;
  });
  await once(socket, 'end'); // rejects on 'error'

  // The answer: a 4-byte length and a JSON body in two pooled buffers, written
  // in one writev without copying and recycled once the write callback has
  // run (writeTo's promise settles in it): the socket is done with them then.
  const body = JSON.stringify({ bytes, checksum: hash.digest('hex') });
  const reply = pool.recyclable();
  reply.nextN(4).writeUInt32BE(body.length);
  reply.nextN(body.length).write(body, 'latin1');
  await reply.writeTo(socket);
  reply.recycle();
  socket.end();
  await once(socket, 'close');
  return { calls, reads, bytes };
}

async function main() {
  const pool = new ScalableAllocator({ maxSize: 1024 * 1024 }); // one read buffer and a reply need far less
  const server = net.createServer();
  const served = once(server, 'connection').then(([socket]) => serve(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const [sent, got] = await Promise.all([served, read(pool, server.address().port)]);
    console.log(`server sent ${BYTES} bytes in ${sent.writes} writes of 1 to ${MAX_WRITE} bytes`);
    console.log(`client read ${got.bytes} bytes in ${got.reads} reads into ${READ_SIZE / 1024} KiB pooled buffers`
      + ` (buffer function calls: ${got.calls})`);
    console.log(`client answered with ${sent.replyBytes} bytes from a RecyclableMemory`);
    console.log(`sha256 server ${sent.checksum.slice(0, 16)}, client ${sent.summary.checksum.slice(0, 16)}`);
    const ok = got.bytes === BYTES && sent.summary.bytes === BYTES && sent.summary.checksum === sent.checksum;
    console.log(`checksums match: ${ok ? 'yes' : 'NO'}`);
    console.log(`pool.stats(): ${inspect(pool.stats(), { breakLength: Infinity })}`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    pool.close();
    server.close();
    clearTimeout(deadline);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
