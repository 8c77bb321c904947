'use strict';
// A typed array of the same type, `length` long, starting with array's
// elements: how the pools' per-id and per-slot tables grow.
function grown(array, length) {
  const next = new array.constructor(length);
  next.set(array);
  return next;
}

module.exports = { grown };
