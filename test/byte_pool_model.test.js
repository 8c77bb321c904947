'use strict';
// BytePool against a model: seeded get/put/getBuffer/retain/release.

const { BytePool } = require('../lib');
const { seededRandom } = require('./helpers/random');

// ---- seeded model test ---------------------------------------------------------

describe('BytePool model test', () => {
  test.each([1, 2, 3])('seed %i: get/put/getBuffer/retain/release agree with a model', (seed) => {
    const rand = seededRandom(seed).next;
    const tiers = [16, 100, 256, 4096];
    const pool = new BytePool(tiers, { leakDetection: seed === 3 ? 'paranoid' : 'sample' });
    const plain = [];   // { buf, canary, tier }
    const counted = []; // { pb, count, canary, tier }
    const retired = []; // { view, counted }: views kept after their put or last release
    const retire = (view, wasCounted) => {
      retired.push({ view, counted: wasCounted });
      if (retired.length > 64) retired.shift();
    };
    const model = { get: {}, put: {}, inUse: {}, discarded: 0, recent: [] };
    for (const t of tiers) model.get[t] = model.put[t] = model.inUse[t] = 0;
    const tierFor = (n) => tiers.find((t) => t >= n);
    let canary = 1;
    const fill = (buf) => {
      const c = canary++ & 0xff || 1;
      buf.fill(c);
      return c;
    };
    const intact = (buf, c) => buf.every((v) => v === c);

    for (let step = 0; step < 3000; step++) {
      const r = rand();
      if (r < 0.3) {
        const n = 1 + Math.floor(rand() * 5000);
        const buf = pool.get(n);
        expect(buf.length).toBe(n);
        model.recent.push(n);
        const t = tierFor(n);
        if (t === undefined) model.discarded++;
        else {
          model.get[t]++;
          model.inUse[t]++;
          plain.push({ buf, canary: fill(buf), tier: t });
        }
      } else if (r < 0.5 && plain.length) {
        const [item] = plain.splice(Math.floor(rand() * plain.length), 1);
        expect(intact(item.buf, item.canary)).toBe(true);
        pool.put(rand() < 0.2 ? item.buf.subarray(0, 1) : item.buf);
        model.put[item.tier]++;
        model.inUse[item.tier]--;
        if (rand() < 0.1) expect(() => pool.put(item.buf)).toThrow(expect.objectContaining({ code: 'ERR_POOLMEM_DOUBLE_FREE' }));
        retire(item.buf, false);
      } else if (r < 0.55 && retired.length) {
        // A view kept after its put, its slot maybe handed out again: refused
        // and nothing changes, unless get() handed that same Buffer object
        // out again (then it is the new owner's: skipped here).
        const [{ view, counted: wasCounted }] = retired.splice(Math.floor(rand() * retired.length), 1);
        if (!plain.some((item) => item.buf === view)) {
          // The same object as a live PooledBuffer's bytes, or a leak-tracked
          // ArrayBuffer a live PooledBuffer reuses: that one's count refuses it.
          const owned = counted.some((item) => item.pb.bytes === view) || (seed === 3 && wasCounted);
          let code;
          try {
            pool.put(view);
          } catch (err) {
            code = err.code;
          }
          expect(owned ? ['ERR_POOLMEM_DOUBLE_FREE', 'ERR_POOLMEM_REFCOUNT'] : ['ERR_POOLMEM_DOUBLE_FREE']).toContain(code);
        }
      } else if (r < 0.65) {
        const n = 1 + Math.floor(rand() * 4096);
        const pb = pool.getBuffer(n);
        const t = tierFor(n);
        model.recent.push(n);
        model.get[t]++;
        model.inUse[t]++;
        counted.push({ pb, count: 1, canary: fill(pb.bytes), tier: t });
      } else if (r < 0.8 && counted.length) {
        const item = counted[Math.floor(rand() * counted.length)];
        item.pb.retain();
        item.count++;
        expect(item.pb.refCount).toBe(item.count);
      } else if (counted.length) {
        const index = Math.floor(rand() * counted.length);
        const item = counted[index];
        const bytes = item.pb.bytes;
        expect(intact(bytes, item.canary)).toBe(true);
        const returned = item.pb.release();
        item.count--;
        expect(returned).toBe(item.count === 0);
        if (item.count === 0) {
          counted.splice(index, 1);
          retire(bytes, true);
          model.put[item.tier]++;
          model.inUse[item.tier]--;
          expect(() => item.pb.release()).toThrow(expect.objectContaining({ code: 'ERR_POOLMEM_REFCOUNT' }));
          expect(() => item.pb.retain()).toThrow(expect.objectContaining({ code: 'ERR_POOLMEM_REFCOUNT' }));
        }
      }
      if (step % 97 === 0) pool.trim();
    }
    for (const item of plain) expect(intact(item.buf, item.canary)).toBe(true);
    for (const item of counted) expect(intact(item.pb.bytes, item.canary)).toBe(true);
    const stats = pool.stats();
    for (const t of tiers) {
      expect(stats.tiers[t]).toEqual({ get: model.get[t], put: model.put[t], inUse: model.inUse[t] });
    }
    expect(stats.discarded).toBe(model.discarded);
    expect(stats.recentLengths).toEqual(model.recent.slice(-256));
    expect(stats.totalGet).toBe(tiers.reduce((s, t) => s + model.get[t], 0));
    expect(stats.totalPut).toBe(tiers.reduce((s, t) => s + model.put[t], 0));
    expect(stats.leaks).toBe(0);
    pool.close();
  });
});
