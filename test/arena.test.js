'use strict';
// Arena in fast mode (views over one chunk) and safe mode (one ArrayBuffer per
// allocation): real Buffers, validated frees, close(), and bad input.

const { constants } = require('node:buffer');
const { execFileSync } = require('node:child_process');
const { Arena, PoolError, SAFE_POISON, STRATEGIES } = require('..');
const { until } = require('./helpers/gc');
const { handleOf } = require('../lib/arena');
const { expectCode } = require('./helpers/expect_error');
const { seededRandom } = require('./helpers/random');

const MODES = [['fast', false], ['safe', true]];
// The largest Buffer this Node allows: 4 GiB on Node 20, 2 ** 53 - 1 on 22+.
const { MAX_LENGTH } = constants;

function stateOf(arena) {
  return { size: arena.size, freeSize: arena.freeSize, usedSize: arena.usedSize, closed: arena.closed };
}

describe.each(MODES)('Arena (%s mode)', (_, safe) => {
  let arena;
  beforeEach(() => {
    arena = new Arena(64 * 1024, { safe, alignment: 1 }); // byte-exact accounting
  });
  afterEach(() => arena.close());

  describe('Arena#malloc()', () => {
    test('returns a real Buffer of the requested length', () => {
      const buf = arena.malloc(100);
      expect(Buffer.isBuffer(buf)).toBe(true);
      expect(buf.length).toBe(100);
      expect(arena.usedSize).toBe(100);
      expect(arena.freeSize).toBe(64 * 1024 - 100);
      expect(arena.safe).toBe(safe);
    });

    test('every Buffer method works on the result', () => {
      const buf = arena.malloc(16);
      buf.fill(0);
      buf.writeUInt32BE(0xdeadbeef, 0);
      buf.write('pool', 4, 'latin1');
      expect(buf.readUInt32BE(0)).toBe(0xdeadbeef);
      expect(buf.toString('latin1', 4, 8)).toBe('pool');
      expect(buf.toString('hex', 0, 4)).toBe('deadbeef');
      expect(Buffer.isBuffer(buf.subarray(2, 6))).toBe(true);
      expect(Buffer.isBuffer(buf.slice(0, 4))).toBe(true);
      expect(buf.subarray(0, 4).equals(Buffer.from([0xde, 0xad, 0xbe, 0xef]))).toBe(true);
      expect(Buffer.concat([buf.subarray(4, 8), Buffer.from('!')]).toString()).toBe('pool!');
      expect(buf.indexOf('pool')).toBe(4);
      expect(JSON.stringify(buf.subarray(0, 2))).toBe('{"type":"Buffer","data":[222,173]}');
    });

    test('allocations never overlap', () => {
      const a = arena.malloc(1000);
      const b = arena.malloc(1000);
      a.fill(1);
      b.fill(2);
      expect(a.every((x) => x === 1)).toBe(true);
      expect(b.every((x) => x === 2)).toBe(true);
    });

    test('returns null when nothing fits, and changes nothing', () => {
      const all = arena.malloc(64 * 1024);
      expect(all.length).toBe(64 * 1024);
      const before = stateOf(arena);
      expect(arena.malloc(1)).toBeNull();
      expect(stateOf(arena)).toEqual(before);
    });

    test('malloc(0) is an empty Buffer that owns nothing', () => {
      const empty = arena.malloc(0);
      expect(Buffer.isBuffer(empty)).toBe(true);
      expect(empty.length).toBe(0);
      expect(arena.usedSize).toBe(0);
      arena.free(empty); // freeing zero bytes does nothing
      arena.free(empty);
      expect(arena.usedSize).toBe(0);
      const other = new Arena(64, { safe });
      expectCode(() => other.free(empty), 'ERR_POOLMEM_FOREIGN_BUFFER');
      other.close();
    });

    test.each([
      ['a string', '8', 'ERR_INVALID_ARG_TYPE', 'TypeError'],
      ['undefined', undefined, 'ERR_INVALID_ARG_TYPE', 'TypeError'],
      ['an object', {}, 'ERR_INVALID_ARG_TYPE', 'TypeError'],
      ['NaN', NaN, 'ERR_OUT_OF_RANGE', 'RangeError'],
      ['negative', -8, 'ERR_OUT_OF_RANGE', 'RangeError'],
      ['fractional', 8.5, 'ERR_OUT_OF_RANGE', 'RangeError'],
      ['above buffer.constants.MAX_LENGTH', MAX_LENGTH + 1, 'ERR_OUT_OF_RANGE', 'RangeError'],
      ['-0 as NaN-like garbage', -Infinity, 'ERR_OUT_OF_RANGE', 'RangeError'],
    ])('rejects %s with a coded error and no change', (_, size, code, name) => {
      arena.malloc(10);
      const before = stateOf(arena);
      expectCode(() => arena.malloc(size), code, name);
      expect(stateOf(arena)).toEqual(before);
    });
  });

  describe('Arena#free()', () => {
    test('returns the memory for reuse (safe mode: once the buffer is collected)', async () => {
      let a = arena.malloc(4096);
      arena.free(a);
      expect(arena.usedSize).toBe(0);
      expect(arena.heldSize).toBe(safe ? 4096 : 0);
      a = null;
      if (safe) expect(await until(() => arena.heldSize === 0)).toBe(true);
      const b = arena.malloc(64 * 1024);
      expect(b).not.toBeNull();
    });

    test('frees any subarray (partial free)', () => {
      const buf = arena.malloc(300);
      arena.free(buf.subarray(100, 200));
      expect(arena.usedSize).toBe(200);
      arena.free(buf.subarray(0, 100));
      arena.free(buf.subarray(200));
      expect(arena.usedSize).toBe(0);
    });

    test('double free throws ERR_POOLMEM_DOUBLE_FREE and changes nothing', () => {
      const keep = arena.malloc(50);
      const buf = arena.malloc(100);
      arena.free(buf);
      const before = stateOf(arena);
      const err = expectCode(() => arena.free(buf), 'ERR_POOLMEM_DOUBLE_FREE', 'PoolError');
      expect(err).toBeInstanceOf(PoolError);
      expect(stateOf(arena)).toEqual(before);
      expect(keep.length).toBe(50);
    });

    test('a partial double free throws and changes nothing', () => {
      const buf = arena.malloc(100);
      arena.free(buf.subarray(0, 50));
      const before = stateOf(arena);
      expectCode(() => arena.free(buf.subarray(40, 60)), 'ERR_POOLMEM_DOUBLE_FREE');
      expect(stateOf(arena)).toEqual(before);
      arena.free(buf.subarray(50));
      expect(arena.usedSize).toBe(0);
    });

    test("Node's own pooled Buffer is foreign and is left intact", () => {
      arena.malloc(10);
      const before = stateOf(arena);
      const nodeBuf = Buffer.allocUnsafe(10);
      expectCode(() => arena.free(nodeBuf), 'ERR_POOLMEM_FOREIGN_BUFFER', 'PoolError');
      expectCode(() => arena.free(Buffer.alloc(100)), 'ERR_POOLMEM_FOREIGN_BUFFER');
      expectCode(() => arena.free(new Uint8Array(8)), 'ERR_POOLMEM_FOREIGN_BUFFER');
      expectCode(() => arena.free(Buffer.alloc(0)), 'ERR_POOLMEM_FOREIGN_BUFFER');
      expect(stateOf(arena)).toEqual(before);
      // Node's 8 KiB pool slab must still work: nothing was detached.
      expect(Buffer.allocUnsafe(10).buffer.byteLength).toBeGreaterThan(0);
      expect(Buffer.from('still fine').toString()).toBe('still fine');
    });

    test("another arena's buffer is foreign", () => {
      const other = new Arena(4096, { safe, alignment: 1 });
      const theirs = other.malloc(100);
      expectCode(() => arena.free(theirs), 'ERR_POOLMEM_FOREIGN_BUFFER');
      expect(other.usedSize).toBe(100);
      other.free(theirs);
      other.close();
    });

    test.each([
      ['a number', 5],
      ['a string', 'buf'],
      ['null', null],
      ['an ArrayBuffer', new ArrayBuffer(8)],
      ['a Uint16Array', new Uint16Array(4)],
      ['a DataView', new DataView(new ArrayBuffer(8))],
    ])('rejects %s with ERR_INVALID_ARG_TYPE', (_, value) => {
      expectCode(() => arena.free(value), 'ERR_INVALID_ARG_TYPE', 'TypeError');
    });
  });

  describe('Arena#close()', () => {
    test('outstanding views read length 0 afterwards (safe mode: poison, still attached)', () => {
      const buf = arena.malloc(100);
      const sub = buf.subarray(10, 20);
      buf.fill(7);
      arena.close();
      expect(arena.closed).toBe(true);
      if (safe) {
        expect(buf.length).toBe(100);
        expect(sub.every((x) => x === SAFE_POISON)).toBe(true);
        return;
      }
      expect(buf.length).toBe(0);
      expect(sub.length).toBe(0);
      expect(buf[0]).toBeUndefined();
    });

    test('malloc and free after close throw ERR_POOLMEM_CLOSED', () => {
      const buf = arena.malloc(100);
      arena.close();
      expectCode(() => arena.malloc(1), 'ERR_POOLMEM_CLOSED', 'PoolError');
      expectCode(() => arena.free(buf), 'ERR_POOLMEM_CLOSED');
      arena.close(); // idempotent
    });

    test('Symbol.dispose closes', () => {
      const a = new Arena(4096, { safe });
      const buf = a.malloc(10);
      a[Symbol.dispose]();
      expect(a.closed).toBe(true);
      expect(buf.length).toBe(safe ? 10 : 0);
    });
  });
});

