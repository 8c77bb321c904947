'use strict';
// Conformance: buffers from every pool, strategy and mode behave exactly as
// Buffer.allocUnsafe's do across the Buffer API (battery.js), at several
// placements in the pool. Each source runs in a child process with a
// deadline, because a call that spins (Node's UTF-16 search on an odd
// address did) cannot be interrupted in the thread running it; the child
// names the call it was in when the deadline passed.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { sources } = require('../helpers/pools');

const CHILD = path.join(__dirname, 'child.js');
const DEADLINE_MS = 30000; // generous: the suite shares the machine with Jest's other workers

// Under `npm run test:asan` LeakSanitizer reports V8's own heap at a child's
// exit now and then (Node does not free it all); the child checks the API, not leaks.
const env = { ...process.env, POOLMEM_SAFE: '' };
if (env.POOLMEM_UNDER_ASAN) env.ASAN_OPTIONS = `${env.ASAN_OPTIONS}:detect_leaks=0`;

describe.each(sources().map((s) => [s.name, s]))('%s', (name, source) => {
  test('every Buffer API call matches Buffer.allocUnsafe with the same bytes', () => {
    const progress = path.join(os.tmpdir(), `poolmem-conformance-${process.pid}-${name.replace(/\W/g, '_')}`);
    const r = spawnSync(process.execPath, [CHILD, name, progress], {
      encoding: 'utf8',
      timeout: DEADLINE_MS,
      killSignal: 'SIGKILL',
      maxBuffer: 64 * 1024 * 1024,
      env,
    });
    const last = fs.readFileSync(progress, 'utf8').trimEnd().split('\n').pop();
    fs.unlinkSync(progress);
    if (r.signal !== null || r.status !== 0) {
      throw new Error(`the child ${r.signal ? `was killed at its deadline (${r.signal})` : `exited with ${r.status}`} during: ${last}\n${r.stderr}`);
    }
    const result = JSON.parse(r.stdout);
    expect(result.error).toBeUndefined();
    expect(result.calls).toBeGreaterThan(1000);
    for (const offset of result.placements) expect(offset % source.align).toBe(0);
    expect(result.mismatches).toEqual([]);
  });
});
