#!/usr/bin/env bash
# Packs the package as `npm publish` would (prepare and prepack included),
# checks that `npm pack --json` prints valid JSON and that the tarball holds
# what users need and nothing of the repository's own, then runs
# arethetypeswrong and publint on the tarball. When prebuilds/ holds no binary
# for this machine, a stripped copy of build/Release/poolmem.node stands in
# for it while this runs (so it works without `npm run prebuild`).
set -euo pipefail
cd "$(dirname "$0")/.."
ATTW=@arethetypeswrong/cli@0.18.5
PUBLINT=publint@0.3.25

tmp=$(mktemp -d)
standin=
cleanup() {
  rm -rf "$tmp"
  if [[ -n $standin ]]; then rm -f "$standin"; rmdir -p "$(dirname "$standin")" 2>/dev/null || true; fi
}
trap cleanup EXIT
host="$(node -p 'process.platform + "-" + process.arch')"
if ! ls "prebuilds/$host"/*.node >/dev/null 2>&1; then
  libc=$(node -p "require('detect-libc').familySync() || 'glibc'")
  standin="prebuilds/$host/poolmem.napi.$libc.node"
  mkdir -p "prebuilds/$host"
  cp build/Release/poolmem.node "$standin"
  strip --strip-unneeded "$standin"
  echo "check-package: standing in for the $host prebuild with a stripped build/Release/poolmem.node"
fi

npm pack --json --pack-destination "$tmp" 2>"$tmp/pack.stderr" >"$tmp/pack.json" || {
  cat "$tmp/pack.stderr" >&2
  exit 1
}
node - "$tmp/pack.json" <<'EOF'
// The tarball's file list: what users need, and none of the repository's own.
const fs = require('node:fs');
const [info] = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')); // throws when stdout is not JSON
const files = info.files.map((f) => f.path);
const need = ['LICENSE', 'README.md', 'package.json', 'binding.d.ts', 'binding.d.mts', 'lib/index.js',
  'lib/index.mjs', 'lib/internal/binding.js', 'CMakeLists.txt'];
const missing = need.filter((f) => !files.includes(f));
const prebuilt = files.filter((f) => /^prebuilds\/[^/]+\/[^/]+\.node$/.test(f));
const unwanted = files.filter((f) => /^(test|bench|scripts|examples|docs|build|\.ci)\//.test(f) || f === 'CONTRIBUTING.md');
if (missing.length || unwanted.length || prebuilt.length === 0) {
  console.error(`check-package: missing ${missing.join(', ') || '-'}; unwanted ${unwanted.join(', ') || '-'}; prebuilds ${prebuilt.length}`);
  process.exit(1);
}
console.log(`check-package: ${info.filename}: ${files.length} files, ${info.size} bytes packed, prebuilds: ${prebuilt.join(', ')}`);
EOF
tarball="$tmp/$(node -p "JSON.parse(require('fs').readFileSync('$tmp/pack.json', 'utf8'))[0].filename")"
npx --yes "$ATTW" "$tarball" --format ascii
npx --yes "$PUBLINT" run "$tarball" --strict