describe.each(MODES)('Arena#usedSize (%s mode)', (_, safe) => {
  // A strategy cannot hand out a tail below one granule (1000 = 62 * 16 + 8
  // for first-fit, 15 * 64 + 40 for buddy): it is neither used nor free.
  test.each(STRATEGIES)('a fresh Arena(1000) with %s has 0 bytes used', (strategy) => {
    const arena = new Arena(1000, { strategy, safe });
    expect(arena.usedSize).toBe(0);
    expect(arena.usedSize + arena.freeSize).toBeLessThanOrEqual(arena.size);
    const buf = arena.malloc(10);
    expect(arena.usedSize).toBeGreaterThanOrEqual(10);
    expect(arena.usedSize + arena.freeSize + arena.heldSize).toBeLessThanOrEqual(arena.size);
    arena.free(buf);
    if (!safe) expect(arena.usedSize).toBe(0);
    arena.close();
  });

  test.each(STRATEGIES)('with %s, the tail below one alignment unit is not used either', (strategy) => {
    const arena = new Arena(1001, { strategy, safe, alignment: 64 });
    expect(arena.usedSize).toBe(0);
    arena.close();
  });
});

describe('Arena fast mode', () => {
  test('a view kept after free() may see new data (the documented contract)', () => {
    const arena = new Arena(4096);
    const first = arena.malloc(16);
    arena.free(first);
    const second = arena.malloc(16);
    second.fill(9);
    expect(first.buffer).toBe(second.buffer);
    expect(first[0]).toBe(9);
    arena.close();
  });

  test('stays within its one chunk', () => {
    const arena = new Arena(4096);
    const a = arena.malloc(10);
    const b = arena.malloc(10);
    expect(a.buffer).toBe(b.buffer);
    expect(a.buffer.byteLength).toBe(4096);
    expect(b.byteOffset).toBe(16); // the default alignment, 8, rounds 10 up
    arena.close();
  });
});

