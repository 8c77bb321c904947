'use strict';
// Strategy names shared by every class that takes `strategy`, and their
// numeric kinds in native/core/strategies/range_strategy.h (StrategyKind). minBlock,
// alignment and the size limits mirror MakeRangeStrategy's checks, so bad
// options fail here with a coded error instead of as a native nullptr.

const binding = require('./binding');
const { codes } = require('./errors');
const { validateInteger, validateOneOf } = require('./validators');

const { ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE } = codes;

const KINDS = { treap: 0, avl: 1, buddy: 2, 'first-fit': 3 };
// Only the strategies this build of the core provides.
const AVAILABLE = Object.keys(KINDS).filter((name) => binding.strategies().includes(name));

// Granule strategies: the default minBlock of each, by kind. The others are
// byte-exact and take no minBlock.
const DEFAULT_MIN_BLOCK = { [KINDS.buddy]: 64, [KINDS['first-fit']]: 16 };
const MIN_BLOCK_LOW = 16;
const MIN_BLOCK_HIGH = 2 ** 30;
const MAX_GRANULES = 2 ** 28; // their bitmaps cost a few bits per granule
const MAX_ALIGNMENT = 4096;
const MAX_ALIGNED_GRANULES = 2 ** 32; // aligned treap/avl: one bit per granule
// Pools that hand out Buffers align them as Node's own pool does.
const BUFFER_ALIGNMENT = 8;

// Returns [kind, minBlock] from an options object already validated as such.
function parseStrategy(options) {
  const name = options.strategy === undefined ? 'treap' : options.strategy;
  validateOneOf(name, 'options.strategy', AVAILABLE);
  const kind = KINDS[name];
  if (options.minBlock === undefined) return [kind, 0];
  const minBlock = validateInteger(options.minBlock, 'options.minBlock', 0);
  if (minBlock === 0) return [kind, 0];
  if (DEFAULT_MIN_BLOCK[kind] === undefined) {
    throw ERR_INVALID_ARG_VALUE('options.minBlock', minBlock, "applies only to the 'buddy' and 'first-fit' strategies");
  }
  if (minBlock < MIN_BLOCK_LOW || minBlock > MIN_BLOCK_HIGH || (minBlock & (minBlock - 1)) !== 0) {
    throw ERR_OUT_OF_RANGE('options.minBlock', `a power of two >= ${MIN_BLOCK_LOW} and <= 2 ** 30`, minBlock);
  }
  return [kind, minBlock];
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
// granule strategy at most 2 ** 28 granules (of minBlock, or the alignment
// when larger), an aligned treap or avl at most 2 ** 32 granules.
function validateStrategySize(kind, minBlock, size, name = 'size', alignment = 1) {
  const base = minBlock || DEFAULT_MIN_BLOCK[kind];
  if (base !== undefined) {
    const granule = Math.max(base, alignment);
    if (Math.floor(size / granule) > MAX_GRANULES) {
      const what = granule === base ? `minBlock ${granule}` : `alignment ${granule}`;
      throw ERR_OUT_OF_RANGE(name, `<= ${MAX_GRANULES * granule} (2 ** 28 blocks of ${what})`, size);
    }
  } else if (alignment > 1 && Math.floor(size / alignment) > MAX_ALIGNED_GRANULES) {
    throw ERR_OUT_OF_RANGE(name, `<= ${MAX_ALIGNED_GRANULES * alignment} (2 ** 32 blocks of alignment ${alignment})`, size);
  }
  return size;
}

// Exported frozen and separate from AVAILABLE: what a caller does to the
// public list can never change what validation accepts.
const STRATEGIES = Object.freeze([...AVAILABLE]);

module.exports = {
  BUFFER_ALIGNMENT, STRATEGIES, parseAlignment, parseStrategy, validateStrategySize,
};
