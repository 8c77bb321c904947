'use strict';
// The one registry of poolmem's errors: a factory per code, alphabetical.
// Messages copy Node's wording. Every error's stack starts at the caller's
// frame: leading frames inside lib/ are dropped (Node's hideStackFrames idea).

const { inspect } = require('node:util');
const path = require('node:path');
const {
  ArrayPrototypeJoin, ArrayPrototypeSlice, Error, ErrorCaptureStackTrace, MathAbs, NumberIsInteger, ownArray,
  ObjectDefineProperty, RangeError, RegExpPrototypeExec, StringPrototypeIncludes, StringPrototypeSlice,
  StringPrototypeSplit, StringPrototypeStartsWith, TypeError,
} = require('./intrinsics');

const LIB_DIR = path.dirname(__dirname) + path.sep; // lib/, public classes and internal/

class PoolError extends Error {
  code; // a field: defined, never assigned through a caller's accessor on Object.prototype

  constructor(code, message) {
    super(message);
    this.code = code;
  }

  get name() {
    return 'PoolError';
  }
}

function addNumericalSeparator(value) {
  let res = '';
  let i = value.length;
  const start = value[0] === '-' ? 1 : 0;
  for (; i >= start + 4; i -= 3) res = `_${StringPrototypeSlice(value, i - 3, i)}${res}`;
  return `${StringPrototypeSlice(value, 0, i)}${res}`;
}

