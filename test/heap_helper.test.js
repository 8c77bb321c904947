'use strict';
// The helper that allocation tests rely on (test/helpers/heap.js): it must see
// what an operation allocates on every call and not a one-off allocation that
// lands in one measuring window.
const { heapPerOp } = require('./helpers/heap');

const keep = [];
afterEach(() => { keep.length = 0; });

test('an allocation on every call shows', () => {
  expect(heapPerOp(() => { keep.push({ a: 1, b: 2 }); if (keep.length > 4096) keep.length = 0; })).toBeGreaterThan(8);
});

// Reading the heap statistics allocates about 2 KB itself, 2 bytes per call
// over a 1,000-call window: the allocation tests allow 8.
test('nothing allocated reads as less than the tests allow', () => {
  let n = 0;
  expect(heapPerOp(() => { n++; })).toBeLessThan(4);
  expect(n).toBe(5000);
});

test('a one-off allocation in one window does not count', () => {
  let calls = 0;
  const op = () => { if (++calls === 1500) keep.push(new Array(4096).fill({})); };
  expect(heapPerOp(op)).toBeLessThan(4);
});
