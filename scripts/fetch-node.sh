#!/usr/bin/env bash
# Prints the path of Node's official binary for <platform-arch> <version>
# (e.g. linux-arm64 20), fetched once from the npm registry's node-<platform-arch>
# package into ${POOLMEM_NODE_CACHE:-$XDG_CACHE_HOME/poolmem-node} and reused.
set -euo pipefail
target=${1:?usage: fetch-node.sh <platform-arch> <version>}
version=${2:?usage: fetch-node.sh <platform-arch> <version>}
cache=${POOLMEM_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/poolmem-node}
dir="$cache/node-$target-$version"
if [ ! -x "$dir/bin/node" ]; then
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-$target@$version" >/dev/null 2>&1 && tar -xzf node-*.tgz)
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
fi
echo "$dir/bin/node"
