'use strict';
// examples/frame-parser.js runs as a user would run it and reports frames
// parsed across arbitrary TCP chunk splits.

const { execFile } = require('node:child_process');
const path = require('node:path');

const script = path.join(__dirname, '..', 'examples', 'frame-parser.js');

function run(args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code ?? err.signal : 0, stdout, stderr });
    });
  });
}

describe('examples/frame-parser.js', () => {
  test('parses every frame across chunk splits and exits by itself', async () => {
    const { code, stdout, stderr } = await run(['300']);
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
