'use strict';
// examples/pooled-reader.js runs as a user would run it: socket reads land in
// ScalableAllocator memory through net's onread, and every byte goes back.

const { runExample } = require('./helpers/run_example');
const { childEnv } = require('./helpers/child_env');

const run = (args) => runExample('pooled-reader.js', args);

function expectCleanRun({ code, stdout, stderr }, bytes) {
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(stdout).toMatch(new RegExp(`^server sent ${bytes} bytes in \\d+ writes `, 'm'));
  const [, reads, calls] = stdout.match(new RegExp(`^client read ${bytes} bytes in (\\d+) reads .*calls: (\\d+)\\)$`, 'm'));
  // Node calls the buffer function once at connect and once after each read.
  expect(Number(calls)).toBe(Number(reads) + 1);
  const [, server, client] = stdout.match(/^sha256 server ([0-9a-f]{16}), client ([0-9a-f]{16})$/m);
  expect(client).toBe(server);
  expect(stdout).toContain('checksums match: yes');
  const stats = stdout.match(/^pool\.stats\(\): (.*)$/m)[1];
  expect(stats).toContain('usedSize: 0,');
  expect(stats).toContain('allocations: 0,');
  expect(stats).toMatch(/leaks: 0[ ,]/);
  return Number(reads);
}

describe('examples/pooled-reader.js', () => {
  test('reads an odd-sized stream into pooled buffers and frees them all', async () => {
    const bytes = 3_000_001;
    const reads = expectCleanRun(await run([String(bytes)]), bytes);
    expect(reads).toBeGreaterThanOrEqual(Math.ceil(bytes / (64 * 1024)));
  });

  test('frees the one unused buffer when the server sends nothing', async () => {
    const result = await run(['0']);
    expect(expectCleanRun(result, 0)).toBe(0);
    expect(result.stdout).toContain('sha256 server e3b0c44298fc1c14'); // SHA-256 of no bytes
  });

  test('rejects a byte count that is not a non-negative integer', async () => {
    // process.exit() skips Node's teardown, so under ASan LeakSanitizer would
    // report Node's own heap and turn the exit code into 1 (as in lifecycle.test.js).
    const { code, stdout, stderr } = await runExample('pooled-reader.js', ['-1'], childEnv());
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('usage: node examples/pooled-reader.js [bytes]');
  });
});
