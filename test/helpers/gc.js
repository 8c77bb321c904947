'use strict';
// GC helpers in the node-addon-api testUtil manner: Node runs external-buffer
// finalizers on a later event-loop turn, never inside gc(), so every
// assertion about finalizers waits for gc() plus several setImmediate ticks.

const tick = () => new Promise((resolve) => setImmediate(resolve));

async function collect(rounds = 3) {
  if (typeof global.gc !== 'function') throw new Error('run Jest with node --expose-gc');
  for (let i = 0; i < rounds; i++) {
    global.gc();
    await tick();
    await tick();
  }
}

// Repeats gc rounds until predicate() holds or the rounds run out.
async function collectUntil(predicate, maxRounds = 20) {
  for (let i = 0; i < maxRounds && !predicate(); i++) await collect(1);
  return predicate();
}

module.exports = { collect, collectUntil, tick };
