#!/usr/bin/env bash
# Runs `npm run bench` files of another checkout (BEFORE, e.g. a worktree of
# an older commit, built) and of this one back to back, file by file, so the
# two sets of tables come from the same run on the same machine state.
# Usage: bash scripts/bench-compare.sh BEFORE_DIR [bench names...] [--node PATH]
set -euo pipefail
before=${1:?usage: bench-compare.sh BEFORE_DIR [names...] [--node PATH]}
shift
here=$(cd "$(dirname "$0")/.." && pwd)
node_bin=${POOLMEM_BENCH_NODE:-node}
names=()
while [ $# -gt 0 ]; do
  case $1 in
    --node) node_bin=$2; shift 2 ;;
    *) names+=("$1"); shift ;;
  esac
done
files=$(cd "$here/bench" && ls ./*.bench.mjs | sed 's|^\./||' | sort)
for f in $files; do
  if [ ${#names[@]} -gt 0 ]; then
    keep=0
    for n in "${names[@]}"; do [[ $f == *"$n"* ]] && keep=1; done
    [ $keep = 1 ] || continue
  fi
  for tree in "$before" "$here"; do
    [ -f "$tree/bench/$f" ] || continue
    echo "=== $f: $(git -C "$tree" log -1 --format='%h %s' | cut -c1-70)"
    (cd "$tree" && "$node_bin" --expose-gc "bench/$f")
  done
done
