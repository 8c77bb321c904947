'use strict';
// The one place views are made. Every view is made by Node's own Buffer
// class, FastBuffer (the Uint8Array subclass whose prototype is
// Buffer.prototype; Buffer[Symbol.species] returns it), so it inspects,
// compares, serializes and species-constructs as any Buffer.allocUnsafe
// result does: prototype Buffer.prototype, constructor Buffer.
//
// Each view also carries, in private fields added by a return-override class
// (a constructor that returns its argument; the fields land on that object,
// and nobody else can write them), the ArrayBuffer and offset it was made
// over. On Node 20 `.buffer`, `.byteOffset` and `.byteLength` are not inlined
// (about 13, 8 and 8 ns, measured) while `.length` and a private field are
// nearly free, so free() paths read arrayBufferOf()/byteOffsetOf()/.length.
// Views not made here (Node's own slice(), subarray(), plain Uint8Arrays)
// fall back to the %TypedArray%.prototype getters captured at load
// (lib/internal/intrinsics.js): a caller's subclass getter never runs inside a pool
// operation. Only the makers below record: `buf.constructor` is Buffer itself, so a
// caller constructing one gets a Buffer with no record. Other ways to get a Buffer.prototype object cost
// more (docs/design.md, "Real Buffers").

const { Buffer } = require('node:buffer');
const {
  ArrayBuffer, ObjectGetPrototypeOf, isDetached, structuredClone, viewBuffer, viewByteLength, viewByteOffset,
} = require('./intrinsics');
const { Stamper } = require('./stamps');
const { ZERO_FILL, zeroFill } = require('./zero_fill');

// Captured at load, so nothing done to Buffer later changes how views are made.
const FastBuffer = madeByBuffer(Buffer[Symbol.species]) ? Buffer[Symbol.species] : null;
const bufferFrom = Buffer.from;

// True when C constructs plain Buffers over an ArrayBuffer.
function madeByBuffer(C) {
  if (typeof C !== 'function' || C.prototype !== Buffer.prototype) return false;
  const probe = new C(new ArrayBuffer(4), 1, 2);
  return ObjectGetPrototypeOf(probe) === Buffer.prototype && viewByteOffset(probe) === 1 && viewByteLength(probe) === 2;
}

// One record shape for every view made here (one hidden class, one brand),
// three fields: a fourth makes V8 grow the view's property array, about 30
// more bytes of JS heap per view (measured). A view of a whole block a
// BlockCache handed out (lib/internal/block_cache.js) carries the block's id and
// generation, so free() needs no lookup; its offset is read through the
// intrinsic getter, on slow paths only. A view of a BytePool slot carries
// -3 - slot (never a block id) and the slot's generation for the handout it
// was made (or handed out again) for, so put() tells a view of an ended
// handout from the current one; its offset too is read through the getter.
// A view ScalableAllocator#borrow() lent carries LENT (its bytes were never
// allocated, so no free of it may reach native code) and its offset: a
// separate stamp for that cost a fourth field, 500 machine instructions per
// borrow (measured). Other views carry block -1 and their offset.
// Block and slot generations wrap below 2^30 so they stay Smis also where V8
// compresses pointers (31-bit Smis): a record holding a boxed number would
// cost an allocation per handout.
const GEN_MASK = 2 ** 30 - 1;
const PLAIN = -1;
const LENT = -2;
const FIRST_SLOT = -3; // slot s is FIRST_SLOT - s

class ViewRecord extends Stamper {
  #arrayBuffer;
  #block;
  #value; // the generation (a block >= 0, or a slot), else the byte offset

  constructor(target, arrayBuffer, block, value) {
    super(target);
    this.#arrayBuffer = arrayBuffer;
    this.#block = block;
    this.#value = value;
  }

  static arrayBufferOf(view) {
    return #arrayBuffer in view ? view.#arrayBuffer : viewBuffer(view);
  }

  static byteOffsetOf(view) {
    return #arrayBuffer in view && view.#block === PLAIN ? view.#value : viewByteOffset(view);
  }

  // The block id of a view made by blockView(), else -1.
  static blockOf(view) {
    return #arrayBuffer in view ? view.#block : -1;
  }

  // The generation of a view whose blockOf() or slotOf() is >= 0.
  static genOf(view) {
    return view.#value;
  }

  // The ArrayBuffer of a view whose blockOf() or slotOf() is >= 0.
  static recordedArrayBuffer(view) {
    return view.#arrayBuffer;
  }

  // A slot view handed out again (BytePool's reused Buffer objects): it is
  // the new handout's, at the slot's generation now.
  static restamp(view, gen) {
    view.#value = gen;
  }

  // The slot id of a view made by slotView(), else -1.
  static slotOf(view) {
    return #arrayBuffer in view && view.#block <= FIRST_SLOT ? FIRST_SLOT - view.#block : -1;
  }

