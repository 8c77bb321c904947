'use strict';
// Every public method of every exported class, run in each hostile state:
// closed, freed, double-freed, foreign buffer, other pool's buffer, detached,
// wrong type, NaN, negative, huge. Each cell expects a coded error (or 'ok'
// where the state is legal for that method) and unchanged stats. A meta-test
// fails when a class or method is exported without a row here.

const poolmem = require('..');
const { expectCode } = require('./helpers/expect_error');

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

const { Arena, Memory, MemoryReader, RangeAllocator } = poolmem;
const { ArenaPool, BytePool, ObjectPool, PooledBuffer, RecyclableMemory, ScalableAllocator } = poolmem;
const { FrameReader, PooledMemory, PooledOnread } = poolmem;
const STATES = ['closed', 'freed', 'double-freed', 'foreign buffer', "other pool's buffer", 'detached', 'wrong type', 'NaN', 'negative', 'huge', 'exhausted'];

// A buffer whose ArrayBuffer is detached: from a closed arena.
function detachedBuffer() {
  const arena = new Arena(64);
  const buf = arena.malloc(16);
  arena.close();
  return buf;
}

function freedBuffer(arena, times) {
  const buf = arena.malloc(16);
  arena.free(buf);
  for (let i = 1; i < times; i++) {
    try {
      arena.free(buf);
    } catch {
      // the expected double free
    }
  }
  return buf;
}

// The hostile states of a malloc/free pool's buffer argument: freed(pool,
// times) frees a fresh buffer that many times, other() makes another pool's.
function mallocBufferStates(freed, other) {
  return {
    closed: [(a) => { const b = a.malloc(16); a.close(); return b; }, 'ERR_POOLMEM_CLOSED'],
    freed: [(a) => freed(a, 1), 'ERR_POOLMEM_DOUBLE_FREE'],
    'double-freed': [(a) => freed(a, 2), 'ERR_POOLMEM_DOUBLE_FREE'],
    'foreign buffer': [() => Buffer.allocUnsafe(16), 'ERR_POOLMEM_FOREIGN_BUFFER'],
    "other pool's buffer": [other, 'ERR_POOLMEM_FOREIGN_BUFFER'],
    detached: [() => detachedBuffer(), 'ERR_POOLMEM_FOREIGN_BUFFER'],
    'wrong type': [() => 'buffer', 'ERR_INVALID_ARG_TYPE'],
    NaN: [() => NaN, 'ERR_INVALID_ARG_TYPE'],
    negative: [() => -1, 'ERR_INVALID_ARG_TYPE'],
    huge: [() => Buffer.alloc(1 << 20), 'ERR_POOLMEM_FOREIGN_BUFFER'],
  };
}

// ... and of its size argument.
function mallocSizeStates() {
  return {
    closed: [(a) => { a.close(); return 8; }, 'ERR_POOLMEM_CLOSED'],
    'wrong type': [() => '8', 'ERR_INVALID_ARG_TYPE'],
    NaN: [() => NaN, 'ERR_OUT_OF_RANGE'],
    negative: [() => -8, 'ERR_OUT_OF_RANGE'],
    huge: [() => 2 ** 53, 'ERR_OUT_OF_RANGE'],
    'foreign buffer': [() => Buffer.alloc(8), 'ERR_INVALID_ARG_TYPE'],
  };
}

// Arena rows: [state] -> [prepare(arena) -> argument, expected code or 'ok'].
function arenaRows(safe) {
  const make = () => new Arena(4096, { safe });
  const stats = (a) => [a.size, a.freeSize, a.usedSize, a.heldSize, a.closed];
  const bufferStates = mallocBufferStates(freedBuffer, () => new Arena(64, { safe }).malloc(8));
  const sizeStates = mallocSizeStates();
  const closedOk = { closed: [(a) => { a.close(); }, 'ok'] };
  return {
    make,
    stats,
    methods: {
      malloc: [(a, arg) => a.malloc(arg), sizeStates],
      free: [(a, arg) => a.free(arg), bufferStates],
      close: [(a) => a.close(), closedOk],
      [Symbol.dispose]: [(a) => a[Symbol.dispose](), closedOk],
      size: [(a) => a.size, closedOk],
      freeSize: [(a) => a.freeSize, closedOk],
      usedSize: [(a) => a.usedSize, closedOk],
      heldSize: [(a) => a.heldSize, closedOk],
      safe: [(a) => a.safe, closedOk],
      closed: [(a) => a.closed, closedOk],
    },
  };
}

