'use strict';
// transferableCopy(buf): just buf's bytes, in a Buffer over an ArrayBuffer of
// their own, for a worker. Cloning a fast-mode pooled buffer copies the whole
// chunk under it (other owners' bytes included) and pool ArrayBuffers cannot
// be transferred; this copies buf.length bytes once, and the copy transfers:
// postMessage(copy, [copy.buffer]).

const { view } = require('./internal/pool_buffer');
const { validateBuffer } = require('./internal/validators');

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
// Intrinsics captured at load: a subclass's own `length` getter is never asked.
const lengthOf = Object.getOwnPropertyDescriptor(TypedArrayPrototype, 'length').get;
const typedArraySet = TypedArrayPrototype.set;

function transferableCopy(buf) {
  validateBuffer(buf, 'buf');
  const length = lengthOf.call(buf);
  const copy = view(new ArrayBuffer(length), 0, length);
  typedArraySet.call(copy, buf);
  return copy;
}

module.exports = { transferableCopy };
