'use strict';
// The one place views are made: PoolBuffer is a Uint8Array subclass whose
// prototype chains to Buffer.prototype (Node's FastBuffer idea), so every view
// is a real Buffer (Buffer.isBuffer is true, every Buffer method works) for
// about the cost of a typed-array view. Its Uint8Array comes from Buffer's own
// realm so the chain is right under Jest's vm contexts too.

const { Buffer } = require('node:buffer');

const RealmUint8Array = Object.getPrototypeOf(Buffer.prototype).constructor;

class PoolBuffer extends RealmUint8Array {
  // Explicit constructor: keeps the call site monomorphic (three arguments).
  constructor(arrayBuffer, byteOffset, length) {
    super(arrayBuffer, byteOffset, length);
  }
}
Object.setPrototypeOf(PoolBuffer.prototype, Buffer.prototype);

function view(arrayBuffer, byteOffset, length) {
  return new PoolBuffer(arrayBuffer, byteOffset, length);
}

module.exports = { PoolBuffer, view };
