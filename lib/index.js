'use strict';
// poolmem's public names: each class lives in the file named after it;
// alloc/free/allocStats in process_allocator.js, the error class and the
// constants in lib/internal/ (errors.js, safe_mode.js, strategy.js).

const { Arena } = require('./arena');
const { ArenaPool } = require('./arena_pool');
const { BytePool } = require('./byte_pool');
const { PoolError } = require('./internal/errors');
const { FrameReader } = require('./frame_reader');
const { Memory } = require('./memory');
const { MemoryReader } = require('./memory_reader');
const { ObjectPool } = require('./object_pool');
const { PooledBuffer } = require('./pooled_buffer');
const { PooledMemory } = require('./pooled_memory');
const { PooledOnread } = require('./pooled_onread');
const { alloc, allocStats, free } = require('./process_allocator');
const { RangeAllocator } = require('./range_allocator');
const { RecyclableMemory } = require('./recyclable_memory');
const { SAFE_POISON } = require('./internal/safe_mode');
const { ScalableAllocator } = require('./scalable_allocator');
const { STRATEGIES } = require('./internal/strategy');
const { transferableCopy } = require('./transferable_copy');
const { endAndFree, writeAndFree } = require('./write_and_free');

module.exports = {
  Arena, ArenaPool, BytePool, FrameReader, Memory, MemoryReader, ObjectPool, PoolError, PooledBuffer, PooledMemory,
  PooledOnread, RangeAllocator, RecyclableMemory, SAFE_POISON, STRATEGIES, ScalableAllocator, alloc, allocStats, endAndFree, free,
  transferableCopy, writeAndFree,
};
