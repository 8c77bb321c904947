'use strict';
// What every pool's safe mode shares: the `safe` option (default from
// POOLMEM_SAFE=1) and the byte free() writes over freed memory, named once
// in native code (native/addon/safe_poison.h). docs/design.md, Safe mode.

const { ObjectHasOwn } = require('./intrinsics');
const { SAFE_POISON } = require('./native_contract');
const { validateBoolean } = require('./validators');

// options.safe, or POOLMEM_SAFE=1 when it is left out.
function parseSafe(opts) {
  return opts.safe === undefined ? safeByEnvironment() : validateBoolean(opts.safe, 'options.safe');
}

// POOLMEM_SAFE=1 in this thread's environment. An own variable only: a
// missing one is not looked up on Object.prototype, where a caller's accessor
// of that name would answer.
function safeByEnvironment() {
  const env = process.env;
  return ObjectHasOwn(env, 'POOLMEM_SAFE') && env.POOLMEM_SAFE === '1';
}

module.exports = { SAFE_POISON, parseSafe };
