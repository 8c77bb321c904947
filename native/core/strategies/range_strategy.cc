// Strategy names and the factory: the one place that knows every strategy.
#include "strategies/range_strategy.h"

#include <algorithm>
#include <bit>

#include "strategies/aligned_strategy.h"
#include "strategies/avl_allocator.h"
#include "strategies/buddy_allocator.h"
#include "strategies/first_fit_allocator.h"
#include "strategies/granule.h"
#include "strategies/treap_allocator.h"

namespace poolmem {

std::vector<std::string_view> AvailableStrategies() {
  return {"treap", "avl", "buddy", "first-fit"};  // StrategyKind order
}

namespace {
// A byte-exact strategy, wrapped when offsets must be aligned.
template <class Exact>
std::unique_ptr<RangeStrategy> MakeExact(uint64_t size, uint64_t alignment) {
  if (alignment == 1) return std::make_unique<Exact>(size);
  if (!AlignedStrategy<Exact>::Supports(size, alignment)) return nullptr;
  return std::make_unique<AlignedStrategy<Exact>>(size, alignment);
}

// A granule strategy over min_block (0: the kind's default) raised to the
// alignment: its blocks start at granule multiples.
template <class Granular>
std::unique_ptr<RangeStrategy> MakeGranular(uint64_t size, uint64_t min_block, uint64_t default_granule,
                                            uint64_t alignment) {
  if (min_block != 0 && !GranuleFits(size, min_block)) return nullptr;
  const uint64_t granule = std::max(min_block == 0 ? default_granule : min_block, alignment);
  if (!GranuleFits(size, granule)) return nullptr;
  return std::make_unique<Granular>(size, granule);
}

}  // namespace

std::unique_ptr<RangeStrategy> MakeRangeStrategy(StrategyKind kind, uint64_t size,
                                                 const StrategyOptions& options) {
  // min_block sizes the granule of buddy and first-fit; the byte-exact
  // strategies have none, so any other value there is a caller error. A
  // granule's blocks start at its multiples, so the alignment only raises it.
  const uint64_t alignment = options.alignment;
  if (!std::has_single_bit(alignment) || alignment > kMaxAlignment) return nullptr;
  switch (kind) {
    case StrategyKind::kTreap:
      if (options.min_block != 0) return nullptr;
      return MakeExact<TreapAllocator>(size, alignment);
    case StrategyKind::kAvl:
      if (options.min_block != 0) return nullptr;
      return MakeExact<AvlAllocator>(size, alignment);
    case StrategyKind::kBuddy:
      return MakeGranular<BuddyAllocator>(size, options.min_block, BuddyAllocator::kDefaultMinBlock, alignment);
    case StrategyKind::kFirstFit:
      return MakeGranular<FirstFitAllocator>(size, options.min_block, FirstFitAllocator::kDefaultGranule, alignment);
  }
  return nullptr;
}

}  // namespace poolmem
