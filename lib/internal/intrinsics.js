'use strict';
// Built-ins captured when poolmem loads (Node's primordials idea), so that a
// pool operation runs no caller code: a caller may later replace Math.floor,
// Map.prototype.get, Array.prototype.push, a global constructor or a
// %TypedArray%.prototype getter, and nothing inside a pool call sees it.
// Reading a caller's view goes through the %TypedArray%.prototype getters: a
// Uint8Array subclass (or an own property) can override `buffer`,
// `byteOffset` and `length` with getters that re-enter a pool or return
// strings; the getters read the view's internal slots instead, and always
// return a real ArrayBuffer and integers (0 for a detached view).
// test/patched_builtins.test.js replaces every built-in after load and runs
// every pool.

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
const typedArrayLength = getter(TypedArrayPrototype, 'length');
const arrayBufferByteLength = getter(RealmArrayBuffer.prototype, 'byteLength');

// viewBuffer(view): the ArrayBuffer (or SharedArrayBuffer) a typed array views.
// viewByteOffset(view), viewByteLength(view), viewLength(view): integers, 0
// once detached (a Uint8Array's byteLength is its length). Exported as the uncurried getters
// themselves: no wrapper call on the hot paths.
const viewBuffer = typedArrayBuffer;
const viewByteOffset = typedArrayByteOffset;
const viewByteLength = typedArrayByteLength;
const viewLength = typedArrayLength;

// typedArrayFill(array, value), typedArraySet(target, source),
// typedArraySort(array, compare): the %TypedArray%.prototype methods as they were at load.
const typedArrayFill = uncurryThis(TypedArrayPrototype.fill);
const typedArraySet = uncurryThis(TypedArrayPrototype.set);
const typedArraySort = uncurryThis(TypedArrayPrototype.sort);

/** True when an ArrayBuffer the library made was detached or transferred away. */
function isDetached(arrayBuffer) {
  return arrayBufferByteLength(arrayBuffer) === 0;
}

// ---- this realm's built-ins --------------------------------------------------------
// Under Jest the library's own globals (Map, Int32Array, ...) are the test
// context's; they are captured from that realm, as the code would have used.
const {
  abs: MathAbs, ceil: MathCeil, clz32: MathClz32, floor: MathFloor, log2: MathLog2, max: MathMax, min: MathMin,
  random: MathRandom, sqrt: MathSqrt,
} = Math;
const { isInteger: NumberIsInteger } = Number;
const ArrayCtor = Array;
const { isArray: ArrayIsArray } = Array;
const { construct: ReflectConstruct } = Reflect;
const {
  defineProperty: ObjectDefineProperty, freeze: ObjectFreeze, getPrototypeOf: ObjectGetPrototypeOf,
  hasOwn: ObjectHasOwn, setPrototypeOf: ObjectSetPrototypeOf,
} = Object;
// An array with no prototype, for a pool's own lists: storing past its end
// (growing it) or reading a hole never looks up Array.prototype or
// Object.prototype, where a caller's accessor at a numbered key would run in
// the middle of a pool call (and could re-enter the pool while it is growing
// that very list). Used by index and through the uncurried methods above.
//
// Made by the Array constructor, not an array literal: a literal's elements
// kind follows what earlier arrays from it came to hold (V8's allocation
// sites), so once the first lists had grown, later ones would start from
// another kind and, with the prototype changed, end on a second map for the
// same contents. Code reading both kinds of list then sees two maps, is
// deoptimized ("wrong map") and settles differently from run to run. From
// the constructor every list takes the same maps in the same order.
const kNoArguments = ObjectFreeze([]);
function ownArray() {
  const array = ReflectConstruct(ArrayCtor, kNoArguments);
  ObjectSetPrototypeOf(array, null);
  return array;
}

