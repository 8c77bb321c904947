'use strict';
// An installed copy of poolmem in a temporary project (node_modules/poolmem,
// no .git), with chosen files in build/Release and prebuilds/, for loader
// tests that run `require`/`import` in a child process.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..', '..');
// The addon this test run uses (a sanitizer build under test:asan).
const REAL_BINARY = process.env.POOLMEM_BINARY || path.join(ROOT, 'build', 'Release', 'poolmem.node');
const BROKEN = 'not an ELF file\n';

// files: { 'build/Release/poolmem.node': 'real' | 'broken', 'prebuilds/linux-x64/x.node': ... }
function makeTempPackage(files = {}) {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'poolmem-pkg-'));
  const pkg = path.join(project, 'node_modules', 'poolmem');
  fs.mkdirSync(pkg, { recursive: true });
  fs.cpSync(path.join(ROOT, 'lib'), path.join(pkg, 'lib'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
  // Runtime dependencies resolve from the project's node_modules, as after npm install.
  for (const dep of Object.keys(require(path.join(ROOT, 'package.json')).dependencies)) {
    fs.symlinkSync(path.dirname(require.resolve(`${dep}/package.json`, { paths: [ROOT] })),
      path.join(project, 'node_modules', dep));
  }
  for (const [rel, kind] of Object.entries(files)) {
    const file = path.join(pkg, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (kind === 'real') fs.copyFileSync(REAL_BINARY, file);
    else fs.writeFileSync(file, BROKEN);
  }
  return { project, pkg, remove: () => fs.rmSync(project, { recursive: true, force: true }) };
}

// Runs `code` (CommonJS, or ESM with esm: true) in `cwd` with POOLMEM_BINARY
// unset unless env names it; returns { status, stdout, stderr }.
function runNode(cwd, code, { env = {}, esm = false, execPath = process.execPath, args = [] } = {}) {
  const childEnv = { ...process.env, ...env };
  if (!('POOLMEM_BINARY' in env)) delete childEnv.POOLMEM_BINARY;
  const r = spawnSync(execPath, [...args, ...(esm ? ['--input-type=module'] : []), '-e', code],
    { cwd, env: childEnv, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

module.exports = { BROKEN, REAL_BINARY, ROOT, makeTempPackage, runNode };
