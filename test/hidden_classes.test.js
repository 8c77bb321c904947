'use strict';
// Two properties of V8's hidden classes (maps) that the hot paths depend on,
// checked in child processes started with V8 flags:
// - every prototype-less list (ownArray() in lib/internal/intrinsics.js)
//   reaches the same map when it grows the same way, whether it was made first
//   in the process or after thousands of others: a list on a second map for the
//   same contents deoptimizes the code that reads it ("wrong map");
// - the object-holding fields of MemoryReader and Memory keep the one class of
//   object they hold: a field V8 records as holding "any" value costs a check
//   of that object at every read (docs/design.md, "Fields declared with a
//   value of their kind").

const path = require('node:path');
const { runChildNode } = require('./helpers/child_env');

function runFixture(flag, name) {
  return runChildNode([flag, path.join(__dirname, 'fixtures', name)], { maxBuffer: 64 * 1024 * 1024 });
}

test('lists made early and late in a process share one map per shape', () => {
  const sameMap = JSON.parse(runFixture('--allow-natives-syntax', 'list_maps.js'));
  expect(sameMap).toEqual({ objects: true, numbers: true, doubles: true, mixed: true, memory: true });
});

test('the fields of a MemoryReader and its Memory that hold objects keep their class', () => {
  const trace = runFixture('--trace-generalization', 'reader_fields.js');
  // Lines look like "[generalizing]_pos:s{Any;const}->s{Any;mutable} (...) [...lib/memory_reader.js:54]".
  const targets = {};
  for (const line of trace.split('\n')) {
    const m = /^\[generalizing\](_\w+):\w\{[^}]*\}->\w\{([^;}]*)/.exec(line);
    if (m && /[/\\]lib[/\\]/.test(line)) (targets[m[1]] ??= new Set()).add(m[2].replace(/\(.*\)/, ''));
  }
  // The numeric fields generalize (const to mutable) as reads move the
  // position: seeing them shows the trace was read correctly.
  expect(targets._pos).toBeDefined();
  for (const field of ['_m', '_cur', '_buffers']) {
    if (targets[field]) expect({ field, types: [...targets[field]] }).toEqual({ field, types: ['Class'] });
  }
});
