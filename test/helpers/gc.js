'use strict';
// Waiting for the garbage collector, in the node-addon-api testUtil manner but
// bounded by time, never by a fixed number of rounds: a loaded machine can
// take several rounds before V8 frees a backing store and Node runs its
// finalizer on a later turn. Wait for the event a test needs:
//   until(predicate)  - gc() and setImmediate turns until predicate() holds
//   collect()         - until an object made unreachable now has been
//                       collected and its finalizer ran (a full GC happened
//                       and finalizers queued by it had turns to run)
//   watch(obj)        - a predicate: obj has been collected
//   settled(read)     - collect() until read() gives the same value twice in
//                       a row (a baseline earlier garbage no longer moves)

const DEFAULT_TIMEOUT_MS = 30000;

const tick = () => new Promise((resolve) => setImmediate(resolve));

function gc() {
  if (typeof global.gc !== 'function') throw new Error('run Jest with node --expose-gc');
  global.gc();
}

// Runs gc() plus two turns until predicate() is true; false once timeoutMs passed.
async function until(predicate, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (predicate()) return true;
    if (Date.now() > deadline) return false;
    gc();
    await tick();
    await tick();
  }
}

const registry = new FinalizationRegistry((onCollected) => onCollected());

// () => true once obj (held only weakly here) has been garbage-collected.
function watch(obj) {
  let collected = false;
  registry.register(obj, () => {
    collected = true;
  });
  return () => collected;
}

// Waits until garbage made before the call has been through a full GC and the
// finalizers that GC queued had turns to run. Throws if that takes too long.
async function collect(options = undefined) {
  const gone = watch({});
  if (!(await until(gone, options))) throw new Error('the garbage collector did not run a finalizer in time');
  await tick();
  await tick();
}

// A count (live regions, ...) once earlier tests' garbage has stopped moving it.
async function settled(read, options = undefined) {
  let last = read();
  for (let i = 0; i < 50; i++) {
    await collect(options);
    const now = read();
    if (now === last) return now;
    last = now;
  }
  throw new Error('the value did not settle');
}

// Kept for existing callers: until() with the default time bound.
const collectUntil = (predicate, options = undefined) => until(predicate, options);

module.exports = { collect, collectUntil, settled, tick, until, watch };
