'use strict';
// The demo's HTTP server: every response is a body of `size` bytes built per
// request: a slice of a fixed random template chosen by the request id, with
// the id in its first 8 bytes, so a body sent from freed-and-reused memory
// shows up as another request's bytes. `GET /?id=N` asks for id N (the
// checking client); any other path gets the next server-side id.
// plain: Buffer.allocUnsafe + res.end(body). pooled: BytePool memory +
// endAndFree (given back on 'finish', or on 'close' without 'finish').
// Run by demo/run.js: node demo/http_server.js plain|pooled size

const http = require('node:http');
const { BytePool, endAndFree } = require('poolmem');
const { poolSummary, startProbe } = require('./probe');
const { bodyInto, makeTemplate } = require('./body');

const mode = process.argv[2];
const size = Number(process.argv[3]);
const lifetimeMs = Number(process.argv[4] ?? 120_000);
const template = makeTemplate(size);
const pool = mode === 'pooled' ? new BytePool(BytePool.powerOfTwo(), { maxSize: 512 * 1024 * 1024 }) : null;
let served = 0;
let fallbacks = 0;
let nextId = 1e9;

function requestId(url) {
  return url.length > 5 && url.startsWith('/?id=') ? Number(url.slice(5)) : nextId++;
}

function plain(req, res) {
  const body = Buffer.allocUnsafe(size);
  bodyInto(body, template, requestId(req.url));
  res.end(body);
  served++;
}

function pooled(req, res) {
  let body = null;
  try {
    body = pool.get(size);
  } catch {
    body = null; // pool full (maxSize)
  }
  if (body === null) {
    fallbacks++;
    body = Buffer.allocUnsafe(size);
    bodyInto(body, template, requestId(req.url));
    res.end(body);
  } else {
    bodyInto(body, template, requestId(req.url));
    endAndFree(res, body, pool);
  }
  served++;
}

const server = http.createServer({ keepAliveTimeout: 2000 }, mode === 'pooled' ? pooled : plain);
server.listen(0, '127.0.0.1', () => {
  startProbe(server, {
    lifetimeMs,
    report: () => ({ served, fallbacks, pool: pool === null ? null : poolSummary(pool) }),
  });
  process.send({ type: 'ready', port: server.address().port });
});
