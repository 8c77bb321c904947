'use strict';
// Memory: a list of Buffers plus their total size (GoMem Memory), zero-copy.
// Invariants: every entry of _buffers is a real Buffer (other Uint8Arrays are
// wrapped by view(), never copied) and _size is the sum of their lengths.
// Fixed from the original GoMem: updateBuffer adjusts
// the size, copyTo copies what fits, equals compares content however split.

const { Buffer } = require('node:buffer');
const { inspect } = require('node:util');
const { codes } = require('./internal/errors');
const {
  ArrayPrototypeSlice, ArrayPrototypeSplice, ownArray, viewBuffer, viewByteLength, viewByteOffset,
} = require('./internal/intrinsics');
const { view } = require('./internal/pool_buffer');
const { isUint8Array, validateBuffer, validateFunction, validateInteger, validateOptions } = require('./internal/validators');

const { ERR_INVALID_ARG_TYPE, ERR_INVALID_THIS, ERR_OUT_OF_RANGE, ERR_POOLMEM_OUT_OF_MEMORY } = codes;

let MemoryReader; // required lazily: memory_reader.js requires this file
let isMemory; // (value) => boolean: Memory or a subclass

// Pushed buffers are kept as given when they are Buffers, else wrapped
// (read through the intrinsic getters: a subclass's own getters never run).
function asBuffer(buf, name) {
  if (!isUint8Array(buf)) validateBuffer(buf, name);
  if (buf instanceof Buffer) return buf;
  return wrap(buf);
}

// A Buffer over exactly the bytes a Uint8Array views (none once it is detached).
const kEmpty = new ArrayBuffer(0);
function wrap(buf) {
  const length = viewByteLength(buf);
  return length === 0 ? view(kEmpty, 0, 0) : view(viewBuffer(buf), viewByteOffset(buf), length);
}

class Memory {
  // The fields below are the subclass interface (RecyclableMemory uses them);
  // users should treat them as private.
  //   _buffers: the live list, Buffers only. Mutate only through methods.
  //   _size:    sum of the lengths in _buffers.
  //   _head:    bytes ever removed from the front (clipFront, reset); readers
  //             keep absolute positions and re-derive theirs from it.
  //   _epoch:   bumped by every change other than appending; a reader whose
  //             epoch differs re-finds its position before its next read.
  _buffers = ownArray(); // no prototype: see ownArray() in lib/internal/intrinsics.js
  _size = 0;
  _head = 0;
  _epoch = 0;
  #brand = true;

  constructor(...buffers) {
    if (buffers.length !== 0) this.#pushAll(buffers);
  }

  static {
    isMemory = (value) => value !== null && typeof value === 'object' && #brand in value;
  }