  // True for a view lentView() made.
  static isLent(view) {
    return #arrayBuffer in view && view.#block === LENT;
  }
}

// Chosen once at load, small enough that V8 always inlines it: a view
// maker's bytecode counts against the budget of whatever inlines it.
const makeView = FastBuffer !== null
  ? (arrayBuffer, byteOffset, length) => new FastBuffer(arrayBuffer, byteOffset, length)
  : (arrayBuffer, byteOffset, length) => bufferFrom(arrayBuffer, byteOffset, length);

// A Buffer over arrayBuffer[byteOffset, byteOffset + length) for block id
// `block` (>= 0) at generation `gen`; the numbers are integers the caller
// already checked against the chunk. The allocate-then-free lanes make it,
// so it constructs the Buffer itself (makeView() would add its bytecode).
const blockView = FastBuffer !== null
  ? (arrayBuffer, byteOffset, length, block, gen) =>
    new ViewRecord(new FastBuffer(arrayBuffer, byteOffset, length), arrayBuffer, block, gen)
  : (arrayBuffer, byteOffset, length, block, gen) =>
    new ViewRecord(bufferFrom(arrayBuffer, byteOffset, length), arrayBuffer, block, gen);

// A Buffer over arrayBuffer[byteOffset, byteOffset + length) for BytePool
// slot `slot` (an integer >= 0) of the slab whose chunk is arrayBuffer, handed
// out at generation `gen` (a Smi: lib/internal/tier.js keeps it below 2^30).
function slotView(arrayBuffer, byteOffset, length, slot, gen) {
  return new ViewRecord(makeView(arrayBuffer, byteOffset, length), arrayBuffer, FIRST_SLOT - slot, gen);
}

// A Buffer over arrayBuffer[byteOffset, byteOffset + length), of no block.
function view(arrayBuffer, byteOffset, length) {
  return new ViewRecord(makeView(arrayBuffer, byteOffset, length), arrayBuffer, PLAIN, byteOffset);
}

// A Buffer over arrayBuffer[byteOffset, byteOffset + length) that
// ScalableAllocator#borrow() lends: isLent() tells it apart.
function lentView(arrayBuffer, byteOffset, length) {
  return new ViewRecord(makeView(arrayBuffer, byteOffset, length), arrayBuffer, LENT, byteOffset);
}

// A one-byte view of arrayBuffer that records nothing, for its maker to keep
// private: element 0 reads undefined exactly when arrayBuffer is detached
// (closed, or transferred by a caller), and an element read runs no caller
// code. Not made by view(): a second shape of stamped view made view()'s
// field stores megamorphic (measured: 82 -> 62 ns per BytePool pair at 64 KiB).
// Of an ArrayBuffer detached already, a probe of the same kind over another
// detached one: every probe read site sees one shape.
function detachProbe(arrayBuffer) {
  if (isDetached(arrayBuffer)) return detachedProbe();
  return FastBuffer !== null ? new FastBuffer(arrayBuffer, 0, 1) : bufferFrom(arrayBuffer, 0, 1);
}

// Made on first use, when something was found detached: detaching an
// ArrayBuffer makes V8 add a detach check to typed-array accesses process-wide.
let detached = null;
function detachedProbe() {
  if (detached === null) {
    const arrayBuffer = new ArrayBuffer(1);
    const probe = detachProbe(arrayBuffer);
    structuredClone(arrayBuffer, { transfer: [arrayBuffer] }); // detaches it
    detached = probe;
  }
  return detached;
}

// A view over memory a pool hands out: zero-filled under Node's
// --zero-fill-buffers, as Buffer.allocUnsafe is; otherwise view() itself.
const fresh = ZERO_FILL ? (arrayBuffer, byteOffset, length) => zeroFill(view(arrayBuffer, byteOffset, length)) : view;
const freshLent = ZERO_FILL
  ? (arrayBuffer, byteOffset, length) => zeroFill(lentView(arrayBuffer, byteOffset, length))
  : lentView;
const freshBlock = ZERO_FILL
  ? (arrayBuffer, byteOffset, length, block, gen) => zeroFill(blockView(arrayBuffer, byteOffset, length, block, gen))
  : blockView;

// The ArrayBuffer a Uint8Array views, and where; cheap for views made here.
const arrayBufferOf = ViewRecord.arrayBufferOf;
const byteOffsetOf = ViewRecord.byteOffsetOf;
const blockOf = ViewRecord.blockOf;
const genOf = ViewRecord.genOf;
const recordedArrayBuffer = ViewRecord.recordedArrayBuffer;
const slotOf = ViewRecord.slotOf;
const isLent = ViewRecord.isLent;
const restamp = ViewRecord.restamp;

module.exports = {
  GEN_MASK, arrayBufferOf, blockOf, blockView, byteOffsetOf, detachProbe, fresh, freshBlock, freshLent, genOf, isLent,
  recordedArrayBuffer, restamp, slotOf, slotView, view,
};
