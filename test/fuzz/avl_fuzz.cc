// libFuzzer target for the avl (best fit, byte-exact) strategy against the reference
// model; the operations and checks are in strategy_fuzz.h.
#include "strategy_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return poolmem::fuzz::RunOne(data, size, poolmem::StrategyKind::kAvl, poolmem::testing::FitRule::kBestFit,
                               4096, false);
}