function rangeAllocatorRows() {
  const make = () => {
    const r = new RangeAllocator(1000);
    r.allocate(100);
    return r;
  };
  const stats = (r) => [r.size, r.freeSize, JSON.stringify(r.blocks())];
  const freeStates = {
    freed: [() => [100, 10], 'ERR_POOLMEM_DOUBLE_FREE'],
    'double-freed': [(r) => { r.free(0, 10); return [0, 10]; }, 'ERR_POOLMEM_DOUBLE_FREE'],
    'wrong type': [() => ['0', 10], 'ERR_INVALID_ARG_TYPE'],
    NaN: [() => [NaN, 10], 'ERR_OUT_OF_RANGE'],
    negative: [() => [0, -10], 'ERR_OUT_OF_RANGE'],
    huge: [() => [2 ** 52, 10], 'ERR_OUT_OF_RANGE'],
    'foreign buffer': [() => [Buffer.alloc(1), 1], 'ERR_INVALID_ARG_TYPE'],
  };
  const sizeStates = {
    'wrong type': [() => '10', 'ERR_INVALID_ARG_TYPE'],
    NaN: [() => NaN, 'ERR_OUT_OF_RANGE'],
    negative: [() => -10, 'ERR_OUT_OF_RANGE'],
    huge: [() => 2 ** 53, 'ERR_OUT_OF_RANGE'],
    'foreign buffer': [() => Buffer.alloc(1), 'ERR_INVALID_ARG_TYPE'],
  };
  const noArgs = { 'wrong type': [() => 'ignored', 'ok'] };
  return {
    make,
    stats,
    methods: {
      allocate: [(r, arg) => r.allocate(arg), sizeStates],
      find: [(r, arg) => r.find(arg), sizeStates],
      free: [(r, arg) => r.free(...arg), freeStates],
      reset: [(r, arg) => r.reset(arg), { ...sizeStates, NaN: [() => NaN, 'ERR_OUT_OF_RANGE'] }],
      blocks: [(r) => r.blocks(), noArgs],
      size: [(r) => r.size, noArgs],
      freeSize: [(r) => r.freeSize, noArgs],
    },
  };
}

function memoryRows() {
  const make = () => new Memory(Buffer.from([1, 2, 3]), Buffer.from([4, 5, 6]));
  const stats = (m) => [m.size, m.count, m.toBytes().toString('hex')];
  const ok = { 'wrong type': [() => 'ignored', 'ok'] };
  const bufferArg = {
    'wrong type': [() => 'abc', 'ERR_INVALID_ARG_TYPE'],
    NaN: [() => NaN, 'ERR_INVALID_ARG_TYPE'],
    negative: [() => -1, 'ERR_INVALID_ARG_TYPE'],
    huge: [() => 2 ** 53, 'ERR_INVALID_ARG_TYPE'],
  };
  const indexArg = {
    'wrong type': [() => ['0', Buffer.alloc(1)], 'ERR_INVALID_ARG_TYPE'],
    NaN: [() => [NaN, Buffer.alloc(1)], 'ERR_OUT_OF_RANGE'],
    negative: [() => [-3, Buffer.alloc(1)], 'ERR_OUT_OF_RANGE'],
    huge: [() => [2 ** 53, Buffer.alloc(1)], 'ERR_OUT_OF_RANGE'],
    'foreign buffer': [() => [0, new ArrayBuffer(1)], 'ERR_INVALID_ARG_TYPE'],
  };
  return {
    make,
    stats,
    methods: {
      size: [(m) => m.size, ok],
      count: [(m) => m.count, ok],
      buffers: [(m) => m.buffers, ok],
      pushOne: [(m, a) => m.pushOne(a), bufferArg],
      push: [(m, a) => m.push(Buffer.alloc(1), a), bufferArg],
      append: [(m, a) => m.append(a), { ...bufferArg, 'foreign buffer': [() => Buffer.alloc(1), 'ERR_INVALID_ARG_TYPE'] }],
      updateBuffer: [(m, a) => m.updateBuffer(...a), indexArg],
      reset: [(m, a) => m.reset(a), { 'wrong type': [(m) => { m.reset(); return 'ignored'; }, 'ok'] }],
      range: [(m, a) => m.range(a), bufferArg],
      copyTo: [(m, a) => m.copyTo(...a), {
        'wrong type': [() => ['x'], 'ERR_INVALID_ARG_TYPE'],
        NaN: [() => [Buffer.alloc(2), NaN], 'ERR_OUT_OF_RANGE'],
        negative: [() => [Buffer.alloc(2), -1], 'ERR_OUT_OF_RANGE'],
        huge: [() => [Buffer.alloc(2), 2 ** 53], 'ERR_OUT_OF_RANGE'],
      }],
      toBytes: [(m) => m.toBytes(), ok],
      equals: [(m, a) => m.equals(a), bufferArg],
      reader: [(m) => m.reader(), ok],
      writeTo: [(m, a) => m.writeTo(a), bufferArg],
      [Symbol.iterator]: [(m) => [...m], ok],
    },
  };
}

