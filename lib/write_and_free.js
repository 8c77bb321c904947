'use strict';
// writeAndFree / endAndFree: write pooled memory to a stream and give it back
// exactly once, never before the stream is done with it (docs/servers.md).
// A Writable calls write callbacks in write order while it is healthy, so
// one shared callback per stream frees the oldest write: no closure per
// write. Once a callback reports an error or the stream is destroyed, the
// helper stops relying on order (Node 20-24 still keep it: a destroyed
// Writable errors its buffered writes only after the write in flight has
// called back, but a stream implementation need not), and frees nothing
// until every outstanding callback has run.
// An HTTP message (ServerResponse, ClientRequest) may drop its write
// callbacks when its socket closes, so its data is freed on 'finish', or on
// 'close' without 'finish' (the socket has closed: libuv has let go); a
// ServerResponse emits 'close' in both cases, so only that is listened to.

const { OutgoingMessage, ServerResponse } = require('node:http');
const { codes } = require('./internal/errors');
const { noObjectPrototype } = require('./internal/intrinsics');
const { isMemory, nonEmptyBuffers } = require('./memory');
const { accessFor } = require('./internal/pool_access');
const { PooledBuffer } = require('./pooled_buffer');
const { isUint8Array, validateFunction } = require('./internal/validators');

const { ERR_INVALID_ARG_TYPE } = codes;

const kQueue = Symbol('poolmem.writeQueue');

// How a write's data goes back.
const GIVE = 0;      // a Buffer from `pool`
const GIVE_EACH = 1; // a Memory whose every buffer came from `pool`
const RECYCLE = 2;   // a RecyclableMemory or PooledMemory: recycle()
const RELEASE = 3;   // a PooledBuffer: release()

// One pending write per entry, in write order, in a ring of (data, access,
// kind, callback) slots that only ever grows: a queue that empties after
// every write must not give its storage back and allocate it again. A write
// of a Memory takes one entry per buffer; only its last carries the data.
class WriteQueue {
  constructor(stream) {
    this.stream = stream;
    this.http = false;
    this.slots = new Array(4 * 8).fill(undefined);
    this.mask = 7;      // capacity in entries - 1 (a power of two)
    this.head = 0;      // index of the oldest entry
    this.count = 0;
    this.outstanding = 0; // write callbacks not yet run
    this.ordered = true;
    this.onWrite = (err) => this.#onWrite(err);
  }

  push(data, access, kind, callback) {
    if (this.count > this.mask) this.#grow();
    const at = ((this.head + this.count) & this.mask) * 4;
    const slots = this.slots;
    slots[at] = data;
    slots[at + 1] = access;
    slots[at + 2] = kind;
    slots[at + 3] = callback;
    this.count++;
  }

  // The newest entry's data and callback (a Memory write sets them last).
  setLast(data, callback) {
    const at = ((this.head + this.count - 1) & this.mask) * 4;
    if (data !== undefined) this.slots[at] = data;
    if (callback !== undefined) this.slots[at + 3] = callback;
  }

  // Forgets the newest entry (its write threw: nothing will call back).
  dropLast() {
    this.count--;
    const at = ((this.head + this.count) & this.mask) * 4;
    this.slots[at] = this.slots[at + 1] = this.slots[at + 3] = undefined;
  }

  #grow() {
    const old = this.slots;
    const cap = this.mask + 1;
    const slots = new Array(cap * 8).fill(undefined);
    for (let i = 0; i < this.count; i++) {
      const from = ((this.head + i) & this.mask) * 4;
      for (let k = 0; k < 4; k++) slots[i * 4 + k] = old[from + k];
    }
    this.slots = slots;
    this.mask = cap * 2 - 1;
    this.head = 0;
  }

  #onWrite(err) {
    this.outstanding--;
    if (this.ordered && (err || this.stream.destroyed)) this.ordered = false;
    if (this.ordered) {
      this.#releaseHead(null);
    } else if (this.outstanding === 0) {
      this.releaseAll(err ?? null);
    }
  }

  #releaseHead(err) {
    const at = this.head * 4;
    const slots = this.slots;
    const data = slots[at];
    const access = slots[at + 1];
    const kind = slots[at + 2];
    const callback = slots[at + 3];
    slots[at] = slots[at + 1] = slots[at + 3] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.count--;
    if (data !== undefined) release(data, access, kind);
    if (typeof callback === 'function') callback(err);
  }

  // Frees every pending write; the first error a release throws is rethrown
  // once all have been freed.
  releaseAll(err) {
    let failed = false;
    let error;
    while (this.count > 0) {
      try {
        this.#releaseHead(err);
      } catch (e) {
        if (!failed) error = e;
        failed = true;
      }
    }
    if (failed) throw error;
  }
}
noObjectPrototype(WriteQueue);

