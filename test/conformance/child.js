'use strict';
// Runs the Buffer API battery (battery.js) in its own process on buffers from
// one pool source (test/helpers/pools.js), named in argv[2]: for each
// placement, a pooled buffer and a Buffer.allocUnsafe buffer with the same
// bytes. Before each call it appends the call's name to the file named in
// argv[3], so the parent can name a call that hangs when it kills this
// process at its deadline.
// Prints {calls, placements, mismatches} as JSON.

const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { compare, steps } = require('./battery');
const { sources } = require('../helpers/pools');
const { seededRandom } = require('../helpers/random');

const L = 64;
const source = sources().find((s) => s.name === process.argv[2]);
if (source === undefined) throw new Error(`no source ${process.argv[2]}`);

function content(seed) {
  const bytes = Buffer.allocUnsafe(L);
  const random = seededRandom(seed);
  for (let i = 0; i < L; i++) bytes[i] = i % 5 === 0 ? 0x6f : random.int(256); // some 'o's to find
  bytes.write('hello', 20, 'latin1');
  return bytes;
}

const progressFd = fs.openSync(process.argv[3], 'w');
function progress(name) {
  fs.writeSync(progressFd, `${name}\n`);
}

// A socket on 127.0.0.1 receives exactly the bytes written from `buf`.
function socketEcho(buf) {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      const parts = [];
      socket.on('data', (d) => parts.push(d));
      socket.on('end', () => {
        socket.destroy();
        server.close();
        resolve(Buffer.concat(parts));
      });
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const client = net.connect(server.address().port, '127.0.0.1', () => client.end(buf));
      client.on('error', reject);
    });
  });
}

async function main() {
  const pool = source.open();
  const mismatches = [];
  let calls = 0;
  const placements = [];
  // Placements: the first buffer, then after small odd-sized buffers, so the
  // pool's rounding and alignment are exercised.
  const spacers = [];
  for (const before of [[], [1, 3, 5]]) {
    for (const n of before) spacers.push(pool.take(n));
    const pooled = pool.take(L);
    placements.push(pooled.byteOffset);
    const seed = placements.length;
    pooled.set(content(seed));
    const real = Buffer.allocUnsafe(L);
    real.set(pooled);
    for (const [name, op] of steps(L)) {
      progress(name);
      calls++;
      compare(mismatches, `${name} [placement ${placements.length}]`, pooled, real, op);
    }
    // fs: write from the pooled buffer, read back into it.
    progress('fs.writeSync / readSync');
    const file = path.join(os.tmpdir(), `poolmem-conformance-${process.pid}`);
    fs.writeFileSync(file, pooled);
    if (!fs.readFileSync(file).equals(real)) mismatches.push({ name: 'fs.writeFileSync wrote other bytes' });
    const fd = fs.openSync(file, 'r');
    pooled.fill(0);
    const n = fs.readSync(fd, pooled, 0, L, 0);
    fs.closeSync(fd);
    fs.unlinkSync(file);
    if (n !== L || !pooled.equals(real)) mismatches.push({ name: 'fs.readSync into the pooled buffer' });
    progress('socket write on 127.0.0.1');
    const received = await socketEcho(pooled);
    if (!received.equals(real)) mismatches.push({ name: 'socket write', got: received.toString('hex') });
    calls += 3;
    pool.give(pooled);
  }
  for (const s of spacers) pool.give(s);
  pool.close();
  fs.closeSync(progressFd);
  process.stdout.write(JSON.stringify({ calls, placements, mismatches: mismatches.slice(0, 20), total: mismatches.length }));
}

main().catch((err) => {
  process.stdout.write(JSON.stringify({ error: String(err.stack) }));
});
