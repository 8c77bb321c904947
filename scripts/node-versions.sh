#!/usr/bin/env bash
# Runs a command under every supported Node.js version, using Node's official
# binaries from the npm registry (the `node-<platform>-<arch>` packages),
# cached in ${XDG_CACHE_HOME:-$HOME/.cache}/poolmem-node/<version>/ and reused.
#
#   bash scripts/node-versions.sh                    # list the versions and their node paths
#   bash scripts/node-versions.sh -- CMD [ARGS...]   # run CMD under each, node first on PATH
#
# The versions are the newest release of each supported major, plus the lowest
# version package.json's `engines` admits. POOLMEM_NODE_VERSIONS="22 24.1.0"
# overrides the list (a major or an exact version each).
set -euo pipefail
cd "$(dirname "$0")/.."

MAJORS=(20 22 24 26)
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/poolmem-node"
PACKAGE="node-$(node -p process.platform)-$(node -p process.arch)"

# The lowest version `engines.node` admits (">=X.Y.Z" is the form we use).
engines_floor() {
  node -p "require('./package.json').engines.node.replace(/^>=\s*/, '')"
}

# Prints the exact version a spec (major or exact) stands for: asks the
# registry, or falls back to the newest cached one when it cannot be reached.
resolve() {
  local spec=$1 found
  if [[ $spec =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then echo "$spec"; return; fi
  if found=$(npm view "$PACKAGE@$spec" version --json 2>/dev/null | node -e '
      const key = (v) => v.split(".").map(Number);
      const newest = [].concat(JSON.parse(require("fs").readFileSync(0, "utf8")))
        .sort((a, b) => key(a).reduce((d, x, i) => d || x - key(b)[i], 0)).pop();
      if (!newest) process.exit(1);
      console.log(newest);'); then
    echo "$found"; return
  fi
  found=$(ls "$CACHE" 2>/dev/null | grep "^$spec\." | sort -V | tail -1 || true)
  [[ -n $found ]] || { echo "node-versions: cannot resolve Node $spec (registry unreachable, nothing cached)" >&2; return 1; }
  echo "$found"
}

# Prints the bin folder of an exact version, downloading it once.
install() {
  local version=$1 dir="$CACHE/$1"
  if [[ ! -x $dir/bin/node ]]; then
    local tmp
    tmp=$(mktemp -d)
    echo "node-versions: fetching $PACKAGE@$version into $dir" >&2
    (cd "$tmp" && npm pack --silent "$PACKAGE@$version" >/dev/null)
    mkdir -p "$dir.partial"
    tar -xzf "$tmp"/*.tgz -C "$dir.partial" --strip-components=1
    rm -rf "$tmp" "$dir"
    mv "$dir.partial" "$dir"
  fi
  echo "$dir/bin"
}

specs=(${POOLMEM_NODE_VERSIONS:-"${MAJORS[@]}" "$(engines_floor)"})
versions=()
for spec in "${specs[@]}"; do versions+=("$(resolve "$spec")"); done
versions=($(printf '%s\n' "${versions[@]}" | sort -uV))

if [[ ${1:-} != -- ]]; then
  for v in "${versions[@]}"; do echo "$v $(install "$v")/node"; done
  exit 0
fi
shift
failed=()
for v in "${versions[@]}"; do
  bin=$(install "$v")
  echo "=== Node $v: $*"
  t0=$SECONDS
  if PATH="$bin:$PATH" "$@"; then
    echo "=== Node $v passed in $((SECONDS - t0)) s"
  else
    echo "=== Node $v FAILED in $((SECONDS - t0)) s"
    failed+=("$v")
  fi
done
if ((${#failed[@]})); then
  echo "node-versions: failed under Node ${failed[*]}" >&2
  exit 1
fi
