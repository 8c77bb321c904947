'use strict';
// The README's first example, runnable: `node examples/first-arena.js`.
const { Arena } = require('..');

const arena = new Arena(1 << 20); // 1 MiB, mapped lazily
const buf = arena.malloc(1500); // a real Buffer: Buffer.isBuffer(buf) === true
buf.writeUInt32BE(0xcafe, 0);
console.log(buf.readUInt32BE(0)); // 51966
arena.free(buf.subarray(4)); // give back the tail you did not need
arena.free(buf.subarray(0, 4)); // ... and the rest
try {
  arena.free(buf); // already free
} catch (err) {
  console.log(err.code); // 'ERR_POOLMEM_DOUBLE_FREE'
}
arena.close(); // every outstanding view now reads length 0
console.log(buf.length); // 0
