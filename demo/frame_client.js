'use strict';
// The demo's TCP client: `connections` sockets, each keeping `window` frames
// of `size` payload bytes in flight for `durationMs`. Every request is
// distinct (connection, sequence number, random bytes), and every byte of
// every reply is compared with the request it answers: a reply that differs
// is a corrupted frame. Latency is per frame, from write to whole reply.

const net = require('node:net');
const { randomFillSync } = require('node:crypto');
const { FrameReader } = require('poolmem');

async function runFrameClient({ port, size, connections, window, durationMs }) {
  const latencies = [];
  let frames = 0;
  let corrupted = 0;
  const stopAt = performance.now() + durationMs;
  const started = performance.now();
  const runs = [];
  for (let c = 0; c < connections; c++) {
    runs.push(runConnection(c, { port, size, window, stopAt }, (ms, ok) => {
      latencies.push(ms);
      frames++;
      if (!ok) corrupted++;
    }));
  }
  await Promise.all(runs);
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    frames,
    corrupted,
    perSecond: frames / (elapsed / 1000),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
  };
}

function runConnection(id, { port, size, window, stopAt }, onFrame) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    const reader = new FrameReader({ maxFrameLength: size });
    const slots = [];
    for (let i = 0; i < window; i++) {
      const b = Buffer.allocUnsafe(4 + size);
      randomFillSync(b);
      b.writeUInt32BE(size, 0);
      slots.push({ request: b, sentAt: 0 });
    }
    const inFlight = []; // slots in send order
    let seq = 0;
    let stopping = false;
    const send = (slot) => {
      slot.request.writeUInt32BE(id, 4);
      if (size >= 8) slot.request.writeUInt32BE(seq++ >>> 0, 8);
      slot.sentAt = performance.now();
      inFlight.push(slot);
      socket.write(slot.request);
    };
    socket.on('connect', () => {
      for (const slot of slots) send(slot);
    });
    socket.on('data', (chunk) => {
      reader.push(chunk);
      let reply;
      while ((reply = reader.next()) !== null) {
        const slot = inFlight.shift();
        const ok = reply.length === size && reply.equals(slot.request.subarray(4));
        onFrame(performance.now() - slot.sentAt, ok);
        if (performance.now() < stopAt) send(slot);
        else stopping = true;
      }
      if (stopping && inFlight.length === 0) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', resolve);
  });
}

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

module.exports = { runFrameClient, quantile };
