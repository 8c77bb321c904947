// `npm run bench:chart`: draws the ring benchmark's ratios (Buffer.allocUnsafe
// ns / pool ns, higher is better) as an SVG with Vega-Lite. Input: JSON files
// written by `node --expose-gc bench/ring.bench.mjs --json FILE`, one or more
// per Node version (runs of one version are drawn as their median); output:
// docs/ring-chart.svg unless `--out FILE` is given.
//   node bench/chart.mjs node20-1.json node20-2.json node24-1.json ... [--out FILE]
import { readFileSync, writeFileSync } from 'node:fs';
import * as vega from 'vega';
import { compile } from 'vega-lite';

const args = process.argv.slice(2);
let out = new URL('../docs/ring-chart.svg', import.meta.url).pathname;
const outAt = args.indexOf('--out');
if (outAt !== -1) out = args.splice(outAt, 2)[1];
if (args.length === 0) {
  console.error('usage: node bench/chart.mjs RESULTS.json [MORE.json ...] [--out FILE]');
  process.exit(2);
}

const BASELINE = 'Buffer.allocUnsafe';
const FLOOR = 0.05;
// Several runs of one Node version are folded into one bar per cell: the
// median of the runs' ratios.
const byCell = new Map();
for (const file of args) {
  const run = JSON.parse(readFileSync(file, 'utf8'));
  const node = `Node ${run.node.replace(/^v/, '').split('.')[0]}`;
  for (const { k, s, ns } of run.ring) {
    for (const [pool, t] of Object.entries(ns)) {
      if (pool === BASELINE) continue;
      const key = `${node}|${k}|${s}|${pool}`;
      if (!byCell.has(key)) byCell.set(key, { node, ring: `K = ${k}`, size: `${s}..${2 * s - 1} B`, s, pool, ratios: [] });
      byCell.get(key).ratios.push(ns[BASELINE] / t);
    }
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
const values = [...byCell.values()].map(({ ratios, ...cell }) => ({ ...cell, ratio: median(ratios) }));

const spec = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: {
    text: 'Ring pattern: Buffer.allocUnsafe time / pool time (higher is better; 1 = break-even)',
    subtitle: 'view floor: a Buffer made over existing memory and nothing else, the most any pool could reach',
  },
  data: { values },
  facet: { row: { field: 'node', title: null }, column: { field: 'ring', title: null } },
  spec: {
    width: 360,
    height: 180,
    layer: [
      {
        mark: 'bar',
        encoding: {
          x: { field: 'size', type: 'ordinal', sort: { field: 's' }, title: 'sizes allocated', axis: { labelAngle: 0 } },
          xOffset: { field: 'pool' },
          // Bars on a log scale need a finite base: they start at the domain's floor.
          y: { field: 'ratio', type: 'quantitative', scale: { type: 'log', domain: [FLOOR, 1000], nice: false },
            title: 'allocUnsafe / pool (log)' },
          y2: { datum: FLOOR },
          color: { field: 'pool', type: 'nominal' },
          tooltip: [{ field: 'pool' }, { field: 'size' }, { field: 'ratio', format: '.2f' }],
        },
      },
      { mark: { type: 'rule', color: 'black' }, encoding: { y: { datum: 1 } } },
    ],
  },
};

const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
writeFileSync(out, await view.toSVG());
console.log(`wrote ${out} (${values.length} bars from ${args.length} run(s))`);
