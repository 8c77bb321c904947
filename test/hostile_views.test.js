'use strict';
// Caller-supplied views that lie: Uint8Array subclasses whose buffer /
// byteOffset / length getters re-enter a pool or return strings, forged views
// with a valueOf offset, Proxies. A pool reads a view only through the
// %TypedArray%.prototype getters captured at load, so none of this caller
// code runs inside a pool operation and no two live buffers ever share bytes.

const poolmem = require('..');
const { expectCode } = require('./helpers/expect_error');

const { Arena, ArenaPool, BytePool, ScalableAllocator, alloc, free } = poolmem;

const TA = Object.getPrototypeOf(Uint8Array.prototype);
const realBuffer = (v) => Reflect.apply(Object.getOwnPropertyDescriptor(TA, 'buffer').get, v, []);
const realOffset = (v) => Reflect.apply(Object.getOwnPropertyDescriptor(TA, 'byteOffset').get, v, []);
const realLength = (v) => Reflect.apply(Object.getOwnPropertyDescriptor(TA, 'byteLength').get, v, []);

function overlap(a, b) {
  if (realBuffer(a) !== realBuffer(b) || realLength(a) === 0 || realLength(b) === 0) return false;
  return realOffset(a) < realOffset(b) + realLength(b) && realOffset(b) < realOffset(a) + realLength(a);
}

function expectDisjoint(bufs) {
  for (let i = 0; i < bufs.length; i++) {
    for (let j = i + 1; j < bufs.length; j++) {
      if (overlap(bufs[i], bufs[j])) {
        throw new Error(`live buffers ${i} and ${j} share bytes (offsets ${realOffset(bufs[i])}, ${realOffset(bufs[j])})`);
      }
    }
  }
}

// A Uint8Array subclass over `target`'s bytes whose getters run `hook` once
// (then answer `lie` for the property, or the truth).
function lyingView(target, prop, hook, lie = undefined) {
  let armed = false;
  let ran = 0;
  class Liar extends Uint8Array {
    get [prop]() {
      const truth = prop === 'length' || prop === 'byteLength' ? realLength(this)
        : prop === 'byteOffset' ? realOffset(this) : realBuffer(this);
      if (!armed) return truth;
      ran++;
      armed = false;
      const answer = hook();
      return lie === undefined ? (answer === undefined ? truth : answer) : lie;
    }
  }
  const v = new Liar(realBuffer(target), realOffset(target), realLength(target));
  armed = true;
  return { view: v, ran: () => ran };
}

const attempt = (fn) => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err;
  }
};

describe('ScalableAllocator#free() with a re-entrant getter', () => {
  for (const prop of ['byteOffset', 'length', 'buffer', 'byteLength']) {
    test(`a ${prop} getter that mallocs cannot park a live buffer`, () => {
      const a = new ScalableAllocator({ leakDetection: 'disabled' });
      const x = a.malloc(64);
      let stolen = null;
      const { view, ran } = lyingView(x, prop, () => {
        stolen = a.malloc(64);
        return prop === 'byteOffset' ? realOffset(stolen) : undefined;
      });
      attempt(() => a.free(view));
      expect(ran()).toBe(0);
      const live = [x, a.malloc(64), a.malloc(64)];
      if (stolen !== null) live.push(stolen);
      expectDisjoint(live.slice(1));
      a.close();
    });
  }
});

