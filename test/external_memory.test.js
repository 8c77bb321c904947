'use strict';
// ScalableAllocator tells V8 about the memory it reserves exactly once:
// chunk ArrayBuffers count themselves (fast mode); safe mode adds each chunk
// with napi_adjust_external_memory, subtracts the bytes of every
// per-allocation ArrayBuffer over it, and gives them back when V8 stops
// counting that ArrayBuffer (at detach, or after GC at its finalizer). Each
// run is a fresh process (fixtures/external_memory_probe.js): readings in
// MiB above its start, with a 32 MiB chunk holding two 8 MiB allocations.

const { execFileSync } = require('node:child_process');
const path = require('node:path');

const probe = path.join(__dirname, 'fixtures', 'external_memory_probe.js');
const about = (mib) => ({ asymmetricMatch: (v) => Math.abs(v - mib) < 1, toString: () => `about ${mib} MiB` });

describe('ScalableAllocator reports reserved memory to V8 once', () => {
  test.each(['fast', 'safe'])('%s mode: the chunk counts, never an allocation over it as well', (mode) => {
    const out = JSON.parse(execFileSync(process.execPath, ['--expose-gc', probe, mode], { encoding: 'utf8', timeout: 30_000 }));
    expect(out).toEqual({
      malloc: about(32),
      'second malloc': about(32),
      free: about(32),
      borrow: about(32),
      'free ending the borrow': about(32),
      dropped: about(32),
      'after finalizers': about(32),
      leaks: mode === 'safe' ? 1 : 0,
      close: about(mode === 'safe' ? 16 : 0), // safe mode holds x and y (not detached) until collected
      'after close and finalizers': about(0),
    });
  });
});

describe('the external memory this addon reports never goes below zero', () => {
  // Node 24's V8 aborts on a negative adjustment larger than its count
  // ("Check failed: amount_before >= -delta"); a BytePool closed with
  // tracked views outstanding, followed by another tracked view, did it.
  test('a soak of tracked views, safe mode, closes and GC finishes with a count >= 0', () => {
    const soak = path.join(__dirname, 'fixtures', 'external_memory_soak.js');
    const out = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '--no-warnings', soak, '20'],
      { encoding: 'utf8', timeout: 60_000 }));
    expect(out.lowest).toBeGreaterThanOrEqual(0);
    expect(out.end).toBeGreaterThanOrEqual(0);
  });
});

describe('BytePool tracked slots and V8 external memory', () => {
  // Node 24 and newer abort the process ("Check failed: ... >= -delta") if
  // V8's count of external memory would go below zero.
  test('churning leak-tracked buffers never drives the count below zero', () => {
    const fixture = path.join(__dirname, 'fixtures', 'tracked_slot_churn.js');
    const r = require('node:child_process').spawnSync(process.execPath, [fixture], { encoding: 'utf8', timeout: 60_000 });
    expect([r.status, r.stdout.trim(), r.stderr.includes('Check failed')]).toEqual([0, 'survived 2', false]);
  });
});
