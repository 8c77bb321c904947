'use strict';
// ObjectPool<T>: bytepool's Pool[T] with a retention limit and a reset hook.

const { ObjectPool, PoolError } = require('../lib');
const { expectCode } = require('./helpers/expect_error');
const { heapPerOp } = require('./helpers/heap');
const { seededRandom } = require('./helpers/random');

describe('new ObjectPool()', () => {
  test('starts empty with max 1024 by default', () => {
    const pool = new ObjectPool(() => ({}));
    expect(pool.size).toBe(0);
    expect(pool.max).toBe(1024);
  });

  test.each([
    ['create not a function', [{}], 'ERR_INVALID_ARG_TYPE'],
    ['options not an object', [() => ({}), 3], 'ERR_INVALID_ARG_TYPE'],
    ['reset not a function', [() => ({}), { reset: 1 }], 'ERR_INVALID_ARG_TYPE'],
    ['a negative max', [() => ({}), { max: -1 }], 'ERR_OUT_OF_RANGE'],
    ['a fractional max', [() => ({}), { max: 1.5 }], 'ERR_OUT_OF_RANGE'],
    ['a string max', [() => ({}), { max: '2' }], 'ERR_INVALID_ARG_TYPE'],
  ])('rejects %s', (_, args, code) => {
    expectCode(() => new ObjectPool(...args), code);
  });
});

describe('ObjectPool#get()', () => {
  test('calls create() when empty, then hands back the most recently put item', () => {
    let made = 0;
    const pool = new ObjectPool(() => ({ id: made++ }));
    const a = pool.get();
    const b = pool.get();
    expect([a.id, b.id]).toEqual([0, 1]);
    pool.put(a);
    pool.put(b);
    expect(pool.get()).toBe(b);
    expect(pool.get()).toBe(a);
    expect(pool.get().id).toBe(2);
    expect(pool.size).toBe(0);
  });

  test('rejects a create() that returns a primitive, with ERR_INVALID_RETURN_VALUE', () => {
    const pool = new ObjectPool(() => 42);
    expectCode(() => pool.get(), 'ERR_INVALID_RETURN_VALUE', TypeError);
  });

  test('an error from create() propagates', () => {
    const pool = new ObjectPool(() => {
      throw new RangeError('boom');
    });
    expect(() => pool.get()).toThrow('boom');
  });
});

