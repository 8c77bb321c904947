'use strict';
// Argument validation with Node's signatures and order: type, then integer,
// then range. Each validator throws a coded error; the `is*` predicates are
// the allocation-free fast checks hot paths run before calling a validator.
// Nothing here reads a property of the value it checks except on the error
// path (describing what was received), so validation runs no caller code.

const {
  ArrayIsArray, ArrayPrototypeIncludes, ArrayPrototypeJoin, MathFloor, NumberIsInteger, ObjectFreeze, isUint8Array, ownArray,
} = require('./intrinsics');
const { codes } = require('./errors');

const { ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE } = codes;
const MAX_SAFE_INTEGER = 2 ** 53 - 1;
const MIN_SAFE_INTEGER = -MAX_SAFE_INTEGER;

function isSize(value, max) {
  return typeof value === 'number' && value >= 0 && value <= max && MathFloor(value) === value;
}

function validateInteger(value, name, min = MIN_SAFE_INTEGER, max = MAX_SAFE_INTEGER) {
  if (typeof value !== 'number') throw ERR_INVALID_ARG_TYPE(name, 'of type number', value);
  if (!NumberIsInteger(value)) throw ERR_OUT_OF_RANGE(name, 'an integer', value);
  if (value < min || value > max) throw ERR_OUT_OF_RANGE(name, `>= ${min} && <= ${max}`, value);
  return value;
}

function validateBoolean(value, name) {
  if (typeof value !== 'boolean') throw ERR_INVALID_ARG_TYPE(name, 'of type boolean', value);
  return value;
}

function validateFunction(value, name) {
  if (typeof value !== 'function') throw ERR_INVALID_ARG_TYPE(name, 'of type function', value);
  return value;
}

function validateObject(value, name) {
  if (value === null || typeof value !== 'object' || ArrayIsArray(value)) {
    throw ERR_INVALID_ARG_TYPE(name, 'of type object', value);
  }
  return value;
}

// undefined means "no options"; anything else must be a plain object.
const kNoOptions = ObjectFreeze({ __proto__: null }); // options left out: no option is read from Object.prototype
function validateOptions(value, name = 'options') {
  return value === undefined ? kNoOptions : validateObject(value, name);
}

function validateBuffer(value, name) {
  if (!isUint8Array(value)) throw ERR_INVALID_ARG_TYPE(name, 'an instance of Buffer or Uint8Array', value);
  return value;
}

function validateOneOf(value, name, oneOf) {
  if (!ArrayPrototypeIncludes(oneOf, value)) {
    const shown = ownArray();
    for (let i = 0; i < oneOf.length; i++) shown[i] = typeof oneOf[i] === 'string' ? `'${oneOf[i]}'` : `${oneOf[i]}`;
    const allowed = ArrayPrototypeJoin(shown, ', ');
    throw ERR_INVALID_ARG_VALUE(name, value, `must be one of: ${allowed}`);
  }
  return value;
}

module.exports = {
  isSize,
  isUint8Array,
  validateBoolean,
  validateBuffer,
  validateFunction,
  validateInteger,
  validateObject,
  validateOneOf,
  validateOptions,
};