describe('valueOf offsets of forged views', () => {
  // new buf.constructor(ab, offset, length) reaches the class that makes views.
  let calls = 0;
  function forge(buf, onValueOf) {
    let armed = false;
    const offset = { valueOf() { if (armed) { armed = false; calls++; onValueOf(); } return realOffset(buf); } };
    const v = new buf.constructor(realBuffer(buf), offset, realLength(buf));
    armed = true;
    return v;
  }
  beforeEach(() => { calls = 0; });
  afterEach(() => expect(calls).toBe(0));

  test('Arena: A.free() cannot free pool B\'s buffer', () => {
    const A = new Arena(4096);
    const B = new Arena(4096);
    A.malloc(64);
    const x = A.malloc(64); // offset 64, as z's
    const y = B.malloc(64);
    const z = B.malloc(64);
    const forged = forge(x, () => B.free(y));
    const before = B.freeSize;
    attempt(() => A.free(forged));
    // B lost at most y; z is still allocated and no new malloc overlaps it.
    expect(B.freeSize).toBeLessThanOrEqual(before + 64);
    expectDisjoint([z, B.malloc(64), B.malloc(64)]);
    A.close();
    B.close();
  });

  test('ScalableAllocator: A.free() cannot free pool B\'s buffer', () => {
    const A = new ScalableAllocator({ leakDetection: 'disabled' });
    const B = new ScalableAllocator({ leakDetection: 'disabled' });
    A.malloc(64);
    const x = A.malloc(64); // chunk 0, offset 64, as z's
    A.malloc(8); // x is no longer the last malloc
    const y = B.malloc(64);
    const z = B.malloc(64);
    B.malloc(8);
    const forged = forge(x, () => B.free(y));
    attempt(() => A.free(forged));
    expectDisjoint([z, B.malloc(64), B.malloc(64)]);
    A.close();
    B.close();
  });

  test('alloc/free: a valueOf offset cannot redirect the free', () => {
    const x = alloc(64);
    const y = alloc(64);
    const z = alloc(64);
    const forged = forge(x, () => free(y));
    attempt(() => free(forged));
    const again = [alloc(64), alloc(64), alloc(64)];
    expectDisjoint([z, ...again]);
    for (const b of [z, ...again]) free(b);
    attempt(() => free(x));
  });
});

describe('string byteOffset of a forged view', () => {
  test('ScalableAllocator: new buf.constructor(ab, \'0\', n) frees chunk 1, never chunk 10', () => {
    // Each 4 KiB request gets a chunk of its own: chunk ids 0, 1, 2, ...
    const a = new ScalableAllocator({ chunkSize: 4096, maxChunkSize: 4096, leakDetection: 'disabled' });
    const bufs = [];
    for (let i = 0; i < 12; i++) bufs.push(a.malloc(4096));
    a.malloc(8);
    const forged = new bufs[1].constructor(realBuffer(bufs[1]), '0', 4096);
    attempt(() => a.free(forged));
    const live = bufs.filter((_, i) => i !== 1);
    expectDisjoint([...live, a.malloc(4096), a.malloc(4096)]);
    a.close();
  });

  test('Arena: a string offset frees exactly the view\'s bytes or nothing', () => {
    const A = new Arena(4096);
    const x = A.malloc(64);
    const y = A.malloc(64);
    const forged = new x.constructor(realBuffer(y), '64', 64);
    const err = attempt(() => A.free(forged));
    if (err === undefined) expect(A.usedSize).toBe(64);
    expectDisjoint([x, A.malloc(64)]);
    A.close();
  });
});

describe('RecyclableMemory#addRecycleBytes()', () => {
  test('a call that fails records nothing for recycle()', () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    const mem = a.recyclable();
    const x = a.malloc(64);
    a.malloc(8);
    let reads = 0;
    class Flaky extends Uint8Array {
      get byteLength() {
        if (++reads > 1) throw new Error('second read');
        return realLength(this);
      }
    }
    const v = new Flaky(realBuffer(x), realOffset(x), 64);
    const err = attempt(() => mem.addRecycleBytes(v));
    expect(reads).toBe(0); // so the call cannot fail half-way: it recorded x and pushed it
    expect(err).toBeUndefined();
    expect(mem.count).toBe(1);
    mem.recycle(); // frees x, and only x
    expect(a.stats().allocations).toBe(1);
    a.close();
  });
});