// An HTTP message's pending data: usually one body, kept inline (one object
// per response); more writes go to `more` as (data, access, kind, callback).
class MessageQueue {
  constructor() {
    this.http = true;
    this.done = false;
    this.data = undefined;
    this.access = null;
    this.kind = GIVE;
    this.callback = undefined;
    this.more = null;
  }

  push(data, access, kind, callback) {
    if (this.data === undefined && this.more === null) {
      this.data = data;
      this.access = access;
      this.kind = kind;
      this.callback = callback;
    } else {
      if (this.more === null) this.more = [];
      this.more.push(data, access, kind, callback);
    }
  }

  releaseAll(err) {
    const { data, access, kind, callback, more } = this;
    this.data = undefined;
    this.access = null;
    this.callback = undefined;
    this.more = null;
    let error = releaseOne(data, access, kind, callback, err);
    if (more !== null) {
      for (let i = 0; i < more.length; i += 4) {
        const e = releaseOne(more[i], more[i + 1], more[i + 2], more[i + 3], err);
        if (error === undefined) error = e;
      }
    }
    if (error !== undefined) throw error;
  }
}
noObjectPrototype(MessageQueue);

// Gives one entry back and runs its callback; returns what either threw.
function releaseOne(data, access, kind, callback, err) {
  if (data === undefined) return undefined;
  try {
    release(data, access, kind);
    if (typeof callback === 'function') callback(err);
  } catch (e) {
    return e;
  }
  return undefined;
}

function release(data, access, kind) {
  if (kind === GIVE) {
    access.give(data);
  } else if (kind === GIVE_EACH) {
    const bufs = data._buffers;
    for (let i = 0; i < bufs.length; i++) if (bufs[i].length !== 0) access.give(bufs[i]);
  } else if (kind === RECYCLE) {
    data.recycle();
  } else {
    data.release();
  }
}

// HTTP: 'finish' (the last socket write has completed) or 'close' (the
// message is done or its socket has closed). `this` is the message.
function onMessageDone() {
  const queue = this[kQueue];
  if (queue.done) return;
  queue.done = true;
  queue.releaseAll(null);
}

function queueOf(stream) {
  let queue = stream[kQueue];
  if (queue !== undefined) return queue;
  const http = stream instanceof OutgoingMessage;
  queue = http ? new MessageQueue() : new WriteQueue(stream);
  Object.defineProperty(stream, kQueue, { value: queue });
  if (http) {
    // A ServerResponse always emits 'close' (a tick after 'finish', or when
    // its socket closes first): one listener is enough and saves ~100 B of
    // heap per response. Other messages are freed on whichever comes first.
    if (!(stream instanceof ServerResponse)) stream.on('finish', onMessageDone);
    stream.on('close', onMessageDone);
  }
  return queue;
}

function kindOf(data, pool) {
  if (data instanceof PooledBuffer) return RELEASE;
  if (isMemory(data)) {
    if (typeof data.recycle === 'function') return RECYCLE;
    if (pool === undefined) {
      throw ERR_INVALID_ARG_TYPE('pool', 'a pool when data is a Memory without recycle()', pool);
    }
    return GIVE_EACH;
  }
  if (isUint8Array(data)) {
    if (pool === undefined) throw ERR_INVALID_ARG_TYPE('pool', 'a pool (Arena, ScalableAllocator or BytePool)', pool);
    return GIVE;
  }
  throw ERR_INVALID_ARG_TYPE('data', 'a Buffer, Uint8Array, Memory or PooledBuffer', data);
}

function validateWritable(stream) {
  if (stream === null || typeof stream !== 'object' || typeof stream.write !== 'function') {
    throw ERR_INVALID_ARG_TYPE('stream', 'a Writable stream', stream);
  }
}