function memoryReaderRows() {
  const make = () => new MemoryReader(new Memory(Buffer.from([1, 2, 3]), Buffer.from([4, 5, 6])));
  const stats = (r) => [r.length, r.offset];
  const exhausted = (code = 'ERR_BUFFER_OUT_OF_BOUNDS') => ({ exhausted: [(r) => { r.moveToEnd(); }, code] });
  const ok = { 'wrong type': [() => 'ignored', 'ok'] };
  const countArg = (extra = {}) => ({
    'wrong type': [() => '1', 'ERR_INVALID_ARG_TYPE'],
    NaN: [() => NaN, 'ERR_OUT_OF_RANGE'],
    negative: [() => -1, 'ERR_OUT_OF_RANGE'],
    huge: [() => 2 ** 53, 'ERR_OUT_OF_RANGE'],
    ...extra,
  });
  const methods = {
    length: [(r) => r.length, ok],
    offset: [(r) => r.offset, ok],
    read: [(r, a) => r.read(a), { 'wrong type': [() => 'x', 'ERR_INVALID_ARG_TYPE'], NaN: [() => NaN, 'ERR_INVALID_ARG_TYPE'] }],
    readBytes: [(r, a) => r.readBytes(a), countArg({ exhausted: [(r) => { r.moveToEnd(); return 1; }, 'ERR_OUT_OF_RANGE'] })],
    readBE: [(r, a) => r.readBE(a), countArg({ exhausted: [(r) => { r.moveToEnd(); return 2; }, 'ERR_BUFFER_OUT_OF_BOUNDS'] })],
    readLE: [(r, a) => r.readLE(a), countArg({ exhausted: [(r) => { r.moveToEnd(); return 2; }, 'ERR_BUFFER_OUT_OF_BOUNDS'] })],
    skip: [(r, a) => r.skip(a), countArg({ exhausted: [(r) => { r.moveToEnd(); return 1; }, 'ERR_OUT_OF_RANGE'] })],
    unread: [(r, a) => r.unread(a), countArg({ exhausted: [() => 1, 'ERR_OUT_OF_RANGE'] })],
    rangeN: [(r, a) => r.rangeN(a, () => {}), countArg({ exhausted: [(r) => { r.moveToEnd(); return 1; }, 'ERR_OUT_OF_RANGE'] })],
    range: [(r, a) => r.range(a), { 'wrong type': [() => 'fn', 'ERR_INVALID_ARG_TYPE'] }],
    clipFront: [(r, a) => r.clipFront(a), { 'wrong type': [() => 'fn', 'ERR_INVALID_ARG_TYPE'] }],
    current: [(r) => r.current(), ok],
    moveToEnd: [(r) => r.moveToEnd(), exhausted('ok')],
  };
  for (const name of ['readByte', 'readUInt8', 'readUInt16BE', 'readUInt16LE', 'readUInt32BE', 'readUInt32LE',
    'readBigUInt64BE', 'readBigUInt64LE', 'leb128', 'leb128BigInt']) {
    methods[name] = [(r) => r[name](), exhausted()];
  }
  return { make, stats, methods };
}

// ---- BytePool, PooledBuffer, ObjectPool, ArenaPool ---------------------

