'use strict';
// The environment for a child process a test starts. Under `npm run test:asan`
// (which sets POOLMEM_UNDER_ASAN) LeakSanitizer's exit report is turned off for
// it: at a child's exit it reports V8's and Node's own heap, not poolmem's.

function childEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  if (env.POOLMEM_UNDER_ASAN) env.ASAN_OPTIONS = `${env.ASAN_OPTIONS || ''}:detect_leaks=0`;
  return env;
}

module.exports = { childEnv };
