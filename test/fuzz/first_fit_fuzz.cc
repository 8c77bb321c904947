// libFuzzer target for the first-fit (granule 16..256) strategy against the reference
// model; the operations and checks are in strategy_fuzz.h.
#include "strategy_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return poolmem::fuzz::RunOne(data, size, poolmem::StrategyKind::kFirstFit, poolmem::testing::FitRule::kFirstFit,
                               16384, true);
}