// BytePool#put() of memory the pool did not hand out is legal: it counts as
// discarded and pools nothing. So the stats compared here leave `discarded`
// out; test/byte_pool.test.js asserts its count.
function bytePoolRows(safe) {
  const make = () => {
    const pool = new BytePool([128, 256], { safe });
    pool.get(100);
    return pool;
  };
  const stats = (p) => {
    const { discarded, ...rest } = p.stats();
    return JSON.stringify(rest);
  };
  const putBack = (p, times) => {
    const buf = p.get(128);
    for (let i = 0; i < times; i++) {
      try {
        p.put(buf);
      } catch {
        // the expected double put
      }
    }
    return buf;
  };
  const sizeStates = {
    closed: [(p) => { p.close(); return 8; }, 'ERR_POOLMEM_CLOSED'],
    'wrong type': [() => '8', 'ERR_INVALID_ARG_TYPE'],
    NaN: [() => NaN, 'ERR_OUT_OF_RANGE'],
    negative: [() => -8, 'ERR_OUT_OF_RANGE'],
    huge: [() => 2 ** 53, 'ERR_OUT_OF_RANGE'],
    'foreign buffer': [() => Buffer.alloc(8), 'ERR_INVALID_ARG_TYPE'],
  };
  const bufferStates = {
    closed: [(p) => { const b = p.get(8); p.close(); return b; }, 'ERR_POOLMEM_CLOSED'],
    freed: [(p) => putBack(p, 1), 'ERR_POOLMEM_DOUBLE_FREE'],
    'double-freed': [(p) => putBack(p, 2), 'ERR_POOLMEM_DOUBLE_FREE'],
    'foreign buffer': [() => Buffer.allocUnsafe(128), 'ok'],
    "other pool's buffer": [() => new BytePool([128], { safe }).get(128), 'ok'],
    detached: [(p) => { const b = putBack(p, 1); p.trim(); return b; }, 'ERR_POOLMEM_DOUBLE_FREE'],
    'wrong type': [() => 'buffer', 'ERR_INVALID_ARG_TYPE'],
    NaN: [() => NaN, 'ERR_INVALID_ARG_TYPE'],
    negative: [() => -1, 'ERR_INVALID_ARG_TYPE'],
    huge: [() => Buffer.alloc(1 << 20), 'ok'],
  };
  const closedOk = { closed: [(p) => { p.close(); }, 'ok'] };
  return {
    make,
    stats,
    methods: {
      get: [(p, arg) => p.get(arg), sizeStates],
      put: [(p, arg) => p.put(arg), bufferStates],
      getBuffer: [(p, arg) => p.getBuffer(arg), sizeStates],
      tierSizes: [(p) => p.tierSizes(), closedOk],
      trim: [(p) => p.trim(), closedOk],
      stats: [(p) => p.stats(), closedOk],
      metrics: [(p, arg) => p.metrics(arg), { ...closedOk, 'wrong type': [() => 5, 'ERR_INVALID_ARG_TYPE'] }],
      closed: [(p) => p.closed, closedOk],
      safe: [(p) => p.safe, closedOk],
      close: [(p) => p.close(), closedOk],
      [Symbol.dispose]: [(p) => p[Symbol.dispose](), closedOk],
    },
  };
}

function pooledBufferRows() {
  const poolOf = new WeakMap();
  const make = () => {
    const pool = new BytePool([128], { leakDetection: 'paranoid' });
    const pb = pool.getBuffer(100);
    poolOf.set(pb, pool);
    return pb;
  };
  const stats = (pb) => [JSON.stringify(poolOf.get(pb).stats()), pb.refCount];
  const released = (pb, times) => {
    for (let i = 0; i < times; i++) {
      try {
        pb.release();
      } catch {
        // the expected release below zero
      }
    }
  };
  const freedStates = (code) => ({
    freed: [(pb) => released(pb, 1), code],
    'double-freed': [(pb) => released(pb, 2), code],
  });
  return {
    make,
    stats,
    methods: {
      bytes: [(pb) => pb.bytes, {
        ...freedStates('ERR_POOLMEM_REFCOUNT'),
        closed: [(pb) => poolOf.get(pb).close(), 'ok'],
        detached: [(pb) => poolOf.get(pb).close(), 'ok'],
      }],
      refCount: [(pb) => pb.refCount, freedStates('ok')],
      retain: [(pb) => pb.retain(), freedStates('ERR_POOLMEM_REFCOUNT')],
      release: [(pb) => pb.release(), freedStates('ERR_POOLMEM_REFCOUNT')],
      borrow: [(pb) => pb.borrow(), freedStates('ERR_POOLMEM_REFCOUNT')],
      [Symbol.dispose]: [(pb) => pb[Symbol.dispose](), freedStates('ERR_POOLMEM_REFCOUNT')],
    },
  };
}

