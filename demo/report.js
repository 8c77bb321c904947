'use strict';
// Turns the demo's runs into per-run metrics, medians and one table per
// protocol and frame size, with pooled/plain ratios of the medians.

const COLUMNS = [
  ['frames/s', (r) => r.perSecond, 0],
  ['p50 ms', (r) => r.p50, 3],
  ['p99 ms', (r) => r.p99, 3],
  ['CPU µs/frame', (r) => r.cpuMicros / r.served, 2],
  ['GCs/1k frames', (r) => (r.gcs / r.served) * 1000, 3],
  ['GC µs/frame', (r) => r.gcPauseMicros / r.served, 3],
  ['heap B/frame', (r) => r.heapAllocated / r.served, 0],
  ['start RSS MB', (r) => r.startRss / 2 ** 20, 1],
  ['peak RSS MB', (r) => r.peakRss / 2 ** 20, 1],
  ['final RSS MB', (r) => r.finalRss / 2 ** 20, 1],
  ['corrupted', (r) => r.corrupted, 0],
];

function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

function fmt(x, digits) {
  if (!Number.isFinite(x)) return '-';
  return x.toFixed(digits);
}

// runs: { plain: [run...], pooled: [run...] } for one protocol and size.
function table(title, runs) {
  const rows = [['', ...COLUMNS.map(([name]) => name)]];
  const medians = {};
  for (const mode of ['plain', 'pooled']) {
    medians[mode] = COLUMNS.map(([, pick]) => median(runs[mode].map(pick)));
    rows.push([`${mode} (median of ${runs[mode].length})`, ...medians[mode].map((m, i) => fmt(m, COLUMNS[i][2]))]);
  }
  rows.push(['pooled / plain', ...COLUMNS.map((c, i) => {
    if (c[0] === 'corrupted') return '-';
    return fmt(medians.pooled[i] / medians.plain[i], 2);
  })]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const out = [`### ${title}`, '', line(rows[0]), `|${widths.map((w, i) => (i === 0 ? '-' : '').padEnd(w + 1, '-') + (i === 0 ? '-' : ':')).join('|')}|`];
  for (const r of rows.slice(1)) out.push(line(r));
  const last = runs.pooled[runs.pooled.length - 1];
  if (last && last.pool) {
    const p = last.pool;
    out.push('', `pool at the end of the last pooled run: inUse ${p.inUse}, get ${p.totalGet}, put ${p.totalPut}, ` +
      `reserved ${(p.reservedSize / 2 ** 20).toFixed(1)} MiB, fallbacks ${last.fallbacks}`);
  }
  return out.join('\n');
}

module.exports = { median, table };
