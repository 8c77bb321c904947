'use strict';
// Leak detection shared by every pool, as Netty's: the level ('disabled',
// 'sample', 'paranoid'), which allocations are tracked, the one tracked-buffer
// type (a tracked allocation owns an ArrayBuffer, stamped with its record), and
// the PoolmemLeakWarning report, once per allocation site or group.
// The countdown itself stays in each pool's hot path (a field decrement);
// this module decides how far it counts.

const { stackFrames } = require('./errors');
const {
  ArrayPrototypeIndexOf, ErrorCaptureStackTrace, MathFloor, MathRandom, SafeSet, noObjectPrototype,
} = require('./intrinsics');
const { TrackedStamp } = require('./stamps');
const { validateOneOf } = require('./validators');

const LEAK_LEVELS = ['disabled', 'sample', 'paranoid'];
const DISABLED = 0;
const SAMPLE = 1;
const PARANOID = 2;
// The countdown when nothing is tracked. Not Infinity: a double in a
// countdown field makes every decrement box a number (measured: +30 ns per
// ScalableAllocator malloc+free pair). When it does run out, the pool asks
// nextCountdown() again and tracks nothing.
const NEVER = 2 ** 30;

// Reports are emitted on the next tick, after the pool call that found the
// leak has returned: process.emitWarning (and formatting an allocation
// site's stack, which runs Error.prepareStackTrace) are the caller's to
// replace, and such code must not run in the middle of a pool operation (it
// could close the pool under a malloc). Node delivers 'warning' events on a
// later tick anyway.
const nextTick = process.nextTick.bind(process);

// options.leakDetection as a level (DISABLED, SAMPLE or PARANOID); 'sample' by default.
function parseLeakDetection(opts) {
  const name = opts.leakDetection === undefined ? 'sample'
    : validateOneOf(opts.leakDetection, 'options.leakDetection', LEAK_LEVELS);
  return ArrayPrototypeIndexOf(LEAK_LEVELS, name);
}

class LeakDetector {
  #reported = new SafeSet(); // report keys already warned about

  // level: DISABLED, SAMPLE or PARANOID; interval: 'sample' tracks one
  // allocation in `interval` on average.
  constructor(level, interval) {
    this.level = level;
    this.interval = interval;
  }

  get name() {
    return LEAK_LEVELS[this.level];
  }

  // Allocations until the next tracked one: 1 (every one) when `always`
  // (safe mode) or paranoid, a random 1 .. 2 * interval - 1 when sampling,
  // else NEVER.
  nextCountdown(always = false) {
    if (always || this.level === PARANOID) return 1;
    return this.level === SAMPLE ? 1 + MathFloor(MathRandom() * (2 * this.interval - 1)) : NEVER;
  }

  // Emits a PoolmemLeakWarning on the next tick, once per `key` (undefined:
  // every time). stack: where the leaked memory was allocated (paranoid), or undefined.
  report(message, stack, key = undefined) {
    nextTick(() => this.emit(message, stack, key));
  }

  // As report(), for a leak whose allocation site is a captureSite() object
  // (or null): formatted on the next tick too, and one report per site.
  reportSite(message, site) {
    nextTick(() => {
      const stack = siteStack(site);
      this.emit(message, stack, stack ?? '');
    });
  }

  emit(message, stack, key) {
    if (key !== undefined) {
      if (this.#reported.has(key)) return;
      this.#reported.add(key);
    }
    const detail = stack === undefined || stack === ''
      ? "The memory went back to the pool. Use leakDetection: 'paranoid' to record where it was allocated."
      : `The memory went back to the pool. Allocated at:\n${stack}`;
    process.emitWarning(message, { type: 'PoolmemLeakWarning', code: 'POOLMEM_LEAK', detail });
  }
}
noObjectPrototype(LeakDetector);

// Where an allocation happens, captured cheaply for paranoid mode and
// formatted only if it leaks (siteStack). fn: the public method called.
function captureSite(fn) {
  const site = {};
  ErrorCaptureStackTrace(site, fn);
  return site;
}

function siteStack(site) {
  return site === null ? undefined : stackFrames(site);
}

// ---- the tracked buffer -----------------------------------------------------------

// An allocation with an ArrayBuffer of its own (leak-detection samples, safe
// mode), which every view of its memory keeps alive: what a pool needs to give
// the memory back when that ArrayBuffer is collected, and to know a view of it
// as its own. owner: the pool (or pool state) it belongs to; tier: a BytePool
// tier, else null; slot: the tier's slot, or the native block id; gen: the
// slot's generation when handed out; site: captureSite()'s object, or null.
class TrackedBuffer {
  constructor(arrayBuffer, owner, tier, slot, gen, length, site) {
    this.owner = owner;
    this.tier = tier;
    this.slot = slot;
    this.gen = gen;
    this.length = length;
    this.site = site;
    new TrackedStamp(arrayBuffer, this);
  }

  // The record of a tracked allocation's own ArrayBuffer, else undefined. Runs no caller code.
  static of(arrayBuffer) {
    return TrackedStamp.of(arrayBuffer);
  }
}
noObjectPrototype(TrackedBuffer);

module.exports = {
  DISABLED, LeakDetector, NEVER, PARANOID, SAMPLE, TrackedBuffer, captureSite, parseLeakDetection,
  siteStack,
};
