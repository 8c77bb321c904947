'use strict';
// The environment for a child process a test starts. Under `npm run test:asan`
// (which sets POOLMEM_UNDER_ASAN) LeakSanitizer's exit report is turned off for
// it: at a child's exit it reports V8's and Node's own heap, not poolmem's.
// childNode(): the command that runs a child Node.js, this one unless
// POOLMEM_CHILD_NODE (a JSON array: command and leading arguments) says
// otherwise; the package check sets it to qemu-user plus the arm64 node.
// runChildNode(args): runs that Node.js with args, expects a clean exit (status
// 0, no signal, nothing on stderr) and returns what it wrote to stdout.

const { spawnSync } = require('node:child_process');

function childEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  if (env.POOLMEM_UNDER_ASAN) env.ASAN_OPTIONS = `${env.ASAN_OPTIONS || ''}:detect_leaks=0`;
  return env;
}

// [command, ...leading arguments] for spawnSync(command, [...leading, ...args]).
function childNode() {
  const wrapped = process.env.POOLMEM_CHILD_NODE;
  return wrapped ? JSON.parse(wrapped) : [process.execPath];
}

function runChildNode(args, { timeout = 60000, maxBuffer = undefined } = {}) {
  const [command, ...leading] = childNode();
  const r = spawnSync(command, [...leading, ...args], { encoding: 'utf8', env: childEnv(), timeout, maxBuffer });
  expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
  return r.stdout;
}

module.exports = { childEnv, childNode, runChildNode };
