'use strict';
// The native contract: binding.contract (native/addon/contract.cc) is the one
// source of the numbers JS and C++ share, lib/internal/native_contract.js reads it
// once, and nothing else in lib/ re-types one of them.

const fs = require('node:fs');
const path = require('node:path');
const binding = require('../lib/internal/binding');
const contract = require('../lib/internal/native_contract');

const LIB = path.join(__dirname, '..', 'lib');

describe('binding.contract', () => {
  test('is frozen and holds safe integers only', () => {
    expect(Object.isFrozen(binding.contract)).toBe(true);
    for (const [name, value] of Object.entries(binding.contract)) {
      expect([name, Number.isSafeInteger(value)]).toEqual([name, true]);
    }
  });

  test('lib/internal/native_contract.js exports every name with the native value', () => {
    for (const [name, value] of Object.entries(binding.contract)) {
      expect([name, contract[name]]).toEqual([name, value]);
    }
  });

  test('the scratch slots are distinct where one call uses them together', () => {
    const { SLOT_POOL, SLOT_ARENA, SLOT_RELEASED_ARENA, SLOT_OFFSET, SLOT_CHUNK_HANDLE, SLOT_SIZE, SLOT_COUNT } = contract;
    const length = binding.arenaScratch.length;
    for (const slot of [SLOT_POOL, SLOT_ARENA, SLOT_RELEASED_ARENA, SLOT_OFFSET, SLOT_CHUNK_HANDLE, SLOT_SIZE, SLOT_COUNT]) {
      expect(slot).toBeGreaterThanOrEqual(0);
      expect(slot).toBeLessThan(length);
    }
    expect(new Set([SLOT_POOL, SLOT_OFFSET, SLOT_SIZE]).size).toBe(3); // arenaFree
    expect(new Set([SLOT_POOL, SLOT_CHUNK_HANDLE, SLOT_SIZE]).size).toBe(3); // scalableFree
    expect(new Set([SLOT_ARENA, SLOT_OFFSET, SLOT_SIZE]).size).toBe(3); // processFree
    expect(new Set([SLOT_POOL, SLOT_COUNT]).size).toBe(2); // scalableFreeBatch
  });

  test('the strategy kinds index binding.strategies()', () => {
    const names = binding.strategies();
    expect(names[contract.STRATEGY_TREAP]).toBe('treap');
    expect(names[contract.STRATEGY_AVL]).toBe('avl');
    expect(names[contract.STRATEGY_BUDDY]).toBe('buddy');
    expect(names[contract.STRATEGY_FIRST_FIT]).toBe('first-fit');
  });

  test('a binary that lacks a name fails at load with ERR_POOLMEM_NO_BINARY', () => {
    jest.isolateModules(() => {
      const { SLOT_POOL, ...partial } = binding.contract;
      jest.doMock('../lib/internal/binding', () => ({ ...binding, contract: Object.freeze(partial) }));
      expect(() => require('../lib/internal/native_contract')).toThrow(expect.objectContaining({ code: 'ERR_POOLMEM_NO_BINARY' }));
    });
    jest.dontMock('../lib/internal/binding');
  });
});

describe('lib/ names each native value once', () => {
  const sources = fs.readdirSync(LIB, { recursive: true })
    .filter((file) => file.endsWith('.js') && path.basename(file) !== 'native_contract.js')
    .map((file) => [file, fs.readFileSync(path.join(LIB, file), 'utf8')]);

  test('no file declares a contract name as a literal', () => {
    const names = Object.keys(binding.contract).join('|');
    const declared = new RegExp(`\\bconst (${names}) = [-\\d(]`, 'g');
    const found = sources.flatMap(([file, text]) => [...text.matchAll(declared)].map((m) => `${file}: ${m[0]}`));
    expect(found).toEqual([]);
  });

  test('no file indexes a scratch array with a number or speaks to a hot path directly', () => {
    const raw = /\b(\w*[sS]cratch)\[\d\]|binding\.(arena|scalable|process)(Scratch|Batch|Allocate|Free|Malloc|Borrow|Alloc)\b/g;
    const found = sources.flatMap(([file, text]) => [...text.matchAll(raw)].map((m) => `${file}: ${m[0]}`));
    expect(found).toEqual([]);
  });
});

