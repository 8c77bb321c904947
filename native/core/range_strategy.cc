// Strategy names and the factory: the one place that knows every strategy.
#include "range_strategy.h"

#include <utility>

#include "avl_allocator.h"
#include "buddy_allocator.h"
#include "first_fit_allocator.h"
#include "treap_allocator.h"

namespace poolmem {

namespace {
constexpr std::pair<std::string_view, StrategyKind> kNames[] = {
    {"treap", StrategyKind::kTreap},
    {"avl", StrategyKind::kAvl},
    {"buddy", StrategyKind::kBuddy},
    {"first-fit", StrategyKind::kFirstFit},
};
}  // namespace

bool ParseStrategyKind(std::string_view name, StrategyKind* out) {
  for (const auto& [n, kind] : kNames) {
    if (n == name) {
      *out = kind;
      return true;
    }
  }
  return false;
}

std::vector<std::string_view> AvailableStrategies() {
  std::vector<std::string_view> out;
  for (const auto& [name, kind] : kNames) {
    if (MakeRangeStrategy(kind, 4096, StrategyOptions{})) out.push_back(name);
  }
  return out;
}

std::unique_ptr<RangeStrategy> MakeRangeStrategy(StrategyKind kind, uint64_t size,
                                                 const StrategyOptions& options) {
  // min_block sizes the granule of buddy and first-fit; the byte-exact
  // strategies have none, so any other value there is a caller error.
  switch (kind) {
    case StrategyKind::kTreap:
      if (options.min_block != 0) return nullptr;
      return std::make_unique<TreapAllocator>(size);
    case StrategyKind::kAvl:
      if (options.min_block != 0) return nullptr;
      return std::make_unique<AvlAllocator>(size);
    case StrategyKind::kBuddy: {
      const uint64_t min_block = options.min_block == 0 ? BuddyAllocator::kDefaultMinBlock : options.min_block;
      if (!BuddyAllocator::Supports(size, min_block)) return nullptr;
      return std::make_unique<BuddyAllocator>(size, min_block);
    }
    case StrategyKind::kFirstFit: {
      const uint64_t granule = options.min_block == 0 ? FirstFitAllocator::kDefaultGranule : options.min_block;
      if (!FirstFitAllocator::Supports(size, granule)) return nullptr;
      return std::make_unique<FirstFitAllocator>(size, granule);
    }
  }
  return nullptr;
}

}  // namespace poolmem