// For an internal class: its prototype inherits nothing, so its instances'
// fields are all there is. The first assignment to a field (in a
// constructor) and a read of one never look up Object.prototype, where a
// caller's accessor of that name would run in the middle of a pool call, or
// swallow the write and answer reads with a value of its own (one named
// `parked` once made two mallocs return the same bytes). Public classes keep
// Object.prototype and declare their fields instead (class fields are defined,
// not assigned).
function noObjectPrototype(C) {
  ObjectSetPrototypeOf(C.prototype, null);
  return C;
}

// An ordinary array with the elements of an ownArray() (copied: slice()
// defines them, so no setter runs either). For arrays handed to a caller,
// and for a pool's lists that never grow once built: an in-bounds store to
// an element that exists looks up no prototype, and V8 knows the map.
function asArray(array) {
  return ArrayPrototypeSlice(array);
}
const ArrayPrototypeIncludes = uncurryThis(Array.prototype.includes);
const ArrayPrototypeIndexOf = uncurryThis(Array.prototype.indexOf);
const ArrayPrototypeJoin = uncurryThis(Array.prototype.join);
const ArrayPrototypeSlice = uncurryThis(Array.prototype.slice);
const ArrayPrototypeSplice = uncurryThis(Array.prototype.splice);
const RegExpPrototypeExec = uncurryThis(RegExp.prototype.exec);
const StringPrototypeIncludes = uncurryThis(String.prototype.includes);
const StringPrototypeSlice = uncurryThis(String.prototype.slice);
const StringPrototypeSplit = uncurryThis(String.prototype.split);
const StringPrototypeStartsWith = uncurryThis(String.prototype.startsWith);
const ErrorCaptureStackTrace = Error.captureStackTrace;
const { structuredClone } = globalThis; // Node's, on the global object

// A collection class whose methods are the originals, whatever happens to
// Map.prototype and the rest later (Node's makeSafe): the subclass's
// prototype carries its own copy of every method and accessor, frozen. Its
// constructor takes the one argument these classes are made with here (none,
// a WeakRef's target, a registry's cleanup), written out: a default
// constructor spreads its arguments, which runs %ArrayIteratorPrototype%.next.
function makeSafe(Base) {
  const Safe = class extends Base {
    constructor(arg) { super(arg); }
  };
  ObjectDefineProperty(Safe, 'name', { value: `Safe${Base.name}` });
  for (const key of Reflect.ownKeys(Base.prototype)) {
    if (key === 'constructor') continue;
    ObjectDefineProperty(Safe.prototype, key, Reflect.getOwnPropertyDescriptor(Base.prototype, key));
  }
  ObjectFreeze(Safe.prototype);
  ObjectFreeze(Safe);
  return Safe;
}
const SafeMap = makeSafe(Map);
const SafeSet = makeSafe(Set);
const SafeWeakMap = makeSafe(WeakMap);
const SafeWeakSet = makeSafe(WeakSet);
const SafeWeakRef = makeSafe(WeakRef);
const SafeFinalizationRegistry = makeSafe(FinalizationRegistry);

module.exports = {
  isDetached, isUint8Array, typedArrayFill, typedArraySet, typedArraySort, viewBuffer, viewByteLength, viewByteOffset, viewLength,
  // this realm's built-ins, as they were at load
  ArrayBuffer, Error, Float64Array, Int8Array, Int32Array, RangeError, TypeError, Uint8Array, Uint32Array,
  ArrayIsArray, ArrayPrototypeIncludes, ArrayPrototypeIndexOf, ArrayPrototypeJoin,
  ArrayPrototypeSlice, ArrayPrototypeSplice, ErrorCaptureStackTrace, MathAbs, MathCeil, MathClz32, MathFloor, MathLog2, MathMax, MathMin,
  MathRandom, MathSqrt, NumberIsInteger, ObjectDefineProperty, ObjectFreeze, ObjectGetPrototypeOf, ObjectHasOwn,
  asArray, noObjectPrototype, ownArray,
  RegExpPrototypeExec, StringPrototypeIncludes, StringPrototypeSlice, StringPrototypeSplit, StringPrototypeStartsWith,
  SafeFinalizationRegistry, SafeMap, SafeSet, SafeWeakMap, SafeWeakRef, SafeWeakSet, structuredClone,
};
