'use strict';
// Runs examples/<name> in a child process, as a user would, and resolves with
// its exit code (or the signal that ended it), stdout and stderr.

const { execFile } = require('node:child_process');
const path = require('node:path');

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

function runExample(name, args = [], env = process.env) {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(EXAMPLES, name), ...args], { timeout: 30_000, env }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code ?? err.signal : 0, stdout, stderr });
    });
  });
}

module.exports = { runExample };
