'use strict';
// Length-prefixed frames over TCP, parsed with MemoryReader without ever
// concatenating socket chunks. The client sends FRAMES frames (a 4-byte
// big-endian length, then the payload) cut into pieces of random size, so
// frames and even length prefixes arrive split across reads. The server keeps
// the chunks in a Memory, reads whole frames as views, drops what it has
// consumed with clipFront(), and answers with a summary written by writeTo().
// Runs on 127.0.0.1 on an ephemeral port and exits by itself.
//
//   node examples/frame-parser.js [frames]

const net = require('node:net');
const { Memory } = require('poolmem');

const FRAMES = Number(process.argv[2] ?? 200);
const deadline = setTimeout(() => {
  console.error('frame-parser: timed out');
  process.exit(1);
}, 15_000);

// Deterministic pseudo-random numbers (xorshift32), so every run is the same.
let seed = 0x6006;
function random(n) {
  seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
  return (seed >>> 0) % n;
}

// FNV-1a over a payload that may arrive in several pieces.
function fnv1a(hash, piece) {
  for (let i = 0; i < piece.length; i++) hash = Math.imul(hash ^ piece[i], 0x01000193) >>> 0;
  return hash;
}
const FNV_START = 0x811c9dc5;

// ---------------------------------------------------------------------------
// Server: parse frames as chunks arrive
// ---------------------------------------------------------------------------

function serve(socket) {
  const pending = new Memory();
  const reader = pending.reader(); // follows pending: pushed chunks become readable
  let chunks = 0;
  let frames = 0;
  let bytes = 0;
  let maxPieces = 0;
  let waits = 0;
  let combined = FNV_START;

  socket.on('data', (chunk) => {
    chunks++;
    bytes += chunk.length;
    pending.pushOne(chunk); // no copy
    while (reader.length >= 4) {
      const length = reader.readUInt32BE();
      if (reader.length < length) {
        reader.unread(4); // wait for the rest of this frame
        waits++;
        break;
      }
      let hash = FNV_START;
      let pieces = 0;
      reader.rangeN(length, (view) => {
        hash = fnv1a(hash, view);
        pieces++;
      });
      maxPieces = Math.max(maxPieces, pieces);
      combined = fnv1a(combined, [hash & 0xff, (hash >>> 8) & 0xff, (hash >>> 16) & 0xff, hash >>> 24]);
      frames++;
    }
    reader.clipFront(); // forget the chunks that are fully parsed
  });

  socket.on('end', async () => {
    const summary = JSON.stringify({ chunks, frames, bytes, maxPieces, waits, checksum: combined, left: pending.size });
    const body = Buffer.from(summary);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length);
    await new Memory(header, body).writeTo(socket); // one vectored write
    socket.end();
  });
}

// ---------------------------------------------------------------------------
// Client: send frames in random pieces, then read the summary
// ---------------------------------------------------------------------------

function encodeFrames() {
  const parts = [];
  let combined = FNV_START;
  for (let f = 0; f < FRAMES; f++) {
    const payload = Buffer.alloc(random(3000));
    for (let i = 0; i < payload.length; i++) payload[i] = random(256);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(payload.length);
    parts.push(header, payload);
    const hash = fnv1a(FNV_START, payload);
    combined = fnv1a(combined, [hash & 0xff, (hash >>> 8) & 0xff, (hash >>> 16) & 0xff, hash >>> 24]);
  }
  return { stream: Buffer.concat(parts), checksum: combined };
}

async function client(port) {
  const { stream, checksum } = encodeFrames();
  const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));

  const replies = new Memory();
  socket.on('data', (chunk) => replies.pushOne(chunk));
  const closed = new Promise((resolve, reject) => socket.once('end', resolve).once('error', reject));

  let writes = 0;
  for (let at = 0; at < stream.length; writes++) {
    const n = 1 + random(1500);
    const piece = stream.subarray(at, at + n);
    at += piece.length;
    await new Promise((resolve) => socket.write(piece, resolve));
    if (random(4) === 0) await new Promise((resolve) => setImmediate(resolve)); // let reads land in between
  }
  socket.end();
  await closed;

  const r = replies.reader();
  const summary = JSON.parse(r.readBytes(r.readUInt32BE()).toString());
  console.log(`client sent ${FRAMES} frames (${stream.length} bytes) in ${writes} writes`);
  console.log(`server received ${summary.bytes} bytes in ${summary.chunks} chunks, parsed ${summary.frames} frames`);
  console.log(`${summary.waits} times a frame was incomplete and waited for more data`);
  console.log(`largest frame arrived in ${summary.maxPieces} pieces; ${summary.left} bytes left unparsed`);
  const ok = summary.frames === FRAMES && summary.bytes === stream.length && summary.checksum === checksum
    && summary.left === 0;
  console.log(`checksums match: ${ok ? 'yes' : 'NO'}`);
  return ok;
}

async function main() {
  const server = net.createServer(serve);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const ok = await client(server.address().port);
    process.exitCode = ok ? 0 : 1;
  } finally {
    server.close();
    clearTimeout(deadline);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
