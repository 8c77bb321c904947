'use strict';
// Strategy names shared by every class that takes `strategy`, and their
// numeric kinds (StrategyKind in native code). minBlock, alignment and the
// size limits are MakeRangeStrategy's checks, with the addon's own limits
// (lib/internal/native_contract.js), so bad options fail here with a coded error
// instead of as a native nullptr.

const binding = require('./binding');
const { codes } = require('./errors');
const { MathFloor, MathLog2, MathMax } = require('./intrinsics');
const {
  BUDDY_DEFAULT_MIN_BLOCK, FIRST_FIT_DEFAULT_GRANULE, MAX_ALIGNED_GRANULES, MAX_ALIGNMENT,
  MAX_GRANULE, MAX_GRANULE_COUNT, MIN_GRANULE, STRATEGY_BUDDY, STRATEGY_FIRST_FIT,
} = require('./native_contract');
const { validateInteger, validateOneOf } = require('./validators');

const { ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE } = codes;

// The strategies this build of the core provides, listed in kind order.
const AVAILABLE = binding.strategies();
const KINDS = Object.fromEntries(AVAILABLE.map((name, kind) => [name, kind]));

// Granule strategies: the default minBlock of each, by kind. The others are
// byte-exact and take no minBlock.
const DEFAULT_MIN_BLOCK = { __proto__: null, [STRATEGY_BUDDY]: BUDDY_DEFAULT_MIN_BLOCK, [STRATEGY_FIRST_FIT]: FIRST_FIT_DEFAULT_GRANULE };
// Pools that hand out Buffers align them as Node's own pool does.
const BUFFER_ALIGNMENT = 8;

// "2 ** k" for a power of two, as the error messages write limits.
function powerOfTwo(n) {
  return `2 ** ${MathLog2(n)}`;
}

// Returns { kind, minBlock } from an options object already validated as such
// (an object, not an array: destructuring an array runs the array iterator).
function parseStrategy(options) {
  const name = options.strategy === undefined ? 'treap' : options.strategy;
  validateOneOf(name, 'options.strategy', AVAILABLE);
  const kind = KINDS[name];
  if (options.minBlock === undefined) return { kind, minBlock: 0 };
  const minBlock = validateInteger(options.minBlock, 'options.minBlock', 0);
  if (minBlock === 0) return { kind, minBlock: 0 };
  if (DEFAULT_MIN_BLOCK[kind] === undefined) {
    throw ERR_INVALID_ARG_VALUE('options.minBlock', minBlock, "applies only to the 'buddy' and 'first-fit' strategies");
  }
  if (minBlock < MIN_GRANULE || minBlock > MAX_GRANULE || (minBlock & (minBlock - 1)) !== 0) {
    throw ERR_OUT_OF_RANGE('options.minBlock', `a power of two >= ${MIN_GRANULE} and <= ${powerOfTwo(MAX_GRANULE)}`, minBlock);
  }
  return { kind, minBlock };
}

// options.alignment, a power of two from 1 to 4096, or `fallback` when absent.
function parseAlignment(options, fallback) {
  if (options.alignment === undefined) return fallback;
  const alignment = validateInteger(options.alignment, 'options.alignment', 1, MAX_ALIGNMENT);
  if ((alignment & (alignment - 1)) !== 0) {
    throw ERR_OUT_OF_RANGE('options.alignment', `a power of two >= 1 and <= ${MAX_ALIGNMENT}`, alignment);
  }
  return alignment;
}

// Throws ERR_OUT_OF_RANGE when a strategy cannot manage `size` bytes: a
// granule strategy at most MAX_GRANULE_COUNT granules (of minBlock, or the
// alignment when larger), an aligned treap or avl at most MAX_ALIGNED_GRANULES.
function validateStrategySize(kind, minBlock, size, name = 'size', alignment = 1) {
  const base = minBlock || DEFAULT_MIN_BLOCK[kind];
  if (base !== undefined) {
    const granule = MathMax(base, alignment);
    if (MathFloor(size / granule) > MAX_GRANULE_COUNT) {
      const what = granule === base ? `minBlock ${granule}` : `alignment ${granule}`;
      throw ERR_OUT_OF_RANGE(name, `<= ${MAX_GRANULE_COUNT * granule} (${powerOfTwo(MAX_GRANULE_COUNT)} blocks of ${what})`, size);
    }
  } else if (alignment > 1 && MathFloor(size / alignment) > MAX_ALIGNED_GRANULES) {
    throw ERR_OUT_OF_RANGE(name,
      `<= ${MAX_ALIGNED_GRANULES * alignment} (${powerOfTwo(MAX_ALIGNED_GRANULES)} blocks of alignment ${alignment})`, size);
  }
  return size;
}

// Exported frozen and separate from AVAILABLE: what a caller does to the
// public list can never change what validation accepts.
const STRATEGIES = Object.freeze([...AVAILABLE]);

module.exports = {
  BUFFER_ALIGNMENT, STRATEGIES, parseAlignment, parseStrategy, validateStrategySize,
};
