'use strict';
// poolmem's public names; each lives in the file named after it.

const { Arena } = require('./arena');
const { PoolError } = require('./errors');
const { RangeAllocator } = require('./range_allocator');
const { ScalableAllocator } = require('./scalable_allocator');
const { STRATEGIES } = require('./strategy');

module.exports = { Arena, PoolError, RangeAllocator, STRATEGIES };
module.exports.ScalableAllocator = ScalableAllocator;