describe('Arena safe mode', () => {
  test('one ArrayBuffer per allocation, poisoned (not detached) when freed', () => {
    const arena = new Arena(4096, { safe: true });
    const a = arena.malloc(10).fill(1);
    const b = arena.malloc(10).fill(1);
    expect(a.buffer).not.toBe(b.buffer);
    expect(a.buffer.byteLength).toBe(10);
    arena.free(a.subarray(0, 5));
    expect(a.length).toBe(10);
    arena.free(a.subarray(5));
    expect(a.length).toBe(10); // stale views read poison, a socket write of them sends it
    expect(a.every((x) => x === SAFE_POISON)).toBe(true);
    expect(b.every((x) => x === 1)).toBe(true);
    arena.close();
  });

  test('POOLMEM_SAFE=1 turns safe mode on by default', () => {
    const saved = process.env.POOLMEM_SAFE;
    process.env.POOLMEM_SAFE = '1';
    try {
      const arena = new Arena(4096);
      expect(arena.safe).toBe(true);
      arena.close();
      expect(new Arena(4096, { safe: false }).safe).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.POOLMEM_SAFE;
      else process.env.POOLMEM_SAFE = saved;
    }
  });
});

describe('new Arena()', () => {
  test.each([
    [0, 'ERR_OUT_OF_RANGE'],
    [-1, 'ERR_OUT_OF_RANGE'],
    [1.5, 'ERR_OUT_OF_RANGE'],
    [NaN, 'ERR_OUT_OF_RANGE'],
    [MAX_LENGTH + 1, 'ERR_OUT_OF_RANGE'],
    ['1024', 'ERR_INVALID_ARG_TYPE'],
    [undefined, 'ERR_INVALID_ARG_TYPE'],
  ])('rejects size %p', (size, code) => {
    expectCode(() => new Arena(size), code);
  });

  test('rejects bad options', () => {
    expectCode(() => new Arena(1024, { safe: 'yes' }), 'ERR_INVALID_ARG_TYPE');
    expectCode(() => new Arena(1024, { hugePages: 1 }), 'ERR_INVALID_ARG_TYPE');
    expectCode(() => new Arena(1024, { strategy: 42 }), 'ERR_INVALID_ARG_VALUE');
    expectCode(() => new Arena(1024, []), 'ERR_INVALID_ARG_TYPE');
  });

  test('hugePages is accepted and the arena works either way', () => {
    const arena = new Arena(4 * 1024 * 1024, { hugePages: true });
    const buf = arena.malloc(1024 * 1024);
    buf.fill(1);
    expect(buf[1024 * 1024 - 1]).toBe(1);
    expect(typeof handleOf(arena).stats()[2]).toBe('boolean');
    arena.close();
  });

  test('a 4 GiB arena (the Buffer limit) maps lazily and works', () => {
    const arena = new Arena(2 ** 32);
    expect(arena.size).toBe(2 ** 32);
    const buf = arena.malloc(2 ** 31);
    expect(buf.length).toBe(2 ** 31);
    buf[2 ** 31 - 1] = 5; // touches one page only
    expect(buf[2 ** 31 - 1]).toBe(5);
    arena.close();
  });

  // Node 22 and newer allow Buffers above 4 GiB; both modes map lazily and
  // hand out such a block (one page touched).
  const testAbove4GiB = MAX_LENGTH > 2 ** 32 ? test.each(MODES) : test.skip.each(MODES);
  testAbove4GiB('an arena and a block above 4 GiB work where Node allows such Buffers (%s mode)', (_, safe) => {
    const arena = new Arena(2 ** 33, { safe });
    const buf = arena.malloc(2 ** 32 + 16);
    expect(buf.length).toBe(2 ** 32 + 16);
    buf[buf.length - 1] = 7;
    expect(buf[buf.length - 1]).toBe(7);
    expect(arena.usedSize).toBe(2 ** 32 + 16);
    arena.free(buf);
    expect(arena.usedSize).toBe(0);
    arena.close();
  });

  // ASan's shadow memory needs terabytes of address space, so no `ulimit -v`
  // child can start under the sanitizer run (scripts/test-asan.sh).
  const testUnlessAsan = process.env.POOLMEM_UNDER_ASAN ? test.skip : test;
  testUnlessAsan('a mapping the kernel refuses throws ERR_POOLMEM_OUT_OF_MEMORY', () => {
    // Under a 3 GB address-space limit a 4 GiB mmap must fail.
    const script = `
      const { Arena, PoolError } = require(${JSON.stringify(require.resolve('..'))});
      try { new Arena(2 ** 32); console.log('mapped'); }
      catch (e) { console.log(e.code, e instanceof PoolError); }
      console.log(new Arena(1 << 20).malloc(10).length);`;
    const out = execFileSync('bash', ['-c', `ulimit -v 3000000 && exec "${process.execPath}" -e "$0"`, script], {
      encoding: 'utf8',
    });
    expect(out.trim().split('\n')).toEqual(['ERR_POOLMEM_OUT_OF_MEMORY true', '10']);
  });
});

