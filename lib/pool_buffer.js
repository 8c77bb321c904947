'use strict';
// The one place views are made. Every view is made by Node's own Buffer
// class, FastBuffer (the Uint8Array subclass whose prototype is
// Buffer.prototype; Buffer[Symbol.species] returns it), so it inspects,
// compares, serializes and species-constructs as any Buffer.allocUnsafe
// result does: prototype Buffer.prototype, constructor Buffer.
//
// Each view also carries, in private fields added by a return-override class
// (a constructor that returns its argument; the fields land on that object,
// and nobody else can write them), the ArrayBuffer and offset it was made
// over. On Node 20 `.buffer`, `.byteOffset` and `.byteLength` are not inlined
// (about 13, 8 and 8 ns, measured) while `.length` and a private field are
// nearly free, so free() paths read arrayBufferOf()/byteOffsetOf()/.length.
// Views not made here (Node's own slice(), subarray(), plain Uint8Arrays)
// fall back to the %TypedArray%.prototype getters captured at load
// (lib/intrinsics.js): a caller's subclass getter never runs inside a pool
// operation. Only view() records: `buf.constructor` is Buffer itself, so a
// caller constructing one gets a Buffer with no record. Other ways to get a Buffer.prototype object cost
// more (docs/design.md, "Real Buffers").

const { Buffer } = require('node:buffer');
const { Stamper, viewBuffer, viewByteLength, viewByteOffset } = require('./intrinsics');
const { ZERO_FILL, zeroFill } = require('./zero_fill');

// Captured at load, so nothing done to Buffer later changes how views are made.
const FastBuffer = madeByBuffer(Buffer[Symbol.species]) ? Buffer[Symbol.species] : null;
const bufferFrom = Buffer.from;

// True when C constructs plain Buffers over an ArrayBuffer.
function madeByBuffer(C) {
  if (typeof C !== 'function' || C.prototype !== Buffer.prototype) return false;
  const probe = new C(new ArrayBuffer(4), 1, 2);
  return Object.getPrototypeOf(probe) === Buffer.prototype && viewByteOffset(probe) === 1 && viewByteLength(probe) === 2;
}

class ViewRecord extends Stamper {
  #arrayBuffer;
  #byteOffset;

  constructor(target, arrayBuffer, byteOffset) {
    super(target);
    this.#arrayBuffer = arrayBuffer;
    this.#byteOffset = byteOffset;
  }

  static arrayBufferOf(view) {
    return #arrayBuffer in view ? view.#arrayBuffer : viewBuffer(view);
  }

  static byteOffsetOf(view) {
    return #arrayBuffer in view ? view.#byteOffset : viewByteOffset(view);
  }
}

// A Buffer over arrayBuffer[byteOffset, byteOffset + length); the three are
// integers the caller already checked against the chunk.
function view(arrayBuffer, byteOffset, length) {
  const buf = FastBuffer !== null
    ? new FastBuffer(arrayBuffer, byteOffset, length)
    : bufferFrom(arrayBuffer, byteOffset, length);
  return new ViewRecord(buf, arrayBuffer, byteOffset);
}

// A one-byte view of arrayBuffer that records nothing, for its maker to keep
// private: element 0 reads undefined exactly when arrayBuffer is detached
// (closed, or transferred by a caller), and an element read runs no caller
// code. Not made by view(): a second shape of stamped view made view()'s
// field stores megamorphic (measured: 82 -> 62 ns per BytePool pair at 64 KiB).
function detachProbe(arrayBuffer) {
  return FastBuffer !== null ? new FastBuffer(arrayBuffer, 0, 1) : bufferFrom(arrayBuffer, 0, 1);
}

// A view over memory a pool hands out: zero-filled under Node's
// --zero-fill-buffers, as Buffer.allocUnsafe is; otherwise view() itself.
const fresh = ZERO_FILL ? (arrayBuffer, byteOffset, length) => zeroFill(view(arrayBuffer, byteOffset, length)) : view;

// The ArrayBuffer a Uint8Array views, and where; cheap for views made here.
const arrayBufferOf = ViewRecord.arrayBufferOf;
const byteOffsetOf = ViewRecord.byteOffsetOf;

module.exports = { arrayBufferOf, byteOffsetOf, detachProbe, fresh, view };
