'use strict';
// prepack: the published package carries the prebuilt binaries that
// `npm run prebuild` leaves in prebuilds/. Packing stops when there is none
// for this platform and arch, or when an ELF binary still has its symbol
// table (not stripped). Prints to stderr only: `npm pack --json` must stay
// valid JSON. `npm pack --ignore-scripts` packs the sources without checks.

const fs = require('node:fs');
const path = require('node:path');

const SHT_SYMTAB = 2;

// True when `file` is an ELF object with a .symtab section (ELF32 or ELF64,
// either byte order). Other formats (PE, Mach-O) are not inspected.
function hasSymbolTable(file) {
  const data = fs.readFileSync(file);
  if (data.length < 64 || data.readUInt32BE(0) !== 0x7f454c46) return false;
  const is64 = data[4] === 2;
  const le = data[5] === 1;
  const u16 = (at) => (le ? data.readUInt16LE(at) : data.readUInt16BE(at));
  const u32 = (at) => (le ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const shoff = is64 ? Number(le ? data.readBigUInt64LE(0x28) : data.readBigUInt64BE(0x28)) : u32(0x20);
  const shentsize = u16(is64 ? 0x3a : 0x2e);
  const shnum = u16(is64 ? 0x3c : 0x30);
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    if (at + 8 > data.length) break;
    if (u32(at + 4) === SHT_SYMTAB) return true;
  }
  return false;
}

function binaries(dir) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.node'))
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .sort();
}

function main(root) {
  const prebuilds = path.join(root, 'prebuilds');
  const files = binaries(prebuilds);
  const host = `${process.platform}-${process.arch}`;
  const problems = [];
  const forHost = (f) => {
    const [platform, archs = ''] = path.basename(path.dirname(f)).split('-');
    return platform === process.platform && archs.split('+').includes(process.arch);
  };
  if (!files.some(forHost)) {
    problems.push(`no prebuilt binary for ${host} in prebuilds/: run \`npm run prebuild\` first`);
  }
  for (const f of files) {
    if (hasSymbolTable(f)) problems.push(`${path.relative(root, f)} is not stripped (it has a .symtab section)`);
  }
  for (const f of files) console.error(`prepack: ${path.relative(root, f)} (${fs.statSync(f).size} bytes)`);
  if (problems.length) {
    for (const p of problems) console.error(`prepack: ${p}`);
    process.exitCode = 1;
  }
}

main(process.argv[2] ? path.resolve(process.argv[2]) : path.join(__dirname, '..'));
