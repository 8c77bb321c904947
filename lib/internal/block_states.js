'use strict';
// The states of a BlockCache id (lib/internal/block_cache.js), shared with
// its BlockIndex.

const FREE = 0; // id not in use
const LIVE = 1; // handed out; the caller's view carries (id, gen)
const CACHED = 2; // on its class stack; natively still allocated
const SETTLED = 3; // settled (or its chunk dropped) while live: the strategy judges its pieces

const EXACT = -1; // class of a block that never enters a stack

module.exports = { CACHED, EXACT, FREE, LIVE, SETTLED };