describe('BytePool#put() with a lying view', () => {
  test('a negative byteOffset cannot release a live slot of the previous slab', () => {
    const pool = new BytePool([128], { leakDetection: 'disabled' });
    const live = [];
    for (let i = 0; i < 2049; i++) live.push(pool.get(128)); // slab 0 full, one slot of slab 1
    const last = live[live.length - 1];
    const { view, ran } = lyingView(last, 'byteOffset', () => -128);
    attempt(() => pool.put(view));
    expect(ran()).toBe(0);
    const again = pool.get(128);
    expectDisjoint([...live.slice(-3, -1), again]);
    for (const b of live.slice(0, -1)) expect(b).not.toBe(again);
    pool.close();
  });

  test('a length getter that re-enters put() cannot put a slot twice', () => {
    const pool = new BytePool([128], { leakDetection: 'disabled' });
    const x = pool.get(128);
    const sub = x.subarray(0, 64);
    const { view, ran } = lyingView(sub, 'length', () => pool.put(x));
    attempt(() => pool.put(view));
    expect(ran()).toBe(0);
    const a = pool.get(128);
    const b = pool.get(128);
    expectDisjoint([a, b]);
    pool.close();
  });
});

describe('ArenaPool: a released arena re-entered from a getter', () => {
  test('cannot free the next holder\'s buffer', () => {
    const pool = new ArenaPool({ numArenas: 1, arenaSize: 4096 });
    const a1 = pool.get();
    const x = a1.malloc(64);
    let a2 = null;
    let y = null;
    // The length getter runs last: by then the arena is the next holder's, and the
    // old chunk is detached, so it answers the length it had.
    const { view } = lyingView(x, 'length', () => {
      pool.release(a1);
      a2 = pool.get();
      y = a2.malloc(64);
    }, 64);
    attempt(() => a1.free(view));
    if (a2 === null) {
      pool.release(a1);
      a2 = pool.get();
      y = a2.malloc(64);
    }
    expectDisjoint([y, a2.malloc(64)]);
    pool.close();
  });
});

describe('Proxies and own-property overrides', () => {
  test('a Proxy of a pool buffer is refused with ERR_INVALID_ARG_TYPE and runs no trap during the free', () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    const x = a.malloc(64);
    let traps = 0;
    const p = new Proxy(x, { get(t, k, r) { traps++; return Reflect.get(t, k, r); } });
    expectCode(() => a.free(p), 'ERR_INVALID_ARG_TYPE');
    const A = new Arena(256);
    expectCode(() => A.free(p), 'ERR_INVALID_ARG_TYPE');
    expectCode(() => free(p), 'ERR_INVALID_ARG_TYPE');
    a.free(x);
    expect(a.stats().allocations).toBe(0);
    a.close();
    A.close();
    void traps;
  });

  test('an own length getter on a pool buffer is never called', () => {
    const a = new ScalableAllocator({ leakDetection: 'disabled' });
    const A = new Arena(4096);
    const x = a.malloc(64);
    const y = A.malloc(64);
    const z = alloc(64);
    let calls = 0;
    for (const b of [x, y, z]) {
      for (const prop of ['length', 'byteLength', 'byteOffset', 'buffer']) {
        Object.defineProperty(b, prop, { get() { calls++; return 3; } });
      }
    }
    a.free(x);
    A.free(y);
    free(z);
    expect(calls).toBe(0);
    expect(a.stats().allocations).toBe(0);
    expect(A.usedSize).toBe(0);
    a.close();
    A.close();
  });

  test('patched %TypedArray%.prototype getters after load are never called', () => {
    const saved = {};
    let calls = 0;
    const A = new Arena(4096);
    const x = A.malloc(64);
    const plain = new Uint8Array(realBuffer(x), realOffset(x), 64);
    for (const prop of ['length', 'byteLength', 'byteOffset', 'buffer']) {
      saved[prop] = Object.getOwnPropertyDescriptor(TA, prop);
      Object.defineProperty(TA, prop, { configurable: true, get() { calls++; return saved[prop].get.call(this); } });
    }
    try {
      A.free(plain);
    } finally {
      for (const prop of Object.keys(saved)) Object.defineProperty(TA, prop, saved[prop]);
    }
    expect(calls).toBe(0);
    expect(A.usedSize).toBe(0);
    A.close();
  });
});

