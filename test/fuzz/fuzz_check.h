// What every libFuzzer target here shares: the input decoder and the check
// that turns a disagreement with a model into a crash libFuzzer records
// (a trap, not an assert: it fires in every build type).
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#define POOLMEM_FUZZ_CHECK(cond)   \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (0)