function objectPoolRows() {
  const make = () => new ObjectPool(() => ({}), { max: 4 });
  const stats = (p) => [p.size, p.max];
  const idle = (p, times) => {
    const item = p.get();
    for (let i = 0; i < times; i++) {
      try {
        p.put(item);
      } catch {
        // the expected double put
      }
    }
    return item;
  };
  return {
    make,
    stats,
    methods: {
      get: [(p) => p.get(), { 'wrong type': [() => 'ignored', 'ok'] }],
      put: [(p, arg) => p.put(arg), {
        freed: [(p) => idle(p, 1), 'ERR_POOLMEM_DOUBLE_FREE'],
        'double-freed': [(p) => idle(p, 2), 'ERR_POOLMEM_DOUBLE_FREE'],
        'wrong type': [() => 'item', 'ERR_INVALID_ARG_TYPE'],
        NaN: [() => NaN, 'ERR_INVALID_ARG_TYPE'],
        negative: [() => -1, 'ERR_INVALID_ARG_TYPE'],
      }],
      size: [(p) => p.size, { 'wrong type': [() => 'ignored', 'ok'] }],
      max: [(p) => p.max, { 'wrong type': [() => 'ignored', 'ok'] }],
    },
  };
}

function arenaPoolRows() {
  const make = () => {
    const pool = new ArenaPool({ numArenas: 2, arenaSize: 4096 });
    pool.get();
    return pool;
  };
  const stats = (p) => [p.available, p.numArenas, p.closed];
  const releasedArena = (p, times) => {
    const arena = p.get();
    p.release(arena);
    for (let i = 1; i < times; i++) {
      try {
        p.release(arena);
      } catch {
        // the expected double release
      }
    }
    return arena;
  };
  const closedOk = { closed: [(p) => { p.close(); }, 'ok'] };
  return {
    make,
    stats,
    methods: {
      get: [(p) => p.get(), { closed: [(p) => { p.close(); }, 'ERR_POOLMEM_CLOSED'] }],
      release: [(p, arg) => p.release(arg), {
        closed: [(p) => { const a = p.get(); p.close(); return a; }, 'ERR_POOLMEM_CLOSED'],
        freed: [(p) => releasedArena(p, 1), 'ERR_POOLMEM_DOUBLE_FREE'],
        'double-freed': [(p) => releasedArena(p, 2), 'ERR_POOLMEM_DOUBLE_FREE'],
        'foreign buffer': [() => new Arena(64), 'ERR_POOLMEM_FOREIGN_BUFFER'],
        "other pool's buffer": [() => new ArenaPool({ numArenas: 1, arenaSize: 64 }).get(), 'ERR_POOLMEM_FOREIGN_BUFFER'],
        'wrong type': [() => Buffer.alloc(4), 'ERR_INVALID_ARG_TYPE'],
        NaN: [() => NaN, 'ERR_INVALID_ARG_TYPE'],
      }],
      available: [(p) => p.available, closedOk],
      numArenas: [(p) => p.numArenas, closedOk],
      closed: [(p) => p.closed, closedOk],
      close: [(p) => p.close(), closedOk],
      [Symbol.dispose]: [(p) => p[Symbol.dispose](), closedOk],
    },
  };
}

// ScalableAllocator rows, fast and safe mode.
function scalableRows(safe) {
  const make = () => {
    const a = new ScalableAllocator({ safe, chunkSize: 4096, leakDetection: 'disabled' });
    a.malloc(16);
    return a;
  };
  const stats = (a) => JSON.stringify(a.stats());
  const freed = (a, times) => {
    const buf = a.malloc(16);
    a.malloc(16); // keeps the chunk in use
    for (let i = 0; i < times; i++) {
      try { a.free(buf); } catch { /* the expected double free */ }
    }
    return buf;
  };
  const bufferStates = mallocBufferStates(freed, () => new ScalableAllocator({ safe }).malloc(8));
  const sizeStates = mallocSizeStates();
  const keepStates = {
    closed: [(a) => { const b = a.malloc(16); a.close(); return [b, 1]; }, 'ERR_POOLMEM_CLOSED'],
    'foreign buffer': [() => [Buffer.alloc(16), 1], 'ERR_POOLMEM_FOREIGN_BUFFER'],
    "other pool's buffer": [() => [new ScalableAllocator({ safe }).malloc(8), 1], 'ERR_POOLMEM_FOREIGN_BUFFER'],
    'double-freed': [(a) => [freed(a, 2), 1], 'ERR_POOLMEM_DOUBLE_FREE'],
    'wrong type': [(a) => [a.malloc(16), '1'], 'ERR_INVALID_ARG_TYPE'],
    NaN: [(a) => [a.malloc(16), NaN], 'ERR_OUT_OF_RANGE'],
    negative: [(a) => [a.malloc(16), -1], 'ERR_OUT_OF_RANGE'],
  };
  const closedThrows = { closed: [(a) => { a.close(); }, 'ERR_POOLMEM_CLOSED'] };
  const closedOk = { closed: [(a) => { a.close(); }, 'ok'] };
  return {
    make,
    stats,
    methods: {
      malloc: [(a, arg) => a.malloc(arg), sizeStates],
      borrow: [(a, arg) => a.borrow(arg), sizeStates],
      free: [(a, arg) => a.free(arg), bufferStates],
      freeRest: [(a, arg) => a.freeRest(...arg), keepStates],
      trim: [(a) => a.trim(), closedThrows],
      recycle: [(a) => a.recycle(), closedThrows],
      recyclable: [(a) => a.recyclable(), closedThrows],
      stats: [(a) => a.stats(), closedOk],
      close: [(a) => a.close(), closedOk],
      [Symbol.dispose]: [(a) => a[Symbol.dispose](), closedOk],
      closed: [(a) => a.closed, closedOk],
      safe: [(a) => a.safe, closedOk],
      leakDetection: [(a) => a.leakDetection, closedOk],
    },
  };
}

