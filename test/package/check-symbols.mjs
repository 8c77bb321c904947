// Fails when a Linux glibc prebuild needs more than the oldest systems it
// promises to load on (Debian 10, RHEL 8: glibc 2.28, libgcc_s from GCC 8):
// reads each file's dynamic symbols and libraries with objdump.
//   node test/package/check-symbols.mjs [file.node...]
// Default: every prebuilds/linux-*/*.glibc.node. Exit 1 on any violation.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// Highest symbol version allowed per prefix; a prefix not listed may not
// appear at all (GLIBCXX_, CXXABI_: libstdc++ is linked statically).
export const BASELINE = { GLIBC: '2.28', GCC: '7.0.0' };
// Libraries every glibc system has (the dynamic loader provides the
// thread-local storage entry points). Nothing else may be NEEDED.
export const ALLOWED_LIBS = new Set([
  'libc.so.6', 'libm.so.6', 'libgcc_s.so.1', 'libpthread.so.0', 'libdl.so.2', 'librt.so.1',
  'ld-linux-x86-64.so.2', 'ld-linux-aarch64.so.1',
]);
// Unversioned undefined symbols that Node itself provides.
const FROM_NODE = /^(napi_|node_api_)/;

function compareVersions(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return Math.sign(d);
  }
  return 0;
}

export function violations(file) {
  const problems = [];
  const dynsyms = execFileSync('objdump', ['-T', file], { encoding: 'utf8' });
  const highest = {};
  for (const line of dynsyms.split('\n')) {
    // e.g. "0000000000000000      DF *UND*  0000000000000000 (GLIBC_2.17) memcpy"
    const m = /^\S+\s+(\S*)\s+\S+\s+\*UND\*\s+\S+\s+(?:\((\S+)\)|(Base))\s+(\S+)/.exec(line);
    if (!m) continue;
    const [, binding, version, , name] = m;
    if (!version) {
      const weak = binding.includes('w');
      if (!weak && !FROM_NODE.test(name)) problems.push(`unversioned undefined symbol ${name} (not from Node-API)`);
      continue;
    }
    const v = /^([A-Z]+)_([0-9.]+)$/.exec(version);
    if (!v) {
      problems.push(`symbol ${name} needs unexpected version ${version}`);
      continue;
    }
    const [, prefix, number] = v;
    if (!(prefix in BASELINE)) {
      problems.push(`symbol ${name} needs ${version}: no ${prefix}_ version may be required`);
      continue;
    }
    if (compareVersions(number, BASELINE[prefix]) > 0) problems.push(`symbol ${name} needs ${version} > ${prefix}_${BASELINE[prefix]}`);
    if (!highest[prefix] || compareVersions(number, highest[prefix]) > 0) highest[prefix] = number;
  }
  const headers = execFileSync('objdump', ['-p', file], { encoding: 'utf8' });
  const needed = [...headers.matchAll(/^\s*NEEDED\s+(\S+)/gm)].map((m) => m[1]);
  for (const lib of needed) if (!ALLOWED_LIBS.has(lib)) problems.push(`needs library ${lib}`);
  const symtab = execFileSync('objdump', ['-t', file], { encoding: 'utf8' });
  if (!/SYMBOL TABLE:\s*no symbols/.test(symtab)) problems.push('not stripped (has a symbol table)');
  return { problems, highest, needed };
}

function defaultFiles() {
  const dir = path.join(root, 'prebuilds');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((d) => d.startsWith('linux-'))
    .flatMap((d) => fs.readdirSync(path.join(dir, d)).filter((f) => f.endsWith('.glibc.node')).map((f) => path.join(dir, d, f)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = process.argv.length > 2 ? process.argv.slice(2) : defaultFiles();
  if (files.length === 0) {
    console.error('check-symbols: no Linux glibc prebuild found; run `npm run prebuilds` first');
    process.exit(1);
  }
  let failed = 0;
  for (const file of files) {
    const { problems, highest, needed } = violations(file);
    const summary = Object.entries(highest).map(([p, v]) => `${p}_${v}`).join(', ');
    const rel = path.relative(process.cwd(), file);
    if (problems.length) {
      failed++;
      console.log(`not ok ${rel}`);
      for (const p of problems.slice(0, 20)) console.log(`  - ${p}`);
      if (problems.length > 20) console.log(`  - ... ${problems.length - 20} more`);
    } else {
      console.log(`ok ${rel}: highest ${summary}; needs ${needed.join(' ')}`);
    }
  }
  console.log(`check-symbols: ${files.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
