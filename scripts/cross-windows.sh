#!/usr/bin/env bash
# Keeps poolmem compiling for Windows from this Linux machine, with Debian's
# mingw-w64 (installed if missing):
#   1. the core as a static library plus test/core/core_smoke.exe, compiled
#      and linked (run too when wine is on PATH);
#   2. every addon source compiled (not linked: that needs node.lib) against
#      the Node-API headers, so Windows-only breakage in the glue shows here.
# Windows prebuilds are built and load-tested by the GitHub Actions workflow.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out="$repo/build-cross/win32-x64"
cxx=x86_64-w64-mingw32-g++-posix
if ! command -v "$cxx" >/dev/null; then
  echo "cross-windows: installing g++-mingw-w64-x86-64-posix" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends g++-mingw-w64-x86-64-posix >&2
fi

cmake -S "$repo" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/mingw-w64.cmake" -DPOOLMEM_BUILD_CORE_SMOKE=ON >/dev/null
cmake --build "$out" --target core_smoke
file "$out/core_smoke.exe"
if command -v wine >/dev/null; then wine "$out/core_smoke.exe"; fi

includes=(-I"$repo/node_modules/node-api-headers/include")
defines=(-DNAPI_VERSION=8 -DNAPI_DISABLE_CPP_EXCEPTIONS -DPOOLMEM_DEBUG=0 -DBUILDING_NODE_EXTENSION)
count=0
for src in "$repo"/native/addon/*.cc; do
  "$cxx" -std=c++20 -O1 -Wall -Wextra "${defines[@]}" "${includes[@]}" \
    -I"$repo/native/core" -fsyntax-only "$src"
  count=$((count + 1))
done
echo "cross-windows: core library and core_smoke.exe linked; $count addon sources compiled for win32-x64"
