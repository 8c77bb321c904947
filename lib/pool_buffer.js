'use strict';
// The one place views are made: PoolBuffer is a Uint8Array subclass whose
// prototype chains to Buffer.prototype (Node's FastBuffer idea), so every view
// is a real Buffer (Buffer.isBuffer is true, every Buffer method works) for
// about the cost of a typed-array view. Its Uint8Array comes from Buffer's own
// realm so the chain is right under Jest's vm contexts too.
//
// Each PoolBuffer also records, in private fields nobody else can write, the
// ArrayBuffer and offset it was made over. On Node 20 `.buffer`,
// `.byteOffset` and `.byteLength` are not inlined (about 13, 8 and 8 ns,
// measured) while `.length` and a private field are nearly free, so free()
// paths read arrayBufferOf()/byteOffsetOf()/.length: 26 ns -> 5 ns. Views not
// made here (Node's own slice(), plain Uint8Arrays) fall back to the
// %TypedArray%.prototype getters captured at load (lib/intrinsics.js): a
// caller's subclass getter must never run inside a pool operation. Only
// view() records: the class is reachable as `buf.constructor`, and a caller
// constructing it may pass a string or an object with valueOf as the offset.

const { Buffer } = require('node:buffer');
const { viewBuffer, viewByteOffset } = require('./intrinsics');

const RealmUint8Array = Object.getPrototypeOf(Buffer.prototype).constructor;
let recording = false; // set by view() for the one construction it makes

class PoolBuffer extends RealmUint8Array {
  #arrayBuffer = null;
  #byteOffset = 0;

  // Explicit constructor: keeps the call site monomorphic (three arguments).
  // Species construction (subarray(), map()) comes through here too; only an
  // (ArrayBuffer, offset, length) call records where the view lies.
  constructor(arrayBuffer, byteOffset, length) {
    const record = recording;
    recording = false;
    super(arrayBuffer, byteOffset, length);
    if (record) {
      this.#arrayBuffer = arrayBuffer;
      this.#byteOffset = byteOffset;
    }
  }

  static arrayBufferOf(view) {
    return #arrayBuffer in view && view.#arrayBuffer !== null ? view.#arrayBuffer : viewBuffer(view);
  }

  static byteOffsetOf(view) {
    return #arrayBuffer in view && view.#arrayBuffer !== null ? view.#byteOffset : viewByteOffset(view);
  }
}
Object.setPrototypeOf(PoolBuffer.prototype, Buffer.prototype);

// arrayBuffer: an ArrayBuffer; byteOffset and length: integers in range.
function view(arrayBuffer, byteOffset, length) {
  recording = true;
  return new PoolBuffer(arrayBuffer, byteOffset, length);
}

// The ArrayBuffer a Uint8Array views, and where; cheap for PoolBuffers.
const arrayBufferOf = PoolBuffer.arrayBufferOf;
const byteOffsetOf = PoolBuffer.byteOffsetOf;

module.exports = { PoolBuffer, arrayBufferOf, byteOffsetOf, view };
