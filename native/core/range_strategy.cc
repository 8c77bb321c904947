// Strategy names and the factory: the one place that knows every strategy.
#include "range_strategy.h"

#include <utility>

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
  (void)options;
  switch (kind) {
    case StrategyKind::kTreap:
      return std::make_unique<TreapAllocator>(size);
    default:
      return nullptr;  // other strategies land with issue #3
  }
}

}  // namespace poolmem
