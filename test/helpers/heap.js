'use strict';
// JS heap an operation allocates, for tests that say an operation allocates
// nothing (or no more than a known object). New objects land in V8's new
// space, so its used size grows by what `count` calls allocate. Two things
// that are not the operation move one window's figure: a scavenge inside it
// lowers it, and a one-off allocation (a deoptimization, code the concurrent
// compiler installs, under a busy machine) raises it. So the figure is the
// median of a few windows: what the operation allocates on every call shows
// in each window neither touched. `prepare(i)` runs before the window (to
// make what op(i) needs); op(i) runs inside it.

const v8 = require('node:v8');

const newSpaceUsed = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_used_size;

function heapPerOp(op, { count = 1000, windows = 5, prepare = null } = {}) {
  const perOp = [];
  for (let w = 0; w < windows; w++) {
    if (prepare !== null) for (let i = 0; i < count; i++) prepare(i);
    const before = newSpaceUsed();
    for (let i = 0; i < count; i++) op(i);
    perOp.push((newSpaceUsed() - before) / count);
  }
  perOp.sort((a, b) => a - b);
  return perOp[windows >> 1];
}

module.exports = { heapPerOp };
