'use strict';
// The servers demo end to end, short: both servers, plain and pooled, one
// frame size; it exits 0 only with no corrupted frame or body and every pool
// back to 0 slots in use.

const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { childEnv } = require('./helpers/child_env');

test('npm run demo -- --quick --sizes 2048 exits 0 with nothing corrupted or left in use', () => {
  const result = spawnSync(process.execPath, [path.join(__dirname, '..', 'demo', 'run.js'), '--quick', '--duration', '200', '--sizes', '2048'], {
    encoding: 'utf8',
    env: childEnv(),
    timeout: 60000,
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/TCP frames of 2048 B/);
  expect(result.stdout).toMatch(/HTTP bodies of 2048 B/);
  expect(result.stdout).toMatch(/no corrupted frame or body; every pool back to 0 in use/);
});
