'use strict';
// npm run demo: a length-prefixed TCP frame server and an HTTP server, each
// run plain and pooled in a child process of its own on 127.0.0.1, driven by
// real clients from this process (every byte of every reply checked), three
// alternating repetitions per frame size, one table per size. Exits 1 if any
// frame or body was corrupted or a pool did not get all its memory back.
//
//   npm run demo -- [--quick] [--duration ms] [--reps n] [--node path]
//                   [--sizes 256,2048,...] [--only tcp|http]
// POOLMEM_DEMO_MS sets the duration per run too (default 2000 ms; --quick:
// 300 ms and one repetition).

const { fork } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { runFrameClient } = require('./frame_client');
const { runHttpClient } = require('./http_client');
const { table } = require('./report');

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    duration: { type: 'string' },
    reps: { type: 'string' },
    node: { type: 'string' },
    sizes: { type: 'string' },
    only: { type: 'string' },
  },
});

const durationMs = Number(args.duration ?? process.env.POOLMEM_DEMO_MS ?? (args.quick ? 300 : 2000));
const reps = Number(args.reps ?? (args.quick ? 1 : 3));
const nodePath = args.node ?? process.execPath;
const sizes = (args.sizes ?? '256,2048,16384,262144').split(',').map(Number);
const protocols = args.only ? [args.only] : ['tcp', 'http'];
if (!(durationMs > 0) || !(reps >= 1) || sizes.some((s) => !(s >= 8)) || protocols.some((p) => p !== 'tcp' && p !== 'http')) {
  console.error('usage: npm run demo -- [--quick] [--duration ms] [--reps n] [--node path] [--sizes 256,...] [--only tcp|http]');
  process.exit(2);
}

// TCP: frames in flight per connection, fewer for large frames.
const windowFor = (size) => (size <= 256 ? 16 : size <= 2048 ? 8 : size <= 16384 ? 4 : 2);

function startServer(script, argv) {
  const child = fork(path.join(__dirname, script), argv, { execPath: nodePath, execArgv: [], stdio: 'inherit' });
  const next = (type) => new Promise((resolve, reject) => {
    const onMessage = (msg) => {
      if (msg.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(msg);
    };
    const onExit = (code) => reject(new Error(`${script} exited with ${code} before '${type}'`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
  return { child, next };
}

async function runOnce(protocol, mode, size) {
  const lifetime = String(durationMs + 60_000);
  const { child, next } = protocol === 'tcp'
    ? startServer('frame_server.js', [mode, lifetime])
    : startServer('http_server.js', [mode, String(size), lifetime]);
  const { port } = await next('ready');
  child.send({ type: 'start' });
  await next('started');
  const client = protocol === 'tcp'
    ? await runFrameClient({ port, size, connections: 4, window: windowFor(size), durationMs })
    : await runHttpClient({ port, size, connections: size >= 262144 ? 4 : 8, durationMs });
  child.send({ type: 'stop' });
  const server = await next('stats');
  await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
  return { ...client, ...server };
}

async function main() {
  const started = Date.now();
  const version = await new Promise((resolve) => {
    const c = fork('-p', ['process.version'], { execPath: nodePath, execArgv: ['-p', 'process.version'], stdio: 'pipe' });
    let out = '';
    c.stdout.on('data', (d) => { out += d; });
    c.on('exit', () => resolve(out.trim()));
  });
  console.log(`poolmem demo: ${new Date().toISOString()}, server node ${version}, client node ${process.version}, ` +
    `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), loadavg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`${durationMs} ms per run, ${reps} alternating repetition(s) per variant; ratios are pooled / plain of the medians.`);
  let failed = false;
  for (const protocol of protocols) {
    for (const size of sizes) {
      const runs = { plain: [], pooled: [] };
      for (let rep = 0; rep < reps; rep++) {
        const order = rep % 2 === 0 ? ['plain', 'pooled'] : ['pooled', 'plain'];
        for (const mode of order) runs[mode].push(await runOnce(protocol, mode, size));
      }
      const title = protocol === 'tcp' ? `TCP frames of ${size} B` : `HTTP bodies of ${size} B`;
      console.log(`\n${table(title, runs)}`);
      for (const r of [...runs.plain, ...runs.pooled]) {
        if (r.corrupted !== 0 || (r.pool !== null && r.pool.inUse !== 0)) failed = true;
      }
    }
  }
  console.log(`\ndemo took ${((Date.now() - started) / 1000).toFixed(1)} s; ${failed ? 'FAILED: corrupted data or memory not given back' : 'no corrupted frame or body; every pool back to 0 in use'}`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
