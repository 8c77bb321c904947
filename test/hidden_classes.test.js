'use strict';
// Properties of V8's hidden classes (maps) that the hot paths depend on,
// checked in child processes started with V8 flags:
// - every prototype-less list (ownArray() in lib/internal/intrinsics.js)
//   reaches the same map when it grows the same way, whether it was made first
//   in the process or after thousands of others: a list on a second map for the
//   same contents deoptimizes the code that reads it ("wrong map").

const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { childEnv, childNode } = require('./helpers/child_env');

function runFixture(flag, name) {
  const [command, ...leading] = childNode();
  const r = spawnSync(command, [...leading, flag, path.join(__dirname, 'fixtures', name)],
    { encoding: 'utf8', env: childEnv(), timeout: 60000, maxBuffer: 64 * 1024 * 1024 });
  expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
  return r.stdout;
}

test('lists made early and late in a process share one map per shape', () => {
  const sameMap = JSON.parse(runFixture('--allow-natives-syntax', 'list_maps.js'));
  expect(sameMap).toEqual({ objects: true, numbers: true, doubles: true, mixed: true, memory: true });
});
