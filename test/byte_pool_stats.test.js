'use strict';
// BytePool#stats() and #metrics(): counters per tier that agree with each
// other, and valid Prometheus text exposition.

const { BytePool } = require('../lib');
const { expectCode } = require('./helpers/expect_error');

const TIERS = [128, 256, 512, 1024];

describe('BytePool#stats()', () => {
  test('tracks recent lengths in order (bytepool TestBytePool_RecentLengthsTracking)', () => {
    const pool = new BytePool(TIERS);
    for (const n of [100, 200, 300, 150, 250]) pool.put(pool.get(n));
    const stats = pool.stats();
    expect(stats.recentLengths).toEqual([100, 200, 300, 150, 250]);
    expect(stats.totalGet).toBe(5);
    expect(stats.totalPut).toBe(5);
    pool.close();
  });

  test('keeps the last 256 lengths, oldest first (bytepool TestBytePool_RecentLengthsOverflow)', () => {
    const pool = new BytePool(TIERS);
    for (let i = 1; i <= 300; i++) pool.get(i);
    const stats = pool.stats();
    expect(stats.recentLengths).toHaveLength(256);
    expect(stats.totalGet).toBe(300);
    stats.recentLengths.forEach((n, i) => expect(n).toBe(45 + i));
    pool.close();
  });

  test('counts only tier traffic in the totals (bytepool TestBytePool_OnlyValidOperationsTracked)', () => {
    const pool = new BytePool([128, 256, 512]);
    const big = pool.get(1000);
    const small = pool.get(100);
    expect(pool.stats().totalGet).toBe(1);
    expect(pool.stats().recentLengths).toEqual([1000, 100]);
    pool.put(big);
    pool.put(small);
    expect(pool.stats().totalPut).toBe(1);
    pool.close();
  });

  test('has the documented shape on a fresh pool', () => {
    const pool = new BytePool([128, 256]);
    expect(pool.stats()).toEqual({
      tiers: { 128: { get: 0, put: 0, inUse: 0 }, 256: { get: 0, put: 0, inUse: 0 } },
      discarded: 0,
      totalGet: 0,
      totalPut: 0,
      recentLengths: [],
      leaks: 0,
      reservedSize: 0,
      heldSize: 0,
    });
    pool.close();
  });
});

// A small parser for the Prometheus text exposition format 0.0.4: every
// sample belongs to a family announced by HELP then TYPE lines.
function parsePrometheus(text) {
  expect(text.endsWith('\n')).toBe(true);
  const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
  const families = new Map();
  let current = null;
  for (const line of text.slice(0, -1).split('\n')) {
    let m;
    if ((m = /^# HELP (\S+) (.+)$/.exec(line))) {
      expect(NAME.test(m[1])).toBe(true);
      expect(families.has(m[1])).toBe(false);
      current = { name: m[1], help: m[2], type: null, samples: [] };
      families.set(m[1], current);
    } else if ((m = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line))) {
      expect(current && current.name === m[1] && current.type === null).toBe(true);
      current.type = m[2];
    } else if ((m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (-?[0-9.e+]+|NaN|[+-]Inf)$/.exec(line))) {
      expect(current && current.type !== null && m[1] === current.name).toBe(true);
      const labels = {};
      if (m[2]) {
        for (const pair of m[2].split(',')) {
          const lm = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"$/.exec(pair);
          expect(lm).not.toBeNull();
          labels[lm[1]] = lm[2];
        }
      }
      current.samples.push({ labels, value: Number(m[3]) });
    } else {
      throw new Error(`not a Prometheus exposition line: ${JSON.stringify(line)}`);
    }
  }
  return families;
}

describe('BytePool#metrics()', () => {
  test('is valid Prometheus text with a tier label and agrees with stats()', () => {
    const pool = new BytePool([128, 256]);
    const a = pool.get(100);
    pool.get(200);
    pool.put(a);
    pool.get(1000);
    pool.put(Buffer.alloc(4));
    const families = parsePrometheus(pool.metrics('app_'));
    const stats = pool.stats();
    expect([...families.keys()]).toEqual([
      'app_bytepool_get_total', 'app_bytepool_put_total', 'app_bytepool_in_use',
      'app_bytepool_discarded_total', 'app_bytepool_leaks_total', 'app_bytepool_reserved_bytes',
      'app_bytepool_held_bytes',
    ]);
    const byTier = (name, key) => {
      const family = families.get(name);
      for (const sample of family.samples) expect(sample.value).toBe(stats.tiers[sample.labels.tier][key]);
      expect(family.samples.map((s) => s.labels.tier)).toEqual(['128', '256']);
    };
    byTier('app_bytepool_get_total', 'get');
    byTier('app_bytepool_put_total', 'put');
    byTier('app_bytepool_in_use', 'inUse');
    expect(families.get('app_bytepool_get_total').type).toBe('counter');
    expect(families.get('app_bytepool_in_use').type).toBe('gauge');
    expect(families.get('app_bytepool_discarded_total').samples).toEqual([{ labels: {}, value: 2 }]);
    expect(families.get('app_bytepool_leaks_total').samples[0].value).toBe(0);
    expect(families.get('app_bytepool_reserved_bytes').samples[0].value).toBe(stats.reservedSize);
    expect(families.get('app_bytepool_held_bytes').samples[0].value).toBe(0);
    pool.close();
  });

  test('safe mode: held_bytes is stats().heldSize', () => {
    const pool = new BytePool([128], { safe: true });
    pool.put(pool.get(100));
    const held = parsePrometheus(pool.metrics()).get('bytepool_held_bytes').samples[0].value;
    expect(held).toBe(128);
    expect(held).toBe(pool.stats().heldSize);
    pool.close();
  });

  test('defaults to no prefix', () => {
    const pool = new BytePool([128]);
    expect([...parsePrometheus(pool.metrics()).keys()][0]).toBe('bytepool_get_total');
    pool.close();
  });

  test.each([
    ['a number', 1, 'ERR_INVALID_ARG_TYPE'],
    ['a space', 'my app', 'ERR_INVALID_ARG_VALUE'],
    ['a leading digit', '1x_', 'ERR_INVALID_ARG_VALUE'],
    ['a newline', 'a\n# HELP', 'ERR_INVALID_ARG_VALUE'],
  ])('rejects a prefix with %s', (_, prefix, code) => {
    const pool = new BytePool([128]);
    expectCode(() => pool.metrics(prefix), code);
    pool.close();
  });

  test('the parser rejects malformed text', () => {
    expect(() => parsePrometheus('x 1\n')).toThrow();
    expect(() => parsePrometheus('# HELP x h\nx 1\n')).toThrow();
  });
});