describe('ObjectPool#put()', () => {
  test('runs the reset hook before keeping the item', () => {
    const pool = new ObjectPool(() => ({ n: 0 }), { reset: (o) => { o.n = 0; } });
    const item = pool.get();
    item.n = 5;
    pool.put(item);
    expect(item.n).toBe(0);
    expect(pool.size).toBe(1);
  });

  test('keeps at most max idle items and drops the rest', () => {
    const pool = new ObjectPool(() => ({}), { max: 2 });
    const items = [pool.get(), pool.get(), pool.get()];
    items.forEach((i) => pool.put(i));
    expect(pool.size).toBe(2);
    expect(pool.get()).toBe(items[1]);
  });

  test('max 0 keeps nothing', () => {
    const pool = new ObjectPool(() => ({}), { max: 0 });
    pool.put(pool.get());
    expect(pool.size).toBe(0);
  });

  test('accepts objects it did not create (like sync.Pool)', () => {
    const pool = new ObjectPool(() => ({}));
    const foreign = [];
    pool.put(foreign);
    expect(pool.get()).toBe(foreign);
  });

  test('an item already idle throws ERR_POOLMEM_DOUBLE_FREE and changes nothing', () => {
    let resets = 0;
    const pool = new ObjectPool(() => ({}), { reset: () => resets++ });
    const item = pool.get();
    pool.put(item);
    expectCode(() => pool.put(item), 'ERR_POOLMEM_DOUBLE_FREE', PoolError);
    expect(pool.size).toBe(1);
    expect(resets).toBe(1);
    expect(pool.get()).toBe(item);
    expect(pool.get()).not.toBe(item); // never handed out twice
  });

  test('if reset throws, the item is not kept', () => {
    const pool = new ObjectPool(() => ({}), { reset: () => { throw new Error('bad'); } });
    expect(() => pool.put(pool.get())).toThrow('bad');
    expect(pool.size).toBe(0);
  });

  test('a put() of the same item from its own reset is refused: the item is kept once', () => {
    let inner;
    const pool = new ObjectPool(() => ({}), {
      reset: (item) => {
        if (inner === undefined) inner = expectCode(() => pool.put(item), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
      },
    });
    const item = pool.get();
    pool.put(item);
    expect(inner).toBeDefined();
    expect(pool.size).toBe(1);
    expect(pool.get()).toBe(item);
    expect(pool.get()).not.toBe(item);
  });

  test('a reset that puts other items into the same pool keeps each once', () => {
    const pool = new ObjectPool(() => ({ children: [] }), {
      reset: (item) => {
        for (const child of item.children.splice(0)) pool.put(child);
      },
    });
    const parent = pool.get();
    const a = pool.get();
    const b = pool.get();
    parent.children.push(a, b);
    pool.put(parent);
    expect(pool.size).toBe(3);
    expect(new Set([pool.get(), pool.get(), pool.get()])).toEqual(new Set([parent, a, b]));
  });

  test('an item whose reset threw can be put again', () => {
    let fail = true;
    const pool = new ObjectPool(() => ({}), { reset: () => { if (fail) throw new Error('bad'); } });
    const item = pool.get();
    expect(() => pool.put(item)).toThrow('bad');
    fail = false;
    pool.put(item);
    expect(pool.size).toBe(1);
  });

  test.each([['undefined', undefined], ['null', null], ['a number', 1], ['a string', 's']])(
    'rejects %s with ERR_INVALID_ARG_TYPE', (_, value) => {
      const pool = new ObjectPool(() => ({}));
      expectCode(() => pool.put(value), 'ERR_INVALID_ARG_TYPE');
      expect(pool.size).toBe(0);
    });
});

// A pool of objects exists to spare the garbage collector: getting an idle
// item and putting it back must allocate nothing, whatever order items come
// back in and with a reset hook too.
describe('ObjectPool allocates nothing in steady state', () => {
  const getPut = (pool) => pool.put(pool.get());
  const fourOutOfOrder = (pool) => {
    const a = pool.get(); const b = pool.get(); const c = pool.get(); const d = pool.get();
    pool.put(c); pool.put(a); pool.put(d); pool.put(b);
  };
  test.each([
    ['get then put', {}, getPut, 1],
    ['get then put, with a reset hook', { reset: (item) => { item.n = 0; } }, getPut, 1],
    ['four out, put back in another order', {}, fourOutOfOrder, 4],
  ])('%s', (_, options, cycle, idle) => {
    const pool = new ObjectPool(() => ({ n: 0 }), options);
    for (let i = 0; i < 10000; i++) cycle(pool); // warm: the pool holds its items, the code is optimized
    expect(heapPerOp(() => cycle(pool))).toBeLessThan(8);
    expect(pool.size).toBe(idle);
  });
});

// Random get/put sequences, double puts, foreign items, a reset hook that
// sometimes throws or puts another item, against a model: the idle items in
// order, and which item is idle.
describe('ObjectPool against a model', () => {
  test.each([1, 2, 3, 4, 5])('seed %i', (seed) => {
    const rnd = seededRandom(seed);
    const max = rnd.between(0, 6);
    let made = 0;
    const idle = []; // the model: idle items, most recently kept last
    const out = [];  // items handed out (or made here) and not idle
    let hook = null;
    const pool = new ObjectPool(() => ({ id: made++ }), { max, reset: (item) => hook?.(item) });
    const keep = (item) => {
      if (idle.length < max) idle.push(item);
    };
    const putModel = (item) => {
      // What a put(item) that succeeds does: the item is no longer out, and it
      // is kept if there is room. (A put of an idle item throws; the steps
      // below that try one check the throw themselves.)
      const i = out.indexOf(item);
      if (i >= 0) out.splice(i, 1);
      keep(item);
    };
    for (let step = 0; step < 2000; step++) {
      const r = rnd.int(10);
      if (r < 4) {
        const item = pool.get();
        if (idle.length > 0) expect(item).toBe(idle.pop());
        else expect(item.id).toBe(made - 1);
        out.push(item);
      } else if (r < 7 && out.length > 0) {
        const item = out[rnd.int(out.length)];
        const throws = rnd.int(8) === 0;
        hook = throws ? () => { throw new Error('reset failed'); } : null;
        if (throws) {
          expect(() => pool.put(item)).toThrow('reset failed');
        } else {
          pool.put(item);
          putModel(item);
        }
      } else if (r < 8 && idle.length > 0) {
        const item = idle[rnd.int(idle.length)];
        hook = null;
        expectCode(() => pool.put(item), 'ERR_POOLMEM_DOUBLE_FREE');
      } else if (r < 9 && out.length > 1) {
        // The hook puts another out item, then tries to put this one again.
        const item = out[rnd.int(out.length)];
        const other = out.find((o) => o !== item);
        hook = (it) => {
          hook = null;
          pool.put(other);
          expectCode(() => pool.put(it), 'ERR_POOLMEM_DOUBLE_FREE');
        };
        pool.put(item);
        putModel(other);
        putModel(item);
      } else {
        const foreign = { id: -1 };
        hook = null;
        pool.put(foreign);
        keep(foreign);
      }
      expect(pool.size).toBe(idle.length);
    }
    // Every idle item comes back, most recently kept first, each once.
    hook = null;
    while (idle.length > 0) expect(pool.get()).toBe(idle.pop());
  });
});

describe('ObjectPool receiver checks', () => {
  test.each(['get', 'put'])('%s with a foreign this throws ERR_INVALID_THIS', (name) => {
    expectCode(() => ObjectPool.prototype[name].call({}, {}), 'ERR_INVALID_THIS', TypeError);
  });
  test.each(['size', 'max'])('%s getter with a foreign this throws ERR_INVALID_THIS', (name) => {
    const getter = Object.getOwnPropertyDescriptor(ObjectPool.prototype, name).get;
    expectCode(() => getter.call({}), 'ERR_INVALID_THIS');
  });
});