// RecyclableMemory rows: states of its allocator and arguments.
function recyclableRows(safe) {
  const make = () => {
    const rm = new ScalableAllocator({ safe, leakDetection: 'disabled' }).recyclable();
    rm.nextN(16);
    return rm;
  };
  const stats = (rm) => [rm.size, rm.count, JSON.stringify(rm.allocator.stats())];
  const sizeStates = {
    closed: [(rm) => { rm.allocator.close(); return 8; }, 'ERR_POOLMEM_CLOSED'],
    'wrong type': [() => '8', 'ERR_INVALID_ARG_TYPE'],
    NaN: [() => NaN, 'ERR_OUT_OF_RANGE'],
    negative: [() => -8, 'ERR_OUT_OF_RANGE'],
    huge: [() => 2 ** 53, 'ERR_OUT_OF_RANGE'],
    'foreign buffer': [() => Buffer.alloc(8), 'ERR_INVALID_ARG_TYPE'],
  };
  const bufferStates = {
    closed: [(rm) => { const b = rm.allocator.malloc(8); rm.allocator.close(); return b; }, 'ERR_POOLMEM_CLOSED'],
    'foreign buffer': [() => Buffer.allocUnsafe(16), 'ERR_POOLMEM_FOREIGN_BUFFER'],
    "other pool's buffer": [() => new ScalableAllocator({ safe }).malloc(8), 'ERR_POOLMEM_FOREIGN_BUFFER'],
    detached: [() => detachedBuffer(), 'ERR_POOLMEM_FOREIGN_BUFFER'],
    'wrong type': [() => 'buffer', 'ERR_INVALID_ARG_TYPE'],
    NaN: [() => NaN, 'ERR_INVALID_ARG_TYPE'],
    negative: [() => -1, 'ERR_INVALID_ARG_TYPE'],
    huge: [() => Buffer.alloc(1 << 20), 'ERR_POOLMEM_FOREIGN_BUFFER'],
  };
  const emptiedAndClosed = { closed: [(rm) => { rm.recycle(); rm.allocator.close(); }, 'ok'] };
  return {
    make,
    stats,
    methods: {
      nextN: [(rm, arg) => rm.nextN(arg), sizeStates],
      addRecycleBytes: [(rm, arg) => rm.addRecycleBytes(arg), bufferStates],
      recycle: [(rm) => rm.recycle(), emptiedAndClosed],
      [Symbol.dispose]: [(rm) => rm[Symbol.dispose](), emptiedAndClosed],
      allocator: [(rm) => rm.allocator, { closed: [(rm) => { rm.allocator.close(); }, 'ok'] }],
      _onClipFront: [(rm, arg) => rm._onClipFront(arg), { 'foreign buffer': [() => Buffer.alloc(8), 'ok'] }],
    },
  };
}