  static #check(self) {
    if (!isMemory(self)) throw ERR_INVALID_THIS('Memory');
  }

  get size() {
    Memory.#check(this);
    return this._size;
  }

  get count() {
    Memory.#check(this);
    return this._buffers.length;
  }

  /** A snapshot of the list; changing it does not change the memory. */
  get buffers() {
    Memory.#check(this);
    return ArrayPrototypeSlice(this._buffers); // an ordinary array
  }

  // -------------------------------------------------------------------------
  // Adding and replacing buffers
  // -------------------------------------------------------------------------

  pushOne(buf) {
    Memory.#check(this);
    const b = asBuffer(buf, 'buf');
    const list = this._buffers;
    list[list.length] = b;
    this._size += b.length;
    return this;
  }

  push(...bufs) {
    Memory.#check(this);
    this.#pushAll(bufs);
    return this;
  }

  // A bad buffer anywhere in the list changes nothing.
  #pushAll(bufs) {
    const list = this._buffers;
    const start = list.length;
    let added = 0;
    for (let i = 0; i < bufs.length; i++) {
      let b = bufs[i];
      if (!isUint8Array(b)) {
        list.length = start;
        validateBuffer(b, `bufs[${i}]`);
      }
      if (!(b instanceof Buffer)) b = wrap(b);
      list[list.length] = b;
      added += b.length;
    }
    this._size += added;
  }

  /** Appends other's buffers (shared, not copied); appending itself doubles it. */
  append(other) {
    Memory.#check(this);
    if (!isMemory(other)) throw ERR_INVALID_ARG_TYPE('other', 'an instance of Memory', other);
    const src = other._buffers;
    const n = src.length;
    const added = other._size;
    const list = this._buffers;
    for (let i = 0; i < n; i++) list[list.length] = src[i];
    this._size += added;
    return this;
  }

  /** Replaces one buffer; a negative index counts from the end. */
  updateBuffer(index, buf) {
    Memory.#check(this);
    const n = this._buffers.length;
    validateInteger(index, 'index');
    if (index < -n || index >= n) {
      throw ERR_OUT_OF_RANGE('index', n === 0 ? 'the index of a buffer (there are none)' : `>= ${-n} && <= ${n - 1}`, index);
    }
    const b = asBuffer(buf, 'buf');
    const i = index < 0 ? n + index : index;
    this._size += b.length - this._buffers[i].length;
    this._buffers[i] = b;
    this._epoch++;
  }

  /** Drops every buffer. Readers continue with whatever is pushed next. */
  reset() {
    Memory.#check(this);
    this._buffers.length = 0;
    this._head += this._size;
    this._size = 0;
    this._epoch++;
  }

  // -------------------------------------------------------------------------
  // Reading the whole memory (the read position of readers plays no part)
  // -------------------------------------------------------------------------

  /** Calls fn(buf, index) for each buffer present at the start of the call. */
  range(fn) {
    Memory.#check(this);
    validateFunction(fn, 'fn');
    const bufs = this._buffers;
    const n = bufs.length;
    for (let i = 0; i < n && i < bufs.length; i++) fn(bufs[i], i);
  }

  *[Symbol.iterator]() {
    const bufs = this._buffers;
    const n = bufs.length;
    for (let i = 0; i < n && i < bufs.length; i++) yield bufs[i];
  }

  /** Copies as many bytes as fit into target from targetStart; returns the count. */
  copyTo(target, targetStart = 0) {
    Memory.#check(this);
    validateBuffer(target, 'target');
    validateInteger(targetStart, 'targetStart', 0);
    let at = targetStart;
    const end = viewByteLength(target); // intrinsic: no caller getter mid-copy
    const bufs = this._buffers;
    for (let i = 0; i < bufs.length && at < end; i++) {
      at += bufs[i].copy(target, at, 0, Math.min(bufs[i].length, end - at));
    }
    return Math.max(0, at - targetStart);
  }

  /** One new Buffer holding every byte (always a copy). */
  toBytes() {
    Memory.#check(this);
    const out = Buffer.allocUnsafe(this._size);
    const bufs = this._buffers;
    let at = 0;
    for (let i = 0; i < bufs.length; i++) at += bufs[i].copy(out, at);
    return out;
  }

  /** Same bytes in the same order, however either side is split. */
  equals(other) {
    Memory.#check(this);
    let theirs;
    if (isMemory(other)) theirs = other._buffers;
    else if (isUint8Array(other)) theirs = [asBuffer(other, 'other')];
    else throw ERR_INVALID_ARG_TYPE('other', 'an instance of Memory, Buffer or Uint8Array', other);
    const size = isMemory(other) ? other._size : viewByteLength(theirs[0]);
    if (size !== this._size) return false;
    const ours = this._buffers;
    let i = 0; let ip = 0; let j = 0; let jp = 0;
    for (let left = size; left > 0;) {
      while (ip === ours[i].length) { i++; ip = 0; }
      while (jp === theirs[j].length) { j++; jp = 0; }
      const n = Math.min(ours[i].length - ip, theirs[j].length - jp);
      if (ours[i].compare(theirs[j], jp, jp + n, ip, ip + n) !== 0) return false;
      ip += n; jp += n; left -= n;
    }
    return true;
  }

  reader() {
    Memory.#check(this);
    MemoryReader ??= require('./memory_reader').MemoryReader;
    return new MemoryReader(this);
  }

  // -------------------------------------------------------------------------
  // Streams
  // -------------------------------------------------------------------------

  /**
   * Writes every buffer to a Writable in one corked batch, so a stream with
   * _writev (a net.Socket) gets them in one vectored call. Resolves with the
   * byte count once the stream has flushed them; the memory is not consumed.
   */
  writeTo(writable) {
    Memory.#check(this);
    if (writable === null || typeof writable !== 'object' || typeof writable.write !== 'function') {
      throw ERR_INVALID_ARG_TYPE('writable', 'a Writable stream', writable);
    }
    const bufs = nonEmptyBuffers(this);
    const size = this._size;
    return new Promise((resolve, reject) => {
      if (bufs.length === 0) {
        resolve(0);
        return;
      }
      const done = (err) => (err ? reject(err) : resolve(size));
      const cork = typeof writable.cork === 'function' && typeof writable.uncork === 'function';
      if (cork) writable.cork();
      try {
        for (let i = 0; i < bufs.length - 1; i++) writable.write(bufs[i]);
        writable.write(bufs[bufs.length - 1], done);
      } catch (err) {
        reject(err);
      } finally {
        if (cork) writable.uncork();
      }
    });
  }

  /**
   * Collects a stream's chunks. Without an allocator they are kept as they
   * arrive (no copy). With options.allocator each chunk is copied into pooled
   * memory: an allocator with recyclable() (ScalableAllocator) yields a
   * RecyclableMemory whose recycle() frees them all; one with malloc()/free()
   * (Arena) yields a Memory whose buffers the caller frees.
   */
  static async from(readable, options = undefined) {
    if (readable === null || typeof readable !== 'object' || typeof readable[Symbol.asyncIterator] !== 'function') {
      throw ERR_INVALID_ARG_TYPE('readable', 'an async iterable of Uint8Array (a Readable)', readable);
    }
    const { allocator } = validateOptions(options);
    if (allocator === undefined) {
      const mem = new Memory();
      for await (const chunk of readable) mem.pushOne(checkChunk(chunk));
      return mem;
    }
    if (allocator === null || typeof allocator !== 'object') {
      throw ERR_INVALID_ARG_TYPE('options.allocator', 'an object with recyclable() or malloc()', allocator);
    }
    if (typeof allocator.recyclable === 'function') return collectRecyclable(readable, allocator.recyclable());
    if (typeof allocator.malloc === 'function' && typeof allocator.free === 'function') {
      return collectMalloc(readable, allocator, new Memory());
    }
    throw ERR_INVALID_ARG_TYPE('options.allocator', 'an object with recyclable() or malloc()', allocator);
  }

  // -------------------------------------------------------------------------
  // Subclass interface
  // -------------------------------------------------------------------------

  /**
   * Hook: called by MemoryReader#clipFront() once for each whole buffer it
   * removes from the front, after that buffer is out of the list and after the
   * caller's own callback has seen it. The default does nothing;
   * RecyclableMemory overrides it to free consumed pieces it allocated. A
   * partly consumed buffer is not passed here: it stays referenced through
   * the view of its unread rest that replaces it in the list.
   */
  _onClipFront(_buf) {}

  // Removes `whole` buffers and then `prefix` bytes of the next one from the
  // front (MemoryReader#clipFront). fn sees every removed piece first.
  _clipFront(whole, prefix, fn) {
    const bufs = this._buffers;
    const dropped = ArrayPrototypeSplice(bufs, 0, whole);
    let removed = prefix;
    for (let i = 0; i < dropped.length; i++) removed += dropped[i].length;
    let rest = null;
    if (prefix !== 0) {
      const b = bufs[0];
      rest = view(viewBuffer(b), viewByteOffset(b) + prefix, viewByteLength(b) - prefix);
      bufs[0] = rest;
    }
    this._size -= removed;
    this._head += removed;
    this._epoch++;
    // A throwing fn must not stop the hook from seeing every dropped buffer:
    // the first error is rethrown once all have been handed out.
    let failed = false;
    let error;
    const give = (piece) => {
      try {
        fn(piece);
      } catch (err) {
        if (!failed) error = err;
        failed = true;
      }
    };
    for (let i = 0; i < dropped.length; i++) {
      if (fn !== undefined) give(dropped[i]);
      this._onClipFront(dropped[i]);
    }
    if (prefix !== 0 && fn !== undefined) give(view(viewBuffer(rest), viewByteOffset(rest) - prefix, prefix));
    if (failed) throw error;
  }

  [inspect.custom](depth, options) {
    if (depth < 0) return options.stylize('[Memory]', 'special');
    return `${this.constructor.name} { size: ${this._size}, count: ${this._buffers.length} }`;
  }
}

