'use strict';
// Node's --zero-fill-buffers makes Buffer.allocUnsafe zero-fill; every pool
// does the same while it is set (on the command line or in NODE_OPTIONS), and
// only then. Each case runs in a child process with dirty memory reused.

const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { childEnv } = require('./helpers/child_env');

const LIB = path.join(__dirname, '..', 'lib');

// For every pool: write 0xff into a buffer, give it back, take the same
// memory again and print whether any byte is non-zero.
const script = `
const { Arena, ArenaPool, BytePool, ScalableAllocator, STRATEGIES, alloc, free } = require(${JSON.stringify(LIB)});
const out = {};
const reuse = (name, take, give) => {
  const a = take(64); a.fill(0xff); give(a);
  const b = take(64); out[name] = b.some((x) => x !== 0) ? 'dirty' : 'zero';
  give(b);
};
for (const safe of [false, true]) {
  for (const strategy of STRATEGIES) {
    const arena = new Arena(1 << 16, { strategy, safe });
    reuse('Arena ' + strategy + (safe ? ' safe' : ''), (n) => arena.malloc(n), (b) => arena.free(b));
    const s = new ScalableAllocator({ strategy, safe, leakDetection: 'disabled' });
    reuse('ScalableAllocator ' + strategy + (safe ? ' safe' : ''), (n) => s.malloc(n), (b) => s.free(b));
    // borrow lends free memory without reserving it: the dirty bytes are the freed ones.
    reuse('ScalableAllocator borrow ' + strategy + (safe ? ' safe' : ''), (n) => s.borrow(n), () => {});
  }
}
const bp = new BytePool();
reuse('BytePool get', (n) => bp.get(n), (b) => bp.put(b));
const bpp = new BytePool(undefined, { leakDetection: 'paranoid' });
const held = new Map();
reuse('BytePool getBuffer', (n) => { const p = bpp.getBuffer(n); held.set(p.bytes, p); return p.bytes; }, (b) => held.get(b).release());
reuse('alloc', alloc, free);
const ap = new ArenaPool({ numArenas: 1, arenaSize: 1 << 16 });
const arena = ap.get();
reuse('ArenaPool', (n) => arena.malloc(n), (b) => arena.free(b));
console.log(JSON.stringify(out));
`;

function run(execArgv, env = {}) {
  const stdout = execFileSync(process.execPath, [...execArgv, '-e', script], {
    env: childEnv({ POOLMEM_SAFE: '', NODE_OPTIONS: '', ...env }),
    encoding: 'utf8',
  });
  return JSON.parse(stdout);
}

const values = (o) => [...new Set(Object.values(o))];

describe('--zero-fill-buffers', () => {
  test('on the command line: every pool zero-fills what it hands out', () => {
    const out = run(['--zero-fill-buffers']);
    expect(Object.keys(out).length).toBeGreaterThan(20);
    expect(Object.entries(out).filter(([, v]) => v !== 'zero')).toEqual([]);
  });

  test('in NODE_OPTIONS: the same', () => {
    expect(values(run([], { NODE_OPTIONS: '--zero-fill-buffers' }))).toEqual(['zero']);
  });

  test('spelled with underscores, and undone by --no-zero-fill-buffers after it, as Node reads them', () => {
    expect(values(run(['--zero_fill_buffers']))).toEqual(['zero']);
    expect(run(['--no-zero-fill-buffers'], { NODE_OPTIONS: '--zero-fill-buffers' })['Arena treap']).toBe('dirty');
  });

  test('without it, reused memory is not zeroed (as with Buffer.allocUnsafe)', () => {
    const out = run([]);
    // Safe mode poisons freed bytes; every fast-mode pool hands the dirty bytes back.
    expect(out['Arena treap']).toBe('dirty');
    expect(out['ScalableAllocator treap']).toBe('dirty');
    expect(out['BytePool get']).toBe('dirty');
    expect(out.alloc).toBe('dirty');
  });
});
