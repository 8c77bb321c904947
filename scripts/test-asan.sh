#!/usr/bin/env bash
# The Jest and native suites under AddressSanitizer + UndefinedBehaviorSanitizer
# with internal checks on (POOLMEM_DEBUG=2 in the addon, 3 natively).
# Node is not built with ASan, so its runtime is preloaded into the node that
# runs Jest (not into npm). See CONTRIBUTING.md, "Sanitizers".
set -euo pipefail
cd "$(dirname "$0")/.."

npx cmake-js compile -O build-asan -D --CDPOOLMEM_SANITIZE=ON --CDPOOLMEM_DEBUG=2 >/dev/null
addon=build-asan/Debug/poolmem.node
test -f "$addon"

asan_runtime=$(gcc -print-file-name=libasan.so)
export POOLMEM_BINARY="$PWD/$addon"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export LSAN_OPTIONS="suppressions=$PWD/test/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export POOLMEM_UNDER_ASAN=1
LD_PRELOAD="$asan_runtime" node --expose-gc node_modules/jest/bin/jest.js -i "$@"

dir=build-native-asan
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug -DPOOLMEM_BUILD_TESTS=ON -DPOOLMEM_DEBUG=3 -DPOOLMEM_SANITIZE=ON >/dev/null
cmake --build "$dir" -j "$(nproc)"
ctest --test-dir "$dir" --output-on-failure -j "$(nproc)"
