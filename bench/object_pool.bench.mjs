// ObjectPool get+put against making a new object each time, in the same run,
// for a cheap object (a small record: V8 allocates it by bumping a pointer,
// and a pool cannot win) and for one that owns memory (a record with a 4 KiB
// Uint8Array: what a pool is for). One item out at a time, then four out
// and put back in another order, each with and without a reset hook. Then
// the JS heap a cycle allocates.
import { createRequire } from 'node:module';
import { describeMachine, fmt, heapPerPair, measure, printTable, ratio } from './common.mjs';

const require = createRequire(import.meta.url);
const { ObjectPool } = require('../lib/index.js');

let sink = 0;
const KINDS = {
  'small record': () => ({ id: 0, length: 0, next: null }),
  'record with 4 KiB': () => ({ id: 0, length: 0, bytes: new Uint8Array(4096) }),
};
const reset = (item) => { item.length = 0; };

// Each: (pool) or (create) -> one cycle. What a cycle hands out stays
// reachable until the next cycle (as in a server, and so V8 cannot optimize
// the allocation away). Written out so each call site is its own.
const PATTERNS = {
  'one out': {
    pooled: (pool) => {
      let held = pool.get();
      return () => { pool.put(held); held = pool.get(); sink += held.length; };
    },
    fresh: (create) => {
      let held = null;
      return () => { held = create(); sink += held.length; };
    },
  },
  'four out, back in another order': {
    pooled: (pool) => {
      let a = null; let b = null; let c = null; let d = null;
      return () => {
        if (a !== null) { pool.put(c); pool.put(a); pool.put(d); pool.put(b); }
        a = pool.get(); b = pool.get(); c = pool.get(); d = pool.get();
        sink += a.length + b.length + c.length + d.length;
      };
    },
    fresh: (create) => {
      let a = null; let b = null; let c = null; let d = null;
      return () => {
        a = create(); b = create(); c = create(); d = create();
        sink += a.length + b.length + c.length + d.length;
      };
    },
  },
};

const rows = [];
const heapRows = [];
for (const [kind, create] of Object.entries(KINDS)) {
  for (const [pattern, { pooled, fresh }] of Object.entries(PATTERNS)) {
    const tasks = {
      'ObjectPool': pooled(new ObjectPool(create)),
      'ObjectPool, reset hook': pooled(new ObjectPool(create, { reset })),
      'new object': fresh(create),
    };
    const ns = await measure(Object.entries(tasks).map(([name, fn]) => ({ name, fn })));
    const n = ns.get('new object');
    rows.push([kind, pattern, fmt(ns.get('ObjectPool')), fmt(ns.get('ObjectPool, reset hook')), fmt(n),
      ratio(n, ns.get('ObjectPool')), ratio(n, ns.get('ObjectPool, reset hook'))]);
    const heap = [];
    for (const fn of Object.values(tasks)) heap.push((await heapPerPair(fn)).toFixed(0));
    heapRows.push([kind, pattern, ...heap]);
  }
}
printTable(
  `ObjectPool vs a new object per use (ns per cycle; x = new object / pool, higher is better; ${describeMachine()})`,
  ['object', 'pattern', 'ObjectPool', 'with reset', 'new object', 'x', 'x with reset'], rows,
);
printTable('JS heap allocated per cycle (bytes)', ['object', 'pattern', 'ObjectPool', 'with reset', 'new object'], heapRows);
if (sink === -1) console.log(sink);
