'use strict';
// Ownership stamps: each kind reads only what it stamped, a lookup runs no
// caller code, and the stamped object shows nothing.

const stamps = require('../lib/internal/stamps');
const { heapPerOp } = require('./helpers/heap');

const KINDS = ['ArenaChunkStamp', 'ChunkStamp', 'RetiredChunkStamp', 'SlabStamp', 'TrackedStamp'];

describe('stamps', () => {
  test('each kind reads back its own record and no other kind sees it', () => {
    for (const kind of KINDS) {
      const target = new ArrayBuffer(4);
      const record = { kind };
      expect(new stamps[kind](target, record)).toBe(target); // the constructor returns its argument
      for (const other of KINDS) expect(stamps[other].of(target)).toBe(other === kind ? record : undefined);
      expect(Reflect.ownKeys(target)).toEqual([]);
    }
  });

  test('one object can carry several kinds at once', () => {
    const target = new Uint8Array(4);
    new stamps.ChunkStamp(target, 1);
    new stamps.RetiredChunkStamp(target, 2);
    expect([stamps.ChunkStamp.of(target), stamps.RetiredChunkStamp.of(target)]).toEqual([1, 2]);
  });

  test('of() runs no caller code, even for a Proxy or an object with a getter', () => {
    const trap = () => { throw new Error('trap ran'); };
    const proxy = new Proxy({}, { get: trap, has: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap });
    const getter = Object.defineProperty({}, 'record', { get: trap });
    for (const kind of KINDS) {
      expect(stamps[kind].of(proxy)).toBeUndefined();
      expect(stamps[kind].of(getter)).toBeUndefined();
    }
  });

  // Every pooled Buffer is stamped: a stamp must cost the object its field and
  // nothing more. A constructor of a base class that returns its argument
  // still allocates a receiver and throws it away (24 bytes or more of JS
  // heap per stamp, which V8 does not always optimize out).
  test('stamping allocates no object beyond the stamped field', () => {
    class Probe extends stamps.Stamper {
      #value;
      constructor(target, value) {
        super(target);
        this.#value = value;
      }

      static read(target) {
        return target.#value;
      }
    }
    const n = 1000;
    let targets = [];
    const prepare = (i) => {
      if (i === 0) targets = [];
      targets.push(Buffer.allocUnsafeSlow(1));
    };
    const bytes = heapPerOp((i) => new Probe(targets[i], i), { count: n, prepare });
    expect(Probe.read(targets[n - 1])).toBe(n - 1);
    // A Buffer has no room for a field in the object itself: the field costs a
    // property array of 40 bytes (16 of header, 3 slots).
    expect(bytes).toBeLessThan(56);
  });
});