// FrameReader rows: a reader over a pool with one frame half read.
function frameReaderRows() {
  const frame = Buffer.from([0, 0, 0, 8, 1, 2, 3]);
  const make = () => {
    const fr = new FrameReader({ pool: new BytePool(undefined, { leakDetection: 'disabled' }) });
    fr.push(frame);
    fr.next();
    return fr;
  };
  const stats = (fr) => [fr.frames, fr.assembled, fr.fallbacks, fr.pending];
  const pushStates = {
    closed: [(fr) => { fr.close(); return [Buffer.alloc(1)]; }, 'ok'],
    'wrong type': [() => ['chunk'], 'ERR_INVALID_ARG_TYPE'],
    NaN: [() => [Buffer.alloc(4), NaN], 'ERR_OUT_OF_RANGE'],
    negative: [() => [Buffer.alloc(4), -1], 'ERR_OUT_OF_RANGE'],
    huge: [() => [Buffer.alloc(4), 5], 'ERR_OUT_OF_RANGE'],
    detached: [() => [detachedBuffer()], 'ok'],
  };
  const plain = { closed: [(fr) => { fr.close(); }, 'ok'], 'wrong type': [() => 'ignored', 'ok'] };
  const exhausted = {
    exhausted: [() => undefined, 'ok'], // the chunk is used up: next() is null, nothing changes
    closed: [(fr) => { fr.close(); }, 'ok'],
  };
  return {
    make,
    stats: (fr) => stats(fr),
    methods: {
      push: [(fr, arg) => fr.push(...arg), pushStates],
      next: [(fr) => fr.next(), exhausted],
      advance: [(fr) => fr.advance(), exhausted],
      close: [(fr) => fr.close(), { closed: [(fr) => { fr.close(); }, 'ok'] }],
      frames: [(fr) => fr.frames, plain],
      assembled: [(fr) => fr.assembled, plain],
      fallbacks: [(fr) => fr.fallbacks, plain],
      pending: [(fr) => fr.pending, plain],
      source: [(fr) => fr.source, plain],
      start: [(fr) => fr.start, plain],
      end: [(fr) => fr.end, plain],
    },
  };
}

// PooledOnread rows: an adapter holding one pooled read buffer.
function pooledOnreadRows() {
  const make = () => {
    const pool = new BytePool(undefined, { leakDetection: 'disabled' });
    const adapter = new PooledOnread(pool, () => {}, { size: 1024 });
    adapter.buffer();
    adapter.pool = pool;
    return adapter;
  };
  const stats = (a) => [a.fallbacks, a.reads, a.pool.stats().tiers[1024].inUse];
  const closedOk = { closed: [(a) => { a.close(); }, 'ok'] };
  return {
    make,
    stats,
    methods: {
      watch: [(a, arg) => a.watch(arg), { 'wrong type': [() => 'socket', 'ERR_INVALID_ARG_TYPE'], NaN: [() => NaN, 'ERR_INVALID_ARG_TYPE'] }],
      keep: [(a) => a.keep(), { closed: [(a) => { a.close(); }, 'ERR_INVALID_STATE'], 'wrong type': [() => 1, 'ERR_INVALID_STATE'] }],
      close: [(a) => a.close(), closedOk],
      fallbacks: [(a) => a.fallbacks, closedOk],
      reads: [(a) => a.reads, closedOk],
      pooled: [(a) => a.pooled, closedOk],
    },
  };
}

// PooledMemory rows: a memory over a BytePool holding one pooled buffer.
function pooledMemoryRows() {
  const make = () => {
    const mem = new PooledMemory(new BytePool(undefined, { leakDetection: 'disabled', maxSize: 1 << 20 }));
    mem.nextN(16);
    return mem;
  };
  const stats = (mem) => [mem.size, mem.count, mem.fallbacks];
  const sizeStates = {
    'wrong type': [() => '8', 'ERR_INVALID_ARG_TYPE'],
    NaN: [() => NaN, 'ERR_OUT_OF_RANGE'],
    negative: [() => -8, 'ERR_OUT_OF_RANGE'],
    huge: [() => 2 ** 53, 'ERR_OUT_OF_RANGE'],
    'foreign buffer': [() => Buffer.alloc(8), 'ERR_INVALID_ARG_TYPE'],
  };
  const bufferStates = {
    'wrong type': [() => 'buffer', 'ERR_INVALID_ARG_TYPE'],
    NaN: [() => NaN, 'ERR_INVALID_ARG_TYPE'],
    negative: [() => -1, 'ERR_INVALID_ARG_TYPE'],
  };
  const emptied = { closed: [(mem) => { mem.recycle(); }, 'ok'] };
  return {
    make,
    stats,
    methods: {
      nextN: [(mem, arg) => mem.nextN(arg), sizeStates],
      addRecycleBytes: [(mem, arg) => mem.addRecycleBytes(arg), bufferStates],
      recycle: [(mem) => mem.recycle(), emptied],
      [Symbol.dispose]: [(mem) => mem[Symbol.dispose](), emptied],
      fallbacks: [(mem) => mem.fallbacks, emptied],
    },
  };
}

