'use strict';
// Node's --zero-fill-buffers: while it is set, Buffer.allocUnsafe zero-fills,
// and so does every pool here. No public API reports it, so it is read once at
// load the way Node reads it (NODE_OPTIONS, then the command line; the last
// setting wins; `_` for `-`; --no- unsets it), and hot paths test a constant.
// A worker started with its own execArgv is judged by that.

const FLAG = '--zero-fill-buffers';
const NEGATED = '--no-zero-fill-buffers';

// The setting after `args`, starting from `current`.
function settingAfter(args, current) {
  for (const arg of args) {
    if (typeof arg !== 'string' || !arg.startsWith('--')) continue;
    const name = '--' + arg.slice(2).replace(/_/g, '-');
    if (name === FLAG) current = true;
    else if (name === NEGATED) current = false;
  }
  return current;
}

const nodeOptions = typeof process.env.NODE_OPTIONS === 'string' ? process.env.NODE_OPTIONS.split(/\s+/) : [];
const ZERO_FILL = settingAfter(process.execArgv, settingAfter(nodeOptions, false));

const { typedArrayFill } = require('./intrinsics');

// Zeroes a buffer just handed out; callers test ZERO_FILL first.
function zeroFill(buf) {
  typedArrayFill(buf, 0);
  return buf;
}

module.exports = { ZERO_FILL, zeroFill };
