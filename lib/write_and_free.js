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
// 'close' without 'finish' (the socket has closed: libuv has let go).

const { OutgoingMessage } = require('node:http');
const { codes } = require('./errors');
const { isMemory } = require('./memory');
const { accessFor } = require('./pool_access');
const { PooledBuffer } = require('./pooled_buffer');
const { isUint8Array, validateFunction } = require('./validators');

const { ERR_INVALID_ARG_TYPE } = codes;

const kQueue = Symbol('poolmem.writeQueue');

// How a write's data goes back.
const GIVE = 0;      // a Buffer from `pool`
const GIVE_EACH = 1; // a Memory whose every buffer came from `pool`
const RECYCLE = 2;   // a RecyclableMemory or PooledMemory: recycle()
const RELEASE = 3;   // a PooledBuffer: release()

// One pending write per slot, in write order. A write of a Memory takes one
// slot per buffer; only its last slot carries the data to free.
class WriteQueue {
  constructor(stream, http) {
    this.stream = stream;
    this.http = http;
    this.data = [];
    this.access = [];
    this.kind = [];
    this.callback = [];
    this.head = 0;
    this.outstanding = 0; // write callbacks not yet run (streams only)
    this.ordered = true;
    this.done = false;    // HTTP: 'finish' or 'close' has freed everything
    this.onWrite = (err) => this.#onWrite(err);
  }

  push(data, access, kind, callback) {
    this.data.push(data);
    this.access.push(access);
    this.kind.push(kind);
    this.callback.push(callback);
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
    const i = this.head;
    const data = this.data[i];
    const callback = this.callback[i];
    const access = this.access[i];
    const kind = this.kind[i];
    this.data[i] = undefined;
    this.callback[i] = undefined;
    this.access[i] = undefined;
    this.head = i + 1;
    if (this.head === this.data.length) this.#compact();
    if (data !== undefined) release(data, access, kind);
    if (typeof callback === 'function') callback(err);
  }

  // Frees every pending write; the first error a release throws is rethrown
  // once all have been freed.
  releaseAll(err) {
    let failed = false;
    let error;
    while (this.head < this.data.length) {
      try {
        this.#releaseHead(err);
      } catch (e) {
        if (!failed) error = e;
        failed = true;
      }
    }
    if (failed) throw error;
  }

  #compact() {
    this.data.length = 0;
    this.access.length = 0;
    this.kind.length = 0;
    this.callback.length = 0;
    this.head = 0;
  }
}

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
  queue = http ? new MessageQueue() : new WriteQueue(stream, false);
  Object.defineProperty(stream, kQueue, { value: queue });
  if (http) {
    stream.on('finish', onMessageDone);
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
      dropTail(queue, 1);
      release(data, access, kind);
      throw err;
    }
  }
  const bufs = data._buffers.filter((b) => b.length !== 0);
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
        dropTail(queue, 1);
        throw err;
      }
    }
  } catch (err) {
    // What was issued is freed with its last write; nothing issued: free now.
    if (issued === 0) release(data, access, kind);
    else queue.data[queue.data.length - 1] = data;
    throw err;
  } finally {
    if (corked) stream.uncork();
  }
  if (bufs.length === 0) {
    release(data, access, kind); // nothing to write: nothing holds it
    if (callback !== undefined) process.nextTick(callback, null);
  } else {
    queue.callback[queue.callback.length - 1] = callback;
  }
  return ok;
}

function dropTail(queue, n) {
  queue.data.length -= n;
  queue.access.length -= n;
  queue.kind.length -= n;
  queue.callback.length -= n;
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
