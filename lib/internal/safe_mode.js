'use strict';
// What every pool's safe mode shares: the `safe` option (default from
// POOLMEM_SAFE=1) and the byte free() writes over freed memory, named once
// in native code (native/addon/safe_poison.h). docs/design.md, Safe mode.

const { SAFE_POISON } = require('./native_contract');
const { validateBoolean } = require('./validators');

// options.safe, or POOLMEM_SAFE=1 when it is left out.
function parseSafe(opts) {
  return opts.safe === undefined ? process.env.POOLMEM_SAFE === '1' : validateBoolean(opts.safe, 'options.safe');
}

module.exports = { SAFE_POISON, parseSafe };
