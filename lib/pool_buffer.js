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
// made here (Node's own slice(), plain Uint8Arrays) fall back to the getters.

const { Buffer } = require('node:buffer');

const RealmUint8Array = Object.getPrototypeOf(Buffer.prototype).constructor;

class PoolBuffer extends RealmUint8Array {
  #arrayBuffer = null;
  #byteOffset = 0;

  // Explicit constructor: keeps the call site monomorphic (three arguments).
  // Species construction (subarray(), map()) comes through here too; only an
  // (ArrayBuffer, offset, length) call records where the view lies.
  constructor(arrayBuffer, byteOffset, length) {
    super(arrayBuffer, byteOffset, length);
    if (typeof arrayBuffer === 'object') {
      this.#arrayBuffer = arrayBuffer;
      this.#byteOffset = byteOffset === undefined ? 0 : byteOffset;
    }
  }

  static arrayBufferOf(view) {
    return #arrayBuffer in view && view.#arrayBuffer !== null ? view.#arrayBuffer : view.buffer;
  }

  static byteOffsetOf(view) {
    return #arrayBuffer in view && view.#arrayBuffer !== null ? view.#byteOffset : view.byteOffset;
  }
}
Object.setPrototypeOf(PoolBuffer.prototype, Buffer.prototype);

function view(arrayBuffer, byteOffset, length) {
  return new PoolBuffer(arrayBuffer, byteOffset, length);
}

// The ArrayBuffer a Uint8Array views, and where; cheap for PoolBuffers.
const arrayBufferOf = PoolBuffer.arrayBufferOf;
const byteOffsetOf = PoolBuffer.byteOffsetOf;

module.exports = { PoolBuffer, arrayBufferOf, byteOffsetOf, view };