function checkChunk(chunk) {
  if (!isUint8Array(chunk)) throw ERR_INVALID_ARG_TYPE('chunk', 'an instance of Buffer or Uint8Array', chunk);
  return chunk;
}

async function collectRecyclable(readable, mem) {
  try {
    for await (const chunk of readable) {
      checkChunk(chunk);
      if (chunk.length !== 0) mem.nextN(chunk.length).set(chunk);
    }
    return mem;
  } catch (err) {
    mem.recycle();
    throw err;
  }
}

async function collectMalloc(readable, allocator, mem) {
  try {
    for await (const chunk of readable) {
      checkChunk(chunk);
      if (chunk.length === 0) continue;
      const buf = allocator.malloc(chunk.length);
      if (buf === null) throw ERR_POOLMEM_OUT_OF_MEMORY(`no ${chunk.length}-byte block is free`);
      buf.set(chunk);
      mem.pushOne(buf);
    }
    return mem;
  } catch (err) {
    const bufs = mem._buffers;
    for (let i = 0; i < bufs.length; i++) allocator.free(bufs[i]);
    throw err;
  }
}

// The buffers of `mem` that hold bytes, in order (what a write sends).
function nonEmptyBuffers(mem) {
  const bufs = mem._buffers;
  const out = ownArray();
  for (let i = 0; i < bufs.length; i++) if (bufs[i].length !== 0) out[out.length] = bufs[i];
  return out;
}

module.exports = { Memory, isMemory, nonEmptyBuffers, wrap };
