'use strict';
// Built-ins captured when poolmem loads, so that reading a caller's view runs
// no caller code: a Uint8Array subclass (or an own property, or a patched
// prototype) can override `buffer`, `byteOffset` and `length` with getters
// that re-enter a pool or return strings. The %TypedArray%.prototype getters
// read the view's internal slots instead, and always return a real
// ArrayBuffer and integers (0 for a detached view).

const { Buffer } = require('node:buffer');
const { isUint8Array } = require('node:util').types; // reads an internal slot: false for a Proxy

// Buffer's realm: under Jest's vm contexts the test realm's Uint8Array is another object.
const RealmUint8Array = Object.getPrototypeOf(Buffer.prototype).constructor;
const TypedArrayPrototype = Object.getPrototypeOf(RealmUint8Array.prototype);
const RealmArrayBuffer = Object.getPrototypeOf(new RealmUint8Array(0).buffer).constructor;

// fn(thisArg, ...args) from a method, immune to later changes of Function.prototype.call.
const uncurryThis = Function.prototype.bind.bind(Function.prototype.call);

function getter(prototype, name) {
  return uncurryThis(Object.getOwnPropertyDescriptor(prototype, name).get);
}

const typedArrayBuffer = getter(TypedArrayPrototype, 'buffer');
const typedArrayByteOffset = getter(TypedArrayPrototype, 'byteOffset');
const typedArrayByteLength = getter(TypedArrayPrototype, 'byteLength');
const arrayBufferByteLength = getter(RealmArrayBuffer.prototype, 'byteLength');

// viewBuffer(view): the ArrayBuffer (or SharedArrayBuffer) a typed array views.
// viewByteOffset(view), viewByteLength(view): integers, 0 once detached (a
// Uint8Array's byteLength is its length). Exported as the uncurried getters
// themselves: no wrapper call on the hot paths.
const viewBuffer = typedArrayBuffer;
const viewByteOffset = typedArrayByteOffset;
const viewByteLength = typedArrayByteLength;

// typedArraySet(target, source), typedArraySort(array, compare): the
// %TypedArray%.prototype methods as they were at load.
const typedArraySet = uncurryThis(TypedArrayPrototype.set);
const typedArraySort = uncurryThis(TypedArrayPrototype.sort);

/** True when an ArrayBuffer the library made was detached or transferred away. */
function isDetached(arrayBuffer) {
  return arrayBufferByteLength(arrayBuffer) === 0;
}

module.exports = {
  isDetached, isUint8Array, typedArraySet, typedArraySort, viewBuffer, viewByteLength, viewByteOffset,
};
