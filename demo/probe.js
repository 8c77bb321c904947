'use strict';
// Measurement inside a demo server process, driven by its parent over IPC:
// 'start' takes a baseline, 'stop' reports CPU time (process.cpuUsage), GC
// count and pause, and JS heap allocated (v8.GCProfiler: the heap growth
// between collections plus since the last one), RSS at the start (the idle
// server, before the first request), peak and final RSS, and what
// the server adds (frames served, pool stats). The process exits by itself
// after `lifetimeMs` whatever happens.

const v8 = require('node:v8');

function startProbe(server, { lifetimeMs, report }) {
  const guard = setTimeout(() => process.exit(3), lifetimeMs);
  guard.unref();
  let baseline = null;
  let profiler = null;
  let peakRss = 0;
  let startRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 50);
  sampler.unref();

  process.on('message', (msg) => {
    if (msg.type === 'start') {
      startRss = process.memoryUsage.rss();
      peakRss = startRss;
      profiler = new v8.GCProfiler();
      profiler.start();
      baseline = { cpu: process.cpuUsage(), heap: v8.getHeapStatistics().used_heap_size };
      process.send({ type: 'started' });
    } else if (msg.type === 'stop') {
      waitForIdle(server, 3000).then(() => {
        const heapNow = v8.getHeapStatistics().used_heap_size;
        const { statistics } = profiler.stop();
        const cpu = process.cpuUsage(baseline.cpu);
        const rss = process.memoryUsage.rss();
        peakRss = Math.max(peakRss, rss);
        const gc = gcTotals(statistics, baseline.heap, heapNow);
        process.send({
          type: 'stats',
          cpuMicros: cpu.user + cpu.system,
          gcs: gc.count,
          gcPauseMicros: gc.pauseMicros,
          heapAllocated: gc.allocated,
          startRss,
          peakRss,
          finalRss: rss,
          ...report(),
        });
        server.close();
        setImmediate(() => process.exit(0));
      });
    }
  });
}

// Heap allocated = growth up to each collection, plus growth since the last.
function gcTotals(statistics, startUsed, endUsed) {
  let allocated = 0;
  let pause = 0;
  let used = startUsed;
  for (const s of statistics) {
    allocated += Math.max(0, s.beforeGC.heapStatistics.usedHeapSize - used);
    used = s.afterGC.heapStatistics.usedHeapSize;
    pause += s.cost;
  }
  allocated += Math.max(0, endUsed - used);
  return { count: statistics.length, pauseMicros: pause, allocated };
}

// Resolves once the server has no open connection (or after maxMs).
function waitForIdle(server, maxMs) {
  const until = Date.now() + maxMs;
  return new Promise((resolve) => {
    const check = () => {
      server.getConnections((err, n) => {
        if (err || n === 0 || Date.now() > until) setImmediate(resolve);
        else setTimeout(check, 10);
      });
    };
    check();
  });
}

// What the report shows of a BytePool at the end: slots still in use, gets, puts, bytes reserved.
function poolSummary(p) {
  const s = p.stats();
  let inUse = 0;
  for (const t of Object.values(s.tiers)) inUse += t.inUse;
  return { inUse, totalGet: s.totalGet, totalPut: s.totalPut, reservedSize: s.reservedSize };
}

module.exports = { poolSummary, startProbe };
