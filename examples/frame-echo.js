'use strict';
// A length-prefixed echo over TCP with pooled memory on both sides and no
// lifetime to get wrong. The server parses 'data' chunks in place with
// FrameReader (net.createServer ignores `onread`) and writes each batch of
// replies from one BytePool buffer with writeAndFree. The client reads
// straight into pooled buffers with PooledOnread (a client socket), parses
// the replies with FrameReader and checks every byte against what it sent.
// Frames of 0 to 100 KiB, so many span reads. 127.0.0.1, exits by itself.
//
//   node examples/frame-echo.js [frames]

const net = require('node:net');
const { randomFillSync } = require('node:crypto');
const { BytePool, FrameReader, PooledOnread, writeAndFree } = require('poolmem');

const FRAMES = Number(process.argv[2] ?? 500);
if (!Number.isSafeInteger(FRAMES) || FRAMES < 1) {
  console.error('usage: node examples/frame-echo.js [frames]');
  process.exit(2);
}
const deadline = setTimeout(() => {
  console.error('frame-echo: timed out');
  process.exit(1);
}, 20_000);
const pool = new BytePool(BytePool.powerOfTwo(), { maxSize: 64 * 1024 * 1024 });

// ---- server: parse in place, reply from pooled memory -------------------------

function serve(socket) {
  const frames = new FrameReader({ pool });
  socket.on('data', (chunk) => {
    frames.push(chunk); // lent: the reader keeps no reference once it reports the chunk used up
    while (frames.advance()) {
      const length = frames.end - frames.start;
      const reply = pool.get(4 + length);
      reply.writeUInt32BE(length, 0);
      frames.source.copy(reply, 4, frames.start, frames.end);
      writeAndFree(socket, reply, pool); // back to the pool once the socket is done with it
    }
  });
  socket.on('end', () => socket.end());
  socket.on('close', () => frames.close());
}

// ---- client: read into pooled memory, check every reply -------------------------

function talk(port) {
  const sent = [];
  for (let f = 0; f < FRAMES; f++) {
    const payload = randomFillSync(Buffer.allocUnsafe(Math.floor(Math.random() * 100 * 1024)));
    const header = Buffer.alloc(4);
    header.writeUInt32BE(payload.length);
    sent.push(header, payload);
  }
  let next = 0;
  let matched = 0;
  const replies = new FrameReader({ pool });
  const onread = new PooledOnread(pool, (nread, buf) => {
    replies.push(buf, nread);
    let reply;
    while ((reply = replies.next()) !== null) {
      if (reply.equals(sent[2 * next + 1])) matched++;
      next++;
    }
  }); // each read buffer goes back to the pool when this callback returns
  const socket = net.connect({ host: '127.0.0.1', port, onread });
  onread.watch(socket);
  socket.on('connect', () => {
    for (const part of sent) socket.write(part);
    socket.end();
  });
  return new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', () => {
      replies.close();
      resolve({ matched, received: next, reads: onread.reads, fallbacks: onread.fallbacks, split: replies.assembled });
    });
  });
}

async function main() {
  const server = net.createServer(serve);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const r = await talk(server.address().port);
    await new Promise((resolve) => setImmediate(resolve)); // let the server's 'close' run
    const s = pool.stats();
    const inUse = Object.values(s.tiers).reduce((n, t) => n + t.inUse, 0);
    console.log(`client sent ${FRAMES} frames and got ${r.received} replies in ${r.reads} pooled reads`
      + ` (${r.split} replies spanned reads; ${r.fallbacks} unpooled fallbacks)`);
    console.log(`replies match: ${r.matched === FRAMES ? 'yes' : `NO (${FRAMES - r.matched} differ)`}`);
    console.log(`pool: ${s.totalGet} gets, ${s.totalPut} puts, ${inUse} in use at the end`);
    process.exitCode = r.matched === FRAMES && inUse === 0 ? 0 : 1;
  } finally {
    server.close();
    clearTimeout(deadline);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