const MATRIX = {
  PooledMemory: [PooledMemory, pooledMemoryRows()],
  FrameReader: [FrameReader, frameReaderRows()],
  PooledOnread: [PooledOnread, pooledOnreadRows()],
  'Arena (fast)': [Arena, arenaRows(false)],
  'Arena (safe)': [Arena, arenaRows(true)],
  RangeAllocator: [RangeAllocator, rangeAllocatorRows()],
  Memory: [Memory, memoryRows()],
  MemoryReader: [MemoryReader, memoryReaderRows()],
  'BytePool (fast)': [BytePool, bytePoolRows(false)],
  'BytePool (safe)': [BytePool, bytePoolRows(true)],
  PooledBuffer: [PooledBuffer, pooledBufferRows()],
  ObjectPool: [ObjectPool, objectPoolRows()],
  ArenaPool: [ArenaPool, arenaPoolRows()],
  'ScalableAllocator (fast)': [ScalableAllocator, scalableRows(false)],
  'ScalableAllocator (safe)': [ScalableAllocator, scalableRows(true)],
  'RecyclableMemory (fast)': [RecyclableMemory, recyclableRows(false)],
  'RecyclableMemory (safe)': [RecyclableMemory, recyclableRows(true)],
};

const cells = [];
for (const [label, [, rows]] of Object.entries(MATRIX)) {
  for (const key of Reflect.ownKeys(rows.methods)) {
    const [call, states] = rows.methods[key];
    for (const state of Object.keys(states)) {
      cells.push([label, String(key.description ?? key), state, rows, call, states[state]]);
    }
  }
}

describe('hostile states', () => {
  test.each(cells)('%s#%s() when %s', (_, __, state, rows, call, [prepare, expected]) => {
    expect(STATES).toContain(state);
    const obj = rows.make();
    const arg = prepare(obj);
    const before = rows.stats(obj);
    if (expected === 'ok') {
      call(obj, arg);
    } else {
      const err = expectCode(() => call(obj, arg), expected);
      if (expected.startsWith('ERR_POOLMEM_')) expect(err).toBeInstanceOf(poolmem.PoolError);
    }
    expect(rows.stats(obj)).toEqual(before);
  });
});

describe('hostile matrix coverage', () => {
  const exportedClasses = Object.entries(poolmem).filter(
    ([name, value]) => typeof value === 'function' && /^[A-Z]/.test(name) && name !== 'PoolError',
  );

  test('every exported class has rows', () => {
    const covered = new Set(Object.values(MATRIX).map(([cls]) => cls));
    for (const [name, cls] of exportedClasses) expect([name, covered.has(cls)]).toEqual([name, true]);
  });

  test('every prototype method and getter of every exported class has a row', () => {
    for (const [label, [cls, rows]] of Object.entries(MATRIX)) {
      for (const key of Reflect.ownKeys(cls.prototype)) {
        // Not public API: the constructor, subclass hooks (_name) and util.inspect's symbol.
        if (key === 'constructor' || key === INSPECT || (typeof key === 'string' && key.startsWith('_'))) continue;
        expect([label, String(key.description ?? key), key in rows.methods]).toEqual([label, String(key.description ?? key), true]);
      }
    }
  });

  test('every hostile state appears somewhere in the matrix', () => {
    const seen = new Set(cells.map((cell) => cell[2]));
    for (const state of STATES) expect([state, seen.has(state)]).toEqual([state, true]);
  });
});

describe('hostile calls in a child process', () => {
  test('thousands of hostile calls, public and raw binding, end in a normal exit', () => {
    const { spawnSync } = require('node:child_process');
    const path = require('node:path');
    const result = spawnSync(process.execPath, [path.join(__dirname, 'fixtures', 'hostile_calls.js')], {
      encoding: 'utf8',
      timeout: 60000,
    });
    expect(result.signal).toBeNull();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.calls).toBeGreaterThan(2000);
    // Raw-binding receivers rejected by V8's own signature check say "Illegal
    // invocation" without a code; everything public has a code.
    expect(report.uncoded.every((c) => c === 'uncoded:Illegal invocation' || c.startsWith('uncoded:Class constructor'))).toBe(true);
  });
});
