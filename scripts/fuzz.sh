#!/usr/bin/env bash
# Builds the libFuzzer targets (clang++, ASan + UBSan, POOLMEM_DEBUG=2) and
# runs each for FUZZ_SECONDS seconds (default 60), one after another, keeping
# a corpus per target in fuzz-corpus/. Arguments pick targets by name
# (treap avl buddy first_fit scalable); none means all. Exits non-zero on a
# finding; crash inputs land in build-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build-fuzz
seconds=${FUZZ_SECONDS:-60}
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(treap avl buddy first_fit scalable)
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPOOLMEM_BUILD_FUZZ=ON -DPOOLMEM_DEBUG=2 >/dev/null
cmake --build "$dir" -j "$(nproc)" --target "${targets[@]/%/_fuzz}"
for t in "${targets[@]}"; do
  mkdir -p "fuzz-corpus/$t"
  echo "== ${t}_fuzz for ${seconds}s"
  "$dir/${t}_fuzz" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$dir/${t}-" \
    "fuzz-corpus/$t"
done
