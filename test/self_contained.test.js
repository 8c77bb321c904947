'use strict';
// The repository stands alone: no file it tracks points readers at working
// notes kept outside it or at issue numbers. Reasons belong in docs/.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
// Built from pieces so this file does not match itself.
const CITATION = new RegExp([
  ['shared', '/'].join(''),
  ['gomem', '-behaviour'].join(''),
  ['peers', '-behaviour'].join(''),
  `\\b(DESIGN|STYLE|API)\\.md\\b`,
  `\\b[Ii]ssue #\\d+`,
].join('|'));

test('no tracked file cites notes outside the repository or issue numbers', () => {
  const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n')
    .filter((f) => f !== '' && f !== 'package-lock.json' && !f.endsWith('.svg'));
  const hits = [];
  for (const file of files) {
    const full = path.join(ROOT, file);
    if (!fs.existsSync(full)) continue;
    fs.readFileSync(full, 'utf8').split('\n').forEach((line, i) => {
      if (CITATION.test(line)) hits.push(`${file}:${i + 1}: ${line.trim().slice(0, 120)}`);
    });
  }
  expect(hits).toEqual([]);
});
