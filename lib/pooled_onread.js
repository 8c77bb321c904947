'use strict';
// PooledOnread: the `onread` option of net.connect() / new net.Socket(),
// reading into pooled memory. Node calls `buffer()` once when the socket gets
// its handle and again after every `callback`, and keeps reading into the
// previous buffer if `buffer()` throws or returns a non-Uint8Array; so
// buffer() never throws: when the pool cannot give memory it hands out one
// reused unpooled Buffer and counts a fallback. Each pooled read buffer is
// given back after the user callback returns (unless the callback took it
// with keep()); if the callback throws, Node keeps reading into that buffer,
// so it stays allocated. The buffer from the last buffer() call is given back
// on the socket's 'close' (libuv reads no more then). One adapter per socket.

const { Buffer } = require('node:buffer');
const { codes } = require('./internal/errors');
const { accessFor } = require('./internal/pool_access');
const { validateFunction, validateInteger, validateOptions } = require('./internal/validators');

const { ERR_INVALID_ARG_TYPE, ERR_INVALID_STATE, ERR_INVALID_THIS } = codes;

class PooledOnread {
  #access;
  #size = 0;
  #user;
  #current = null;   // the pooled buffer Node reads into next, ours until given back
  #fallback = null;  // the reused unpooled buffer
  #inCallback = null; // the buffer the running callback was given
  #kept = false;
  #closed = false;
  #watched = null;
  #fallbacks = 0;
  #reads = 0;
  #onClose = () => this.close();
  // What Node reads (declared: defined on the object, never assigned through
  // an accessor a caller put on Object.prototype).
  buffer;
  callback;

  constructor(pool, callback, options = undefined) {
    this.#access = accessFor(pool, 'pool');
    this.#user = validateFunction(callback, 'callback');
    const opts = validateOptions(options);
    this.#size = opts.size === undefined ? 64 * 1024 : validateInteger(opts.size, 'options.size', 1, 2 ** 30);
    // Node reads these two properties once and calls them unbound.
    // callback is a plain function: Node calls it as a method of the socket.
    const self = this;
    this.buffer = () => this.#nextBuffer();
    this.callback = function onread(nread, buf) {
      self.#onRead(nread, buf, this);
    };
  }

  static #check(self) {
    if (self === null || typeof self !== 'object' || !(#access in self)) throw ERR_INVALID_THIS('PooledOnread');
  }

  /** Reads that found the pool full (or failing) and used the unpooled buffer. */
  get fallbacks() {
    PooledOnread.#check(this);
    return this.#fallbacks;
  }

  get reads() {
    PooledOnread.#check(this);
    return this.#reads;
  }

  /** Gives the last buffer back on the socket's 'close'. Done on the first read anyway. */
  watch(socket) {
    PooledOnread.#check(this);
    if (socket === null || typeof socket !== 'object' || typeof socket.once !== 'function') {
      throw ERR_INVALID_ARG_TYPE('socket', 'an instance of net.Socket', socket);
    }
    if (this.#watched === socket) return socket;
    if (this.#watched !== null) throw ERR_INVALID_STATE('PooledOnread already watches another socket');
    this.#watched = socket;
    socket.once('close', this.#onClose);
    return socket;
  }

  /**
   * Inside the callback: takes ownership of the buffer it was given (the
   * adapter will not give it back; give it back to the pool yourself when
   * done, or drop it if it is the unpooled fallback). Returns that buffer.
   */
  keep() {
    PooledOnread.#check(this);
    if (this.#inCallback === null) throw ERR_INVALID_STATE('keep() is only valid inside the onread callback');
    this.#kept = true;
    return this.#inCallback;
  }

  /** Inside the callback: true when its buffer is pooled, false for the unpooled fallback. */
  get pooled() {
    PooledOnread.#check(this);
    return this.#inCallback !== null && this.#inCallback === this.#current;
  }

  /** Gives back the buffer Node would read into next; later reads use the fallback. */
  close() {
    PooledOnread.#check(this);
    if (this.#closed) return;
    this.#closed = true;
    const cur = this.#current;
    this.#current = null;
    if (cur !== null) this.#access.give(cur);
  }

  #nextBuffer() {
    if (!this.#closed && this.#current === null) {
      const buf = this.#access.takeQuietly(this.#size);
      if (buf !== null) {
        this.#current = buf;
        return buf;
      }
    }
    // Pool full, adapter closed, or a second socket (one adapter per socket).
    this.#fallbacks++;
    if (this.#fallback === null) this.#fallback = Buffer.allocUnsafe(this.#size);
    return this.#fallback;
  }

  #onRead(nread, buf, socket) {
    this.#reads++;
    if (this.#watched === null && socket !== null && typeof socket === 'object' && typeof socket.once === 'function') {
      this.watch(socket);
    }
    this.#inCallback = buf;
    this.#kept = false;
    try {
      this.#user(nread, buf);
    } catch (err) {
      this.#inCallback = null; // Node goes on reading into buf: it stays ours
      throw err;
    }
    this.#inCallback = null;
    if (buf === this.#current) {
      this.#current = null;
      if (!this.#kept) this.#access.give(buf);
    } else if (this.#kept && buf === this.#fallback) {
      this.#fallback = null; // the caller owns it now
    }
  }
}

module.exports = { PooledOnread };