function describeReceived(value) {
  if (value == null) return ` Received ${value}`;
  if (typeof value === 'function') return ` Received function ${value.name}`;
  if (typeof value === 'object') {
    if (value.constructor?.name) return ` Received an instance of ${value.constructor.name}`;
    return ` Received ${inspect(value, { depth: -1 })}`;
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = `${StringPrototypeSlice(shown, 0, 25)}...`;
  return ` Received type ${typeof value} (${shown})`;
}

function describeNumber(value) {
  if (typeof value === 'number' && NumberIsInteger(value) && MathAbs(value) > 2 ** 32) {
    return addNumericalSeparator(`${value}`);
  }
  if (typeof value === 'bigint') return `${addNumericalSeparator(`${value}`)}n`;
  return inspect(value);
}

// Node's wording for ERR_INVALID_RETURN_VALUE: "type string", "null", ...
function describeReturned(value) {
  if (value === null) return 'null';
  if (typeof value === 'object' || typeof value === 'function') return `an instance of ${value.constructor?.name ?? 'Object'}`;
  return `type ${typeof value}`;
}

// Drops the leading stack frames that are inside lib/ so the first frame is
// the user's call. Runs only on the error path, after the operation decided
// to change nothing; reading the stack runs Error.prepareStackTrace, as for
// any error Node makes.
function trimStack(err) {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = limit + 10;
  ErrorCaptureStackTrace(err);
  Error.stackTraceLimit = limit;
  const lines = StringPrototypeSplit(`${err.stack}`, '\n');
  let first = 1;
  while (first < lines.length && RegExpPrototypeExec(/^\s+at /, lines[first]) === null) first++;
  let user = first;
  while (user < lines.length && StringPrototypeIncludes(lines[user], LIB_DIR)) user++;
  const kept = ownArray();
  for (let i = 0; i < first; i++) kept[i] = lines[i];
  for (let i = user; i < lines.length && i < user + limit; i++) kept[kept.length] = lines[i];
  err.stack = ArrayPrototypeJoin(kept, '\n');
  return err;
}

// The caller's stack frames as text (frames inside lib/ dropped), for leak
// reports in leakDetection: 'paranoid'.
function callerStack() {
  const holder = {};
  trimStack(holder);
  return stackFrames(holder);
}

// The frames of a captured stack (holder.stack without its first line), as text.
function stackFrames(holder) {
  return ArrayPrototypeJoin(ArrayPrototypeSlice(StringPrototypeSplit(`${holder.stack}`, '\n'), 1), '\n');
}

function make(Base, code, message) {
  const err = Base === PoolError ? new PoolError(code, message) : new Base(message);
  if (Base !== PoolError) {
    ObjectDefineProperty(err, 'code', { value: code, enumerable: true, writable: true, configurable: true });
  }
  // Node shows "TypeError [ERR_X]: message" in the stack.
  const name = Base === PoolError ? 'PoolError' : Base === TypeError ? 'TypeError' : Base === RangeError ? 'RangeError' : 'Error';
  ObjectDefineProperty(err, 'name', { value: `${name} [${code}]`, configurable: true, writable: true });
  trimStack(err);
  delete err.name;
  return err;
}

const codes = {
  ERR_BUFFER_OUT_OF_BOUNDS: (name) =>
    make(RangeError, 'ERR_BUFFER_OUT_OF_BOUNDS',
      name ? `"${name}" is outside of buffer bounds` : 'Attempt to access memory outside buffer bounds'),
  ERR_ILLEGAL_CONSTRUCTOR: () => make(TypeError, 'ERR_ILLEGAL_CONSTRUCTOR', 'Illegal constructor'),
  ERR_INVALID_ARG_TYPE: (name, expected, actual) =>
    make(TypeError, 'ERR_INVALID_ARG_TYPE', `The "${name}" argument must be ${expected}.${describeReceived(actual)}`),
  ERR_INVALID_ARG_VALUE: (name, value, reason = 'is invalid') =>
    make(TypeError, 'ERR_INVALID_ARG_VALUE', `The argument '${name}' ${reason}. Received ${inspect(value)}`),
  ERR_INVALID_RETURN_VALUE: (input, name, value) =>
    make(TypeError, 'ERR_INVALID_RETURN_VALUE',
      `Expected ${input} to be returned from the "${name}" function but got ${describeReturned(value)}.`),
  ERR_INVALID_STATE: (message) => make(Error, 'ERR_INVALID_STATE', `Invalid state: ${message}`),
  ERR_INVALID_THIS: (type) => make(TypeError, 'ERR_INVALID_THIS', `Value of "this" must be of type ${type}`),
  ERR_OUT_OF_RANGE: (name, range, value) =>
    make(RangeError, 'ERR_OUT_OF_RANGE',
      `The value of "${name}" is out of range. It must be ${range}. Received ${describeNumber(value)}`),
  ERR_POOLMEM_CLOSED: (what) => make(PoolError, 'ERR_POOLMEM_CLOSED', `The ${what} is closed`),
  ERR_POOLMEM_DOUBLE_FREE: (detail) =>
    make(PoolError, 'ERR_POOLMEM_DOUBLE_FREE', `Memory is already free: ${detail}`),
  ERR_POOLMEM_FOREIGN_BUFFER: (what, thing = 'buffer') =>
    make(PoolError, 'ERR_POOLMEM_FOREIGN_BUFFER', `The ${thing} was not handed out by this ${what}`),
  ERR_POOLMEM_INVALID_LEB128: (reason) => make(RangeError, 'ERR_POOLMEM_INVALID_LEB128', `Invalid LEB128: ${reason}`),
  ERR_POOLMEM_NO_BINARY: (message) => make(PoolError, 'ERR_POOLMEM_NO_BINARY', message),
  ERR_POOLMEM_OUT_OF_MEMORY: (detail) =>
    make(PoolError, 'ERR_POOLMEM_OUT_OF_MEMORY', `Out of memory: ${detail}`),
  ERR_POOLMEM_REFCOUNT: (detail) => make(PoolError, 'ERR_POOLMEM_REFCOUNT', `Invalid reference count: ${detail}`),
};

// The addon throws plain coded errors; give pool codes the PoolError class.
function fromNative(err) {
  if (err && typeof err.code === 'string' && StringPrototypeStartsWith(err.code, 'ERR_POOLMEM_') && !(err instanceof PoolError)) {
    return make(PoolError, err.code, err.message);
  }
  return err;
}

// The arrays a hot path shares with native code were detached (transferred
// away): native code would read stale numbers, so the call stops here. Each
// hot path reads back a slot it wrote before calling native code.
function scratchDetached() {
  return codes.ERR_INVALID_STATE('the memory poolmem shares with its native code was detached');
}

module.exports = { PoolError, callerStack, codes, fromNative, scratchDetached, stackFrames };
