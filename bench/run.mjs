// `npm run bench`: runs every bench/*.bench.mjs in turn, each in its own Node
// process (so one benchmark's JIT and GC state cannot colour the next).
// Arguments are passed on; a file name filter may be given as BENCH=substring.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.env.BENCH ?? '';
const files = readdirSync(here).filter((f) => f.endsWith('.bench.mjs') && f.includes(filter)).sort();

let failed = 0;
for (const file of files) {
  console.log(`\n# ${file}\n`);
  const res = spawnSync(process.execPath, ['--expose-gc', join(here, file), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (res.status !== 0) {
    failed++;
    console.error(`${file} failed (${res.signal ?? `exit ${res.status}`})`);
  }
}
if (files.length === 0) console.log('no bench/*.bench.mjs files');
process.exitCode = failed === 0 ? 0 : 1;
