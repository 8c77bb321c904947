'use strict';
// Indexed accessors a caller puts on Array.prototype never run inside a native
// call: native code fills the arrays it returns (safe-mode [ArrayBuffer, id]
// pairs, stats, ledger drains) and the ScalableAllocator's chunk array by
// defining elements, not by assigning them. An assignment walks the prototype
// chain, so a setter there ran caller code in the middle of a native call: it
// could keep a safe block's ArrayBuffer whose bytes the failed call had given
// back (and the next malloc handed out), or re-enter a growing
// ScalableAllocator and crash the process. Named properties (binding.contract,
// the exports) are defined too, so Object.prototype setters cannot change them.
// Each case runs in a child process: the addon's arrays belong to the main
// realm, not to Jest's test context.

const path = require('node:path');
const { runChildNode } = require('./helpers/child_env');

const ROOT = path.join(__dirname, '..');

// Defines setIndexed(count, onSet) and unsetIndexed() in the child: accessors
// on Array.prototype[0..count) whose setter defines the element as an
// assignment would, then calls onSet(index, value).
const PRELUDE = `
  const root = ${JSON.stringify(ROOT)};
  let indices = [];
  function setIndexed(count, onSet) {
    indices = Array.from({ length: count }, (_, i) => String(i));
    for (const index of indices) {
      Object.defineProperty(Array.prototype, index, {
        configurable: true,
        set(value) {
          Object.defineProperty(this, index, { value, writable: true, enumerable: true, configurable: true });
          onSet(Number(index), value);
        },
      });
    }
  }
  function unsetIndexed() {
    for (const index of indices) delete Array.prototype[index];
  }
`;

// Runs `body` (which writes one JSON line) in a child; its exit and output.
function runChild(body) {
  return JSON.parse(runChildNode(['-e', PRELUDE + body]));
}

describe('Array.prototype setters and native calls', () => {
  test('a safe Arena malloc hands no caller setter its ArrayBuffer, so none outlives a failed call', () => {
    const out = runChild(`
      const { Arena } = require(root);
      const arena = new Arena(4096, { safe: true });
      const kept = [];
      setIndexed(2, (index, value) => {
        if (value instanceof ArrayBuffer) {
          kept.push(value);
          throw new Error('setter refuses'); // the call fails after the block's buffer exists
        }
      });
      let threw = false;
      try { arena.malloc(64); } catch { threw = true; }
      unsetIndexed();
      const next = arena.malloc(64);
      next.fill(7);
      for (const ab of kept) new Uint8Array(ab).fill(0x41);
      process.stdout.write(JSON.stringify({ threw, kept: kept.length, nextIntact: next.every((b) => b === 7) }));
    `);
    expect(out).toEqual({ threw: false, kept: 0, nextIntact: true });
  });

  test('native calls that return arrays run no caller setter', () => {
    const out = runChild(`
      const { Arena } = require(root);
      const { handleOf } = require(root + '/lib/arena');
      const binding = require(root + '/lib/internal/binding');
      const arena = new Arena(4096, { safe: true });
      const ledger = new binding.SlabLedgerHandle();
      const calls = [];
      setIndexed(8, (index) => calls.push(index));
      const arrays = [handleOf(arena).stats(), binding.processStats(), binding.strategies(), ledger.drain()];
      unsetIndexed();
      process.stdout.write(JSON.stringify({ calls, arrays: arrays.map((a) => Array.isArray(a)) }));
    `);
    expect(out).toEqual({ calls: [], arrays: [true, true, true, true] });
  });

  test('Object.prototype setters in place before poolmem loads cannot change binding.contract', () => {
    // A setter for a contract name would otherwise get the value instead of
    // the contract object, and could define another one in its place.
    const out = runChild(`
      const names = ['SLOT_OFFSET', 'SLOT_SIZE', 'FREE_OK', 'PROCESS_ALIGNMENT'];
      const seen = [];
      for (const name of names) {
        Object.defineProperty(Object.prototype, name, {
          configurable: true,
          set(value) {
            seen.push(name);
            Object.defineProperty(this, name, { value: value + 1, enumerable: true, configurable: true });
          },
        });
      }
      const binding = require(root + '/lib/internal/binding');
      for (const name of names) delete Object.prototype[name];
      const { contract } = binding;
      process.stdout.write(JSON.stringify({ seen, values: names.map((n) => contract[n]) }));
    `);
    expect(out).toEqual({ seen: [], values: [1, 2, 0, 16] });
  });

  test('a setter that re-enters a growing ScalableAllocator cannot crash the process', () => {
    // Before the fix the nested malloc grew the allocator inside the outer
    // growth (the chunk array's element set) and the process died (SIGSEGV).
    const out = runChild(`
      const { ScalableAllocator } = require(root);
      const { handleOf } = require(root + '/lib/scalable_allocator');
      const sa = new ScalableAllocator({ chunkSize: 4096, maxChunkSize: 4096 });
      let nested = 0;
      setIndexed(8, (index, value) => {
        if (value instanceof ArrayBuffer && nested++ < 4) sa.malloc(4000);
      });
      const bufs = [];
      for (let i = 0; i < 6; i++) bufs.push(sa.malloc(4000));
      unsetIndexed();
      for (const b of bufs) sa.free(b);
      process.stdout.write(JSON.stringify({ validate: handleOf(sa).validate() }));
    `);
    // lib/'s own array writes may still call the setter (JS re-entering JS
    // is safe); native code no longer does in the middle of a growth.
    expect(out).toEqual({ validate: true });
  });
});
