'use strict';
// examples/frame-echo.js runs as a user would run it: pooled reads on the
// client (PooledOnread), frames parsed in place on both sides (FrameReader),
// replies freed by writeAndFree; every reply matches and the pool ends empty.

const { runExample } = require('./helpers/run_example');
const { childEnv } = require('./helpers/child_env');

describe('examples/frame-echo.js', () => {
  test('echoes frames that span reads, every byte checked, pool back to 0', async () => {
    const { code, stdout, stderr } = await runExample('frame-echo.js', ['200']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^client sent 200 frames and got 200 replies in \d+ pooled reads/m);
    expect(stdout).toContain('replies match: yes');
    expect(stdout).toMatch(/, 0 in use at the end$/m);
    const [, gets, puts] = stdout.match(/^pool: (\d+) gets, (\d+) puts/m);
    expect(Number(gets)).toBe(Number(puts));
  });

  test('rejects a frame count that is not a positive integer', async () => {
    // process.exit() skips Node's teardown: under ASan, LeakSanitizer would report Node's heap.
    const { code, stderr } = await runExample('frame-echo.js', ['0'], childEnv());
    expect(code).toBe(2);
    expect(stderr).toContain('usage: node examples/frame-echo.js [frames]');
  });
});
