#!/usr/bin/env bash
# Builds native/core and bench/native in Release with Google Benchmark, runs
# strategies_bench (median of 3 repetitions per benchmark; extra arguments go
# to every benchmark, e.g. --benchmark_filter=Pair10k), prints the
# fragmentation counts and a table of our ns/op beside GoMem's figures, then
# runs every other bench/native program.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build-bench
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DPOOLMEM_BUILD_BENCH=ON >/dev/null
cmake --build "$dir" -j "$(nproc)"
"$dir/strategies_bench" --benchmark_min_time=0.2 --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_out="$dir/strategies.json" --benchmark_out_format=json "$@" >"$dir/strategies.txt"
sed -n '1,/^$/p' "$dir/strategies.txt"
node scripts/native-bench-table.js "$dir/strategies.json"
for bench in "$dir"/*_bench; do
  [ "$(basename "$bench")" = strategies_bench ] && continue
  echo
  echo "=== $(basename "$bench")"
  "$bench" --benchmark_min_time=0.2 --benchmark_repetitions=3 --benchmark_report_aggregates_only=true "$@"
done
