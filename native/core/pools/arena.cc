// Arena construction: map first, then hand the region to a strategy.
#include "pools/arena.h"

namespace poolmem {

std::unique_ptr<Arena> Arena::Create(uint64_t size, StrategyKind kind,
                                     const StrategyOptions& options, bool huge_pages) {
  auto strategy = MakeRangeStrategy(kind, size, options);
  if (!strategy) return nullptr;
  std::shared_ptr<MappedRegion> region = MappedRegion::Map(size, huge_pages);
  if (!region) return nullptr;
  return std::unique_ptr<Arena>(new Arena(std::move(region), std::move(strategy)));
}

}  // namespace poolmem
