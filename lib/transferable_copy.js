'use strict';
// transferableCopy(buf): just buf's bytes, in a Buffer over an ArrayBuffer of
// their own, for a worker. Cloning a fast-mode pooled buffer copies the whole
// chunk under it (other owners' bytes included) and pool ArrayBuffers cannot
// be transferred; this copies buf.length bytes once, and the copy transfers:
// postMessage(copy, [copy.buffer]).

const { ArrayBuffer, typedArraySet, viewLength } = require('./internal/intrinsics');
const { view } = require('./internal/pool_buffer');
const { validateBuffer } = require('./internal/validators');

function transferableCopy(buf) {
  validateBuffer(buf, 'buf');
  const length = viewLength(buf); // the intrinsic getter: a subclass's own `length` is never asked
  const copy = view(new ArrayBuffer(length), 0, length);
  typedArraySet(copy, buf);
  return copy;
}

module.exports = { transferableCopy };
