'use strict';
// examples/frame-parser.js runs as a user would run it and reports frames
// parsed across arbitrary TCP chunk splits.

const { runExample } = require('./helpers/run_example');

describe('examples/frame-parser.js', () => {
  test('parses every frame across chunk splits and exits by itself', async () => {
    const { code, stdout, stderr } = await runExample('frame-parser.js', ['300']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^client sent 300 frames \((\d+) bytes\) in \d+ writes$/m);
    const sent = Number(stdout.match(/\((\d+) bytes\)/)[1]);
    expect(stdout).toContain(`server received ${sent} bytes in `);
    expect(stdout).toMatch(/parsed 300 frames$/m);
    expect(stdout).toContain('0 bytes left unparsed');
    expect(stdout).toContain('checksums match: yes');
  });
});
