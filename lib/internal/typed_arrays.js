'use strict';
// A typed array of the same type, `length` long, starting with array's
// elements: how the pools' per-id and per-slot tables grow. It runs inside
// free() and put(), so it reads no property a caller can redefine (no
// `constructor`, no `set` looked up on the array): the type comes from the
// prototype, the copy from the %TypedArray%.prototype.set captured at load.

const {
  Float64Array, Int8Array, Int32Array, ObjectGetPrototypeOf, TypeError, Uint8Array, typedArraySet,
} = require('./intrinsics');

const TYPES = [Int8Array, Uint8Array, Int32Array, Float64Array]; // the types the pools' tables use

function grown(array, length) {
  const prototype = ObjectGetPrototypeOf(array);
  let Type = null;
  for (let i = 0; i < TYPES.length && Type === null; i++) if (TYPES[i].prototype === prototype) Type = TYPES[i];
  if (Type === null) throw new TypeError('grown() takes an Int8Array, Uint8Array, Int32Array or Float64Array');
  const next = new Type(length);
  typedArraySet(next, array);
  return next;
}

module.exports = { grown };
