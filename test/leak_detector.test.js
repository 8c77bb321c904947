'use strict';
// The one leak detector every pool uses: the same levels and validation,
// how far each level counts before tracking, one report per key, and the
// tracked-buffer record found from the allocation's own ArrayBuffer.

const { BytePool, ScalableAllocator } = require('..');
const {
  DISABLED, LeakDetector, NEVER, PARANOID, SAMPLE, TrackedBuffer, parseLeakDetection,
} = require('../lib/internal/leak_detector');
const { expectCode } = require('./helpers/expect_error');

describe('parseLeakDetection()', () => {
  test("levels by name, 'sample' by default", () => {
    expect(parseLeakDetection({})).toBe(SAMPLE);
    expect(parseLeakDetection({ leakDetection: 'disabled' })).toBe(DISABLED);
    expect(parseLeakDetection({ leakDetection: 'sample' })).toBe(SAMPLE);
    expect(parseLeakDetection({ leakDetection: 'paranoid' })).toBe(PARANOID);
  });

  test('every pool rejects an unknown level the same way', () => {
    for (const bad of ['advanced', 1, null, 'Paranoid']) {
      expectCode(() => parseLeakDetection({ leakDetection: bad }), 'ERR_INVALID_ARG_VALUE');
      expectCode(() => new ScalableAllocator({ leakDetection: bad }), 'ERR_INVALID_ARG_VALUE');
      expectCode(() => new BytePool(undefined, { leakDetection: bad }), 'ERR_INVALID_ARG_VALUE');
    }
  });
});

describe('LeakDetector#nextCountdown()', () => {
  test('paranoid and safe mode track every allocation, disabled none', () => {
    expect(new LeakDetector(PARANOID, 1024).nextCountdown()).toBe(1);
    expect(new LeakDetector(SAMPLE, 1024).nextCountdown(true)).toBe(1);
    expect(new LeakDetector(DISABLED, 1024).nextCountdown(true)).toBe(1);
    expect(new LeakDetector(DISABLED, 1024).nextCountdown()).toBe(NEVER);
    expect(Number.isSafeInteger(NEVER) && NEVER < 2 ** 31).toBe(true); // stays a small integer
  });

  test("'sample' counts 1 .. 2 * interval - 1, one in `interval` on average", () => {
    const detector = new LeakDetector(SAMPLE, 128);
    let sum = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const c = detector.nextCountdown();
      expect(Number.isInteger(c) && c >= 1 && c <= 255).toBe(true);
      sum += c;
    }
    expect(sum / n).toBeGreaterThan(120);
    expect(sum / n).toBeLessThan(136);
  });

  test('name is the level option', () => {
    expect(['disabled', 'sample', 'paranoid'].map((name) => new ScalableAllocator({ leakDetection: name }))
      .map((a) => a.leakDetection)).toEqual(['disabled', 'sample', 'paranoid']);
    expect(new LeakDetector(PARANOID, 1).name).toBe('paranoid');
  });
});

describe('LeakDetector#report()', () => {
  let spy;
  beforeEach(() => {
    spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
  });
  afterEach(() => spy.mockRestore());

  // Reports are emitted on the next tick: never inside the pool call that found the leak.
  const nextTick = () => new Promise((resolve) => process.nextTick(resolve));

  test('one PoolmemLeakWarning per key; every time without one', async () => {
    const detector = new LeakDetector(SAMPLE, 128);
    detector.report('a', undefined, 'site 1');
    detector.report('b', undefined, 'site 1');
    detector.report('c', undefined, 'site 2');
    detector.report('d', undefined);
    detector.report('e', undefined);
    expect(spy).not.toHaveBeenCalled();
    await nextTick();
    expect(spy.mock.calls.map((c) => c[0])).toEqual(['a', 'c', 'd', 'e']);
    for (const [, options] of spy.mock.calls) {
      expect(options).toMatchObject({ type: 'PoolmemLeakWarning', code: 'POOLMEM_LEAK' });
    }
  });

  test('keys are per detector: two pools each report their own', async () => {
    new LeakDetector(SAMPLE, 128).report('a', undefined, 'k');
    new LeakDetector(SAMPLE, 128).report('b', undefined, 'k');
    await nextTick();
    expect(spy).toHaveBeenCalledTimes(2);
  });

  test('the detail names the allocation site, or says how to record it', async () => {
    const detector = new LeakDetector(PARANOID, 1);
    detector.report('with', '    at here (file.js:1:1)');
    detector.report('without', undefined);
    await nextTick();
    expect(spy.mock.calls[0][1].detail).toBe('The memory went back to the pool. Allocated at:\n    at here (file.js:1:1)');
    expect(spy.mock.calls[1][1].detail).toMatch(/leakDetection: 'paranoid'/);
  });
});

describe('TrackedBuffer', () => {
  test('found from its ArrayBuffer, which carries nothing a caller can see', () => {
    const ab = new ArrayBuffer(8);
    const owner = {};
    const record = new TrackedBuffer(ab, owner, null, 7, 3, 8, null);
    expect(TrackedBuffer.of(ab)).toBe(record);
    expect(record).toMatchObject({ owner, tier: null, slot: 7, gen: 3, length: 8, site: null });
    expect(Reflect.ownKeys(ab)).toEqual([]);
    expect(TrackedBuffer.of(new ArrayBuffer(8))).toBeUndefined();
  });

  test('of() runs no caller code, not even for a Proxy', () => {
    const trap = () => { throw new Error('trap ran'); };
    const proxy = new Proxy(new ArrayBuffer(8), { get: trap, has: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap });
    expect(TrackedBuffer.of(proxy)).toBeUndefined();
  });
});