describe('the hot-path helpers', () => {
  test('arenaAllocate/arenaFree speak through the named slots', () => {
    const { Arena } = require('..');
    const { handleOf } = require('../lib/arena');
    const arena = new Arena(4096, { strategy: 'first-fit' }); // no size classes: every call is native
    const pool = handleOf(arena).id();
    const offset = contract.arenaAllocate(pool, 100);
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(binding.arenaScratch[contract.SLOT_OFFSET]).toBe(offset);
    expect(contract.arenaFree(pool, offset, 100)).toBe(contract.FREE_OK);
    expect(contract.arenaFree(pool, offset, 100)).toBe(contract.FREE_DOUBLE);
    expect(contract.arenaAllocate(pool, 8192)).toBe(contract.NO_FIT);
    arena.close();
  });

  test('processAlloc/processFree report the arena and offset in their slots', () => {
    expect(contract.processAlloc(64)).toBe(contract.ALLOC_OK);
    const arena = contract.processArena();
    const offset = contract.processOffset();
    expect(offset % contract.PROCESS_ALIGNMENT).toBe(0);
    const result = contract.processFree(arena, offset, 64);
    expect([contract.PROCESS_FREE_OK, contract.PROCESS_ARENA_RELEASED, contract.PROCESS_ARENA_SPARED,
      contract.PROCESS_SPARE_RELEASED]).toContain(result);
  });
});

describe('native constructors take an options object read by name', () => {
  const ctors = {
    ArenaHandle: { size: 4096, strategyKind: 0, minBlock: 0, safe: false, hugePages: false },
    RangeAllocatorHandle: { size: 4096, strategyKind: 0, minBlock: 0 },
    SlabHandle: { size: 4096, hugePages: false },
    ScalableAllocatorHandle: {
      chunkSize: 4096, maxChunkSize: 4096, maxSize: 0, strategyKind: 0, minBlock: 0, safe: false, hugePages: false,
      chunks: [],
    },
  };
  const make = (name, options) => new binding[name](options);
  const close = (handle) => typeof handle.close === 'function' && handle.close();

  describe.each(Object.keys(ctors))('%s', (name) => {
    const full = ctors[name];

    test('builds from the fields in any order, extra fields ignored', () => {
      const reversed = Object.fromEntries(Object.entries(full).reverse());
      close(make(name, { ...reversed, unknown: 1 }));
    });

    test('positional arguments are refused: options must be an object', () => {
      expect(() => make(name, 4096)).toThrow(expect.objectContaining({
        name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE',
        message: 'The "options" argument must be of type object. Received type number',
      }));
    });

    test.each(Object.keys(full))('a missing or mistyped options.%s is a coded TypeError naming it', (field) => {
      const { [field]: _, ...missing } = full;
      expect(() => make(name, missing)).toThrow(expect.objectContaining({
        name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: expect.stringContaining(`"options.${field}"`),
      }));
      expect(() => make(name, { ...full, [field]: '1' })).toThrow(expect.objectContaining({
        name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: expect.stringContaining(`"options.${field}"`),
      }));
    });

    test('a number out of range is a coded RangeError naming the field', () => {
      const field = Object.keys(full).find((key) => typeof full[key] === 'number');
      for (const bad of [-1, 0.5, NaN, 2 ** 53]) {
        expect(() => make(name, { ...full, [field]: bad })).toThrow(expect.objectContaining({
          name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: expect.stringContaining(`"options.${field}"`),
        }));
      }
    });

    test('a throwing getter propagates its error and makes nothing', () => {
      const trap = new Proxy({ ...full }, {
        get(target, key) {
          if (key === 'size' || key === 'chunkSize') throw new Error('getter ran');
          return target[key];
        },
      });
      expect(() => make(name, trap)).toThrow('getter ran');
    });
  });

  test('an optional alignment is read when present', () => {
    const handle = new binding.RangeAllocatorHandle({ ...ctors.RangeAllocatorHandle, alignment: 64 });
    expect(handle.allocate(1)).toBe(0);
    expect(handle.allocate(1)).toBe(64);
    expect(() => new binding.RangeAllocatorHandle({ ...ctors.RangeAllocatorHandle, alignment: 0 }))
      .toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  });
});

describe('what native code writes into JS objects', () => {
  test('a chunk ArrayBuffer carries no property: JS knows its id by a private stamp', () => {
    const { ScalableAllocator } = require('..');
    const { chunksOf } = require('../lib/scalable_allocator');
    const allocator = new ScalableAllocator({ leakDetection: 'disabled' });
    const buf = allocator.malloc(64);
    const chunks = chunksOf(allocator).filter(Boolean);
    expect(chunks).toContain(buf.buffer);
    for (const chunk of chunks) expect(Reflect.ownKeys(chunk)).toEqual([]);
    allocator.free(buf);
    allocator.close();
  });
});
