'use strict';
// poolmem's public names; each lives in the file named after it.

const { Arena } = require('./arena');
const { ArenaPool } = require('./arena_pool');
const { BytePool } = require('./byte_pool');
const { PoolError } = require('./errors');
const { Memory } = require('./memory');
const { MemoryReader } = require('./memory_reader');
const { ObjectPool } = require('./object_pool');
const { PooledBuffer } = require('./pooled_buffer');
const { alloc, free } = require('./process_allocator');
const { RangeAllocator } = require('./range_allocator');
const { RecyclableMemory } = require('./recyclable_memory');
const { ScalableAllocator } = require('./scalable_allocator');
const { STRATEGIES } = require('./strategy');
const { transferableCopy } = require('./transferable_copy');

module.exports = {
  Arena, ArenaPool, BytePool, Memory, MemoryReader, ObjectPool, PoolError, PooledBuffer, RangeAllocator,
  RecyclableMemory, STRATEGIES, ScalableAllocator, alloc, free, transferableCopy,
};