describe('a patched %TypedArray%.prototype runs no caller code inside a pool operation', () => {
  // The pools' own tables are typed arrays: growing them (more blocks, class
  // stacks, slots, RecyclableMemory entries) and clearing them must not read
  // an accessor or call a method a caller can replace.
  const PATCHED = ['length', 'byteLength', 'byteOffset', 'buffer', 'set', 'fill', 'subarray', 'slice', 'copyWithin'];

  // Under Jest, Uint8Array is the outer realm's and the other typed arrays
  // the test context's: two %TypedArray%.prototype objects, both patched.
  const PROTOTYPES = [...new Set([Uint8Array, Int8Array, Int32Array, Float64Array]
    .map((T) => Object.getPrototypeOf(T.prototype)))];

  function withPatchedTypedArrays(fn) {
    const saved = [];
    const called = new Set();
    for (const proto of PROTOTYPES) {
      for (const prop of PATCHED) {
        const d = Object.getOwnPropertyDescriptor(proto, prop);
        saved.push([proto, prop, d]);
        const patched = d.get
          ? { configurable: true, get() { called.add(prop); return d.get.call(this); } }
          : { configurable: true, writable: true, value(...args) { called.add(prop); return d.value.apply(this, args); } };
        Object.defineProperty(proto, prop, patched);
      }
    }
    try {
      fn();
    } finally {
      for (const [proto, prop, d] of saved) Object.defineProperty(proto, prop, d);
    }
    return [...called];
  }

  // 300 buffers in three size classes, freed out of order, twice: block ids
  // and class stacks grow past their first capacity.
  function churn(malloc, release) {
    for (let round = 0; round < 2; round++) {
      const bufs = [];
      for (let i = 0; i < 300; i++) bufs.push(malloc(64 + (i % 3) * 700));
      for (let i = 0; i < 300; i += 2) release(bufs[i]);
      for (let i = 1; i < 300; i += 2) release(bufs[i]);
    }
  }

  // 300 buffers over every tier: each grows its slot tables.
  function getAndPutEvery(pool) {
    const got = [];
    for (let i = 0; i < 300; i++) got.push(pool.get(100 + i * 10));
    got.forEach((b) => pool.put(b));
  }

  test.each([
    ['Arena', () => new Arena(1 << 22), (p) => churn((n) => p.malloc(n), (b) => p.free(b))],
    ['ScalableAllocator', () => new ScalableAllocator(), (p) => {
      churn((n) => p.malloc(n), (b) => p.free(b));
      const r = p.recyclable();
      for (let i = 0; i < 40; i++) r.nextN(100 + i); // more entries than the ledger starts with
      r.recycle();
      p.recycle(); // clears the class stacks
    }],
    ['alloc()/free()', () => ({ close() {} }), () => churn(alloc, free)],
    ['Arena, safe mode', () => new Arena(1 << 22, { safe: true }), (p) => churn((n) => p.malloc(n), (b) => p.free(b))],
    ['ScalableAllocator, safe mode', () => new ScalableAllocator({ safe: true }),
      (p) => churn((n) => p.malloc(n), (b) => p.free(b))],
    ['BytePool', () => new BytePool(), getAndPutEvery],
    ['BytePool, safe mode', () => new BytePool(undefined, { safe: true }), getAndPutEvery],
  ])('%s', (name, make, run) => {
    const pool = make();
    expect(withPatchedTypedArrays(() => run(pool))).toEqual([]);
    pool.close();
  });
});

describe('lib/ reads views only through lib/internal/intrinsics.js', () => {
  // An assignment (onread's `this.buffer = fn`, Node's own option name) reads nothing.
  test('no .buffer, .byteOffset or .byteLength property read in lib/ code', () => {
    const fs = require('node:fs');
    const path = require('node:path');
    const dir = path.join(__dirname, '..', 'lib');
    const hits = [];
    const files = fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.js'));
    for (const file of files.filter((f) => f !== path.join('internal', 'intrinsics.js'))) {
      fs.readFileSync(path.join(dir, file), 'utf8').split('\n').forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '');
        if (/\.(buffer|byteOffset|byteLength)\b(?!\s*=[^=])/.test(code)) hits.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });
});