describe('Arena receivers', () => {
  test.each(['malloc', 'free', 'close'])('%s() on a foreign receiver throws ERR_INVALID_THIS', (method) => {
    expectCode(() => Arena.prototype[method].call({}, 1), 'ERR_INVALID_THIS', 'TypeError');
    expectCode(() => Arena.prototype[method].call(null, 1), 'ERR_INVALID_THIS');
  });

  test.each(['size', 'freeSize', 'usedSize', 'safe', 'closed'])('%s getter on a foreign receiver throws', (name) => {
    const getter = Object.getOwnPropertyDescriptor(Arena.prototype, name).get;
    expectCode(() => getter.call({}), 'ERR_INVALID_THIS');
  });
});

describe.each(MODES)('Arena model (%s mode)', (_, safe) => {
  // Seeded random malloc / partial free / free, checked after every step
  // against a byte model: no two live ranges overlap, freeSize is exact, and
  // the bytes written into every live buffer are intact at the end.
  test('4000 random steps', () => {
    const rand = seededRandom(safe ? 99 : 7).int;
    const size = 32 * 1024;
    const arena = new Arena(size, { safe, alignment: 1 }); // the model counts bytes
    const owner = new Int32Array(size).fill(-1); // model: which live id owns each byte
    const live = new Map(); // id -> { buf, pattern }
    let nextId = 0;
    let modelUsed = 0;
    for (let step = 0; step < 4000; step++) {
      const op = live.size === 0 ? 0 : rand(10);
      if (op < 5) {
        const want = 1 + rand(1024);
        const buf = arena.malloc(want);
        if (buf === null) continue;
        const id = nextId++;
        const pattern = 1 + (id % 251);
        buf.fill(pattern);
        // Fast mode exposes offsets in the chunk; safe mode has its own buffer.
        if (!safe) {
          for (let i = buf.byteOffset; i < buf.byteOffset + want; i++) {
            expect(owner[i]).toBe(-1);
            owner[i] = id;
          }
        }
        modelUsed += want;
        live.set(id, { buf, pattern });
      } else {
        const ids = [...live.keys()];
        const id = ids[rand(ids.length)];
        const entry = live.get(id);
        const { buf } = entry;
        expect(buf.every((x) => x === entry.pattern)).toBe(true);
        const whole = op < 8 || buf.length === 1;
        const piece = whole ? buf : buf.subarray(buf.length >> 1);
        if (!safe) owner.fill(-1, piece.byteOffset, piece.byteOffset + piece.length);
        modelUsed -= piece.length;
        arena.free(piece);
        if (whole) live.delete(id);
        else entry.buf = buf.subarray(0, buf.length >> 1);
      }
      expect(arena.usedSize).toBe(modelUsed);
    }
    for (const { buf, pattern } of live.values()) {
      expect(buf.every((x) => x === pattern)).toBe(true);
      arena.free(buf);
    }
    expect(arena.usedSize).toBe(0);
    expect(handleOf(arena).validate()).toBe(true);
    arena.close();
  });
});
