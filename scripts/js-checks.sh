#!/usr/bin/env bash
# The checks whose result depends on the Node.js running them: the Jest suite,
# the type tests and a benchmark smoke run (each benchmark for a few ms, to
# prove it runs, not to measure). scripts/node-versions.sh runs this under
# every supported version. npm is not used: npm 11 does not run on every
# version poolmem supports.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "js-checks: $(command -v node) $(node --version)"
node --expose-gc node_modules/jest/bin/jest.js
# TypeScript's launcher is an extensionless ES module, which Node refuses
# before 20.10 (20.4.0 checked); the types themselves do not depend on the
# Node that runs the compiler.
if node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 10) ? 0 : 1)'; then
  node node_modules/typescript/bin/tsc -p test/types/tsconfig.json
  node node_modules/typescript/bin/tsc -p test/types/tsconfig.bundler.json
  echo "js-checks: type tests passed"
else
  echo "js-checks: type tests skipped (TypeScript's launcher needs Node >= 20.10)"
fi
BENCH_TIME_MS=5 BENCH_TIME=5 node bench/run.mjs >/dev/null
echo "js-checks: benchmark smoke run passed"
