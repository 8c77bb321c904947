'use strict';
// A pool with malloc/free that delegates to a real pool and records every
// free, so tests can check when (and how often) a helper gave memory back.

function spyPool(real) {
  const freed = [];
  const take = typeof real.get === 'function' ? (n) => real.get(n) : (n) => real.malloc(n);
  const give = typeof real.put === 'function' ? (b) => real.put(b) : (b) => real.free(b);
  return {
    freed,
    malloc: (n) => take(n),
    free: (b) => {
      freed.push(b);
      give(b);
    },
  };
}

module.exports = { spyPool };
