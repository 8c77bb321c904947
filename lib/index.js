'use strict';
// poolmem's public names; each lives in the file named after it.

const { Arena } = require('./arena');
const { PoolError } = require('./errors');
const { Memory } = require('./memory');
const { MemoryReader } = require('./memory_reader');
const { RangeAllocator } = require('./range_allocator');
const { RecyclableMemory } = require('./recyclable_memory');
const { ScalableAllocator } = require('./scalable_allocator');
const { STRATEGIES } = require('./strategy');

module.exports = { Arena, Memory, MemoryReader, PoolError, RangeAllocator, STRATEGIES };
module.exports.RecyclableMemory = RecyclableMemory;
module.exports.ScalableAllocator = ScalableAllocator;
