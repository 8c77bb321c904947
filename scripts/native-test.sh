#!/usr/bin/env bash
# Builds native/core and the GoogleTest suite (no Node, no cmake-js) with the
# most expensive internal checks on, then runs it through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build-native-test
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug -DPOOLMEM_BUILD_TESTS=ON -DPOOLMEM_DEBUG=3 >/dev/null
cmake --build "$dir" -j "$(nproc)"
ctest --test-dir "$dir" --output-on-failure -j "$(nproc)" "$@"