/**
 * Writes data (a pooled Buffer, a Memory, a RecyclableMemory/PooledMemory or
 * a PooledBuffer) and gives it back exactly once, when the stream no longer
 * needs it. Returns what write() returned (false: wait for 'drain').
 */
function writeAndFree(stream, data, pool = undefined, callback = undefined) {
  validateWritable(stream);
  if (callback !== undefined) validateFunction(callback, 'callback');
  const kind = kindOf(data, pool);
  const access = kind === GIVE || kind === GIVE_EACH ? accessFor(pool, 'pool') : null;
  return write(queueOf(stream), stream, data, access, kind, callback);
}

function write(queue, stream, data, access, kind, callback) {
  const single = kind === GIVE || kind === RELEASE;
  const bytes = kind === RELEASE ? data.bytes : data;
  if (queue.http) return writeMessage(queue, stream, data, access, kind, callback, single ? bytes : null);
  if (single) {
    queue.push(data, access, kind, callback);
    queue.outstanding++;
    try {
      return stream.write(bytes, queue.onWrite);
    } catch (err) {
      queue.outstanding--; // write() threw: it holds nothing and will not call back
      queue.dropLast();
      release(data, access, kind);
      throw err;
    }
  }
  const bufs = nonEmptyBuffers(data);
  const corked = bufs.length > 1 && typeof stream.cork === 'function' && typeof stream.uncork === 'function';
  if (corked) stream.cork();
  let ok = true;
  let issued = 0;
  try {
    for (; issued < bufs.length; issued++) {
      queue.push(issued === bufs.length - 1 ? data : undefined, access, kind, undefined);
      queue.outstanding++;
      try {
        ok = stream.write(bufs[issued], queue.onWrite);
      } catch (err) {
        queue.outstanding--;
        queue.dropLast();
        throw err;
      }
    }
  } catch (err) {
    // What was issued is freed with its last write; nothing issued: free now.
    if (issued === 0) release(data, access, kind);
    else queue.setLast(data, undefined);
    throw err;
  } finally {
    if (corked) stream.uncork();
  }
  if (bufs.length === 0) {
    release(data, access, kind); // nothing to write: nothing holds it
    if (callback !== undefined) process.nextTick(callback, null);
  } else {
    queue.setLast(undefined, callback);
  }
  return ok;
}

// HTTP: writes without callbacks (they may never run); freed on 'finish' or
// 'close'. After either, the message holds nothing more: free at once.
function writeMessage(queue, msg, data, access, kind, callback, single) {
  let ok;
  try {
    if (single !== null) {
      ok = msg.write(single);
    } else {
      const bufs = data._buffers;
      ok = true;
      for (let i = 0; i < bufs.length; i++) if (bufs[i].length !== 0) ok = msg.write(bufs[i]);
    }
  } finally {
    queue.push(data, access, kind, callback);
    if (queue.done) queue.releaseAll(null);
  }
  return ok;
}

/**
 * Ends an HTTP response (or any Writable) with data and gives data back once
 * the message has finished or closed. A single Buffer goes through end(buf),
 * so Node sets Content-Length; a Memory sets it when no header was sent yet.
 */
function endAndFree(res, data, pool = undefined, callback = undefined) {
  validateWritable(res);
  if (typeof res.end !== 'function') throw ERR_INVALID_ARG_TYPE('res', 'a Writable stream', res);
  if (callback !== undefined) validateFunction(callback, 'callback');
  const kind = kindOf(data, pool);
  const access = kind === GIVE || kind === GIVE_EACH ? accessFor(pool, 'pool') : null;
  const queue = queueOf(res);
  if (!queue.http) {
    write(queue, res, data, access, kind, callback);
    res.end();
    return res;
  }
  if (kind === GIVE || kind === RELEASE) {
    try {
      res.end(kind === RELEASE ? data.bytes : data);
    } finally {
      queue.push(data, access, kind, callback);
      if (queue.done) queue.releaseAll(null);
    }
    return res;
  }
  if (!res.headersSent && typeof res.hasHeader === 'function' && !res.hasHeader('content-length')) {
    res.setHeader('Content-Length', data.size);
  }
  writeMessage(queue, res, data, access, kind, callback, null);
  res.end();
  return res;
}

module.exports = { endAndFree, writeAndFree };
