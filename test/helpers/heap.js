'use strict';
// JS heap an operation allocates, for tests that say an operation allocates
// nothing (or no more than a known object). New objects land in V8's new
// space, so its used size grows by what `count` calls allocate, unless a
// scavenge runs inside the window; a scavenge can only lower the figure, so
// the largest of a few windows is the one to trust. `prepare(i)` runs before
// the window (to make what op(i) needs); op(i) runs inside it.

const v8 = require('node:v8');

const newSpaceUsed = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_used_size;

function heapPerOp(op, { count = 1000, windows = 5, prepare = null } = {}) {
  let most = -Infinity;
  for (let w = 0; w < windows; w++) {
    if (prepare !== null) for (let i = 0; i < count; i++) prepare(i);
    const before = newSpaceUsed();
    for (let i = 0; i < count; i++) op(i);
    most = Math.max(most, (newSpaceUsed() - before) / count);
  }
  return most;
}

module.exports = { heapPerOp };
