// `npm run bench:chart`: draws the ring benchmark's ratios (Buffer.allocUnsafe
// ns / pool ns, higher is better) as an SVG with Vega-Lite. Input: JSON files
// written by `node --expose-gc bench/ring.bench.mjs --json FILE`, one per Node
// version; output: docs/ring-chart.svg unless `--out FILE` is given.
//   node bench/chart.mjs results-node20.json results-node24.json [--out FILE]
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
const values = [];
for (const file of args) {
  const run = JSON.parse(readFileSync(file, 'utf8'));
  const node = `Node ${run.node.replace(/^v/, '').split('.')[0]}`;
  for (const { k, s, ns } of run.ring) {
    for (const [pool, t] of Object.entries(ns)) {
      if (pool === BASELINE) continue;
      values.push({ node, ring: `K = ${k}`, size: `${s}..${2 * s - 1} B`, s, pool, ratio: ns[BASELINE] / t });
    }
  }
}

const spec = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: { text: 'Ring pattern: Buffer.allocUnsafe time / pool time (higher is better; 1 = break-even)' },
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
          y: { field: 'ratio', type: 'quantitative', scale: { type: 'log', domain: [FLOOR, 300], nice: false },
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
