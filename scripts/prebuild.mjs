// npm run prebuilds [-- target...]: builds the redistributable addons into
// prebuilds/<platform>-<arch>/poolmem.napi[.<libc>].node (node-gyp-build's
// layout). Targets:
//   linux-x64, linux-arm64  this machine's GCC (Debian's cross GCC for arm64)
//                           against an old Debian root (scripts/prebuild-root.sh),
//                           so the file needs only glibc 2.28 (checked by
//                           test/package/check-symbols.mjs);
//   native                  whatever this machine is, with its own compiler
//                           (the macOS and Windows CI jobs, musl hosts).
// Default: linux-x64 and linux-arm64 on a Linux x64 host, native elsewhere.
// Build logs go to stderr, so `npm pack --json` keeps a clean stdout.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const suite = process.env.POOLMEM_SYSROOT_SUITE || 'bullseye';

const CROSS = {
  'linux-x64': { triple: 'x86_64-linux-gnu', debArch: 'amd64', aptCompiler: 'g++' },
  'linux-arm64': { triple: 'aarch64-linux-gnu', debArch: 'arm64', aptCompiler: 'g++-aarch64-linux-gnu' },
};

function log(msg) {
  process.stderr.write(`prebuild: ${msg}\n`);
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 2, 2], ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`);
}

function have(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function ensureCompiler({ triple, aptCompiler }) {
  if (have(`${triple}-g++`)) return;
  log(`installing ${aptCompiler} (Debian package)`);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', aptCompiler], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function cmakeBuild(target, defines) {
  const out = path.join('build-prebuild', target);
  const args = ['rebuild', '-O', out, '--CDPOOLMEM_PREBUILD=ON'];
  for (const [k, v] of Object.entries(defines)) args.push(`--CD${k}=${v}`);
  run(process.execPath, [cmakeJs, ...args]);
  return path.join(root, out, 'Release', 'poolmem.node');
}

function install(file, platformArch, libc) {
  const dir = path.join(root, 'prebuilds', platformArch);
  const name = ['poolmem', 'napi', libc, 'node'].filter(Boolean).join('.');
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(file, path.join(dir, name));
  log(`${path.relative(root, path.join(dir, name))} (${fs.statSync(file).size} bytes)`);
}

function buildCross(target) {
  const spec = CROSS[target];
  ensureCompiler(spec);
  const sysroot = execFileSync('bash', [path.join(root, 'scripts', 'prebuild-root.sh'), suite, spec.debArch], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 2],
  }).trim();
  const file = cmakeBuild(target, {
    CMAKE_TOOLCHAIN_FILE: path.join(root, 'cmake', 'linux-sysroot.cmake'),
    POOLMEM_TARGET_TRIPLE: spec.triple,
    POOLMEM_SYSROOT: sysroot,
  });
  install(file, target, 'glibc');
}

function hostLibc() {
  if (process.platform !== 'linux') return null;
  return process.report.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl';
}

function buildNative() {
  const target = `${process.platform}-${process.arch}`;
  // macOS: load on every macOS that Node 20+ supports, not only the builder's.
  const defines = process.platform === 'darwin' ? { CMAKE_OSX_DEPLOYMENT_TARGET: '11.0' } : {};
  install(cmakeBuild(`native-${target}`, defines), target, hostLibc());
}

const requested = process.argv.slice(2);
const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
const targets = requested.length ? requested : linuxX64 ? Object.keys(CROSS) : ['native'];
for (const target of targets) {
  if (target === 'native') buildNative();
  else if (CROSS[target]) buildCross(target);
  else throw new Error(`unknown prebuild target "${target}" (known: ${Object.keys(CROSS).join(', ')}, native)`);
}
