'use strict';
// Strategy names shared by every class that takes `strategy`, and their
// numeric kinds in native/core/range_strategy.h (StrategyKind).

const binding = require('./binding');
const { validateInteger, validateOneOf } = require('./validators');

const KINDS = { treap: 0, avl: 1, buddy: 2, 'first-fit': 3 };
// Only the strategies this build of the core provides.
const AVAILABLE = Object.keys(KINDS).filter((name) => binding.strategies().includes(name));

// Returns [kind, minBlock] from an options object already validated as such.
function parseStrategy(options) {
  const name = options.strategy === undefined ? 'treap' : options.strategy;
  validateOneOf(name, 'options.strategy', AVAILABLE);
  const minBlock = options.minBlock === undefined ? 0 : validateInteger(options.minBlock, 'options.minBlock', 0);
  return [KINDS[name], minBlock];
}

module.exports = { STRATEGIES: AVAILABLE, parseStrategy };
