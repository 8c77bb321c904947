'use strict';
// ArrayBuffer.prototype.transfer: built in from Node 22; on Node 20 behind
// --harmony-rab-gsab-transfer, which a fresh realm picks up at runtime. The
// function works on ArrayBuffers of any realm. Also the flags a child process
// needs for it.

const v8 = require('node:v8');
const vm = require('node:vm');

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const TRANSFER_FLAGS = NODE_MAJOR < 22 ? ['--harmony-rab-gsab-transfer'] : [];

function transferFunction() {
  if (typeof ArrayBuffer.prototype.transfer === 'function') return ArrayBuffer.prototype.transfer;
  v8.setFlagsFromString('--harmony-rab-gsab-transfer');
  return vm.runInNewContext('ArrayBuffer.prototype.transfer');
}

const transferImpl = transferFunction();

// Moves ab's memory into a new ArrayBuffer (ab is detached), as a caller can.
const transfer = (ab) => Reflect.apply(transferImpl, ab, []);

module.exports = { TRANSFER_FLAGS, transfer };
