'use strict';
// The demo's HTTP load: autocannon for throughput and latency, and beside it
// a checking client that asks for bodies by id and compares every byte with
// what the server must have sent (demo/body.js).

const http = require('node:http');
const autocannon = require('autocannon');
const { bodyInto, makeTemplate } = require('./body');

async function runHttpClient({ port, size, connections, durationMs }) {
  const stopAt = performance.now() + durationMs;
  const checking = checkBodies(port, size, stopAt);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/`,
    connections,
    duration: durationMs / 1000,
  });
  const check = await checking;
  return {
    frames: result.requests.total + check.checked,
    corrupted: check.corrupted + result.errors + result.non2xx,
    perSecond: result.requests.total / (durationMs / 1000),
    p50: result.latency.p50,
    p99: result.latency.p99,
    checked: check.checked,
  };
}

async function checkBodies(port, size, stopAt) {
  const template = makeTemplate(size);
  const expected = Buffer.allocUnsafe(size);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let checked = 0;
  let corrupted = 0;
  for (let id = 1; performance.now() < stopAt; id++) {
    const body = await get(agent, port, `/?id=${id}`);
    bodyInto(expected, template, id);
    checked++;
    if (body === null || !body.equals(expected)) corrupted++;
  }
  agent.destroy();
  return { checked, corrupted };
}

function get(agent, port, path) {
  return new Promise((resolve) => {
    http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', () => resolve(null));
    }).on('error', () => resolve(null));
  });
}

module.exports = { runHttpClient };
