// AlignedStrategy: see aligned_strategy.h. Instantiated for the two
// byte-exact strategies; Exact is final, so its calls are direct.
#include "strategies/aligned_strategy.h"

#include <algorithm>
#include <bit>

#include "strategies/avl_allocator.h"
#include "debug.h"
#include "strategies/treap_allocator.h"

namespace poolmem {

template <class Exact>
bool AlignedStrategy<Exact>::Supports(uint64_t size, uint64_t alignment) {
  if (!std::has_single_bit(alignment) || alignment < 2 || alignment > kMaxAlignment) return false;
  return (size >> std::countr_zero(alignment)) <= kMaxAlignedGranules;
}

template <class Exact>
AlignedStrategy<Exact>::AlignedStrategy(uint64_t size, uint64_t alignment)
    : shift_(static_cast<unsigned>(std::countr_zero(alignment))), exact_(0) {
  POOLMEM_ASSERT(Supports(size, alignment));
  Reset(size);
}

template <class Exact>
void AlignedStrategy<Exact>::Reset(uint64_t size) {
  size_ = size;
  const uint64_t granules = size >> shift_;
  exact_.Reset(granules << shift_);
  runs_.Reset(shift_, granules);
  pending_ = {0, 0};
  free_size_ = exact_.FreeSize();
}

template <class Exact>
uint64_t AlignedStrategy<Exact>::Rounded(uint64_t size) const {
  const uint64_t usable = (size_ >> shift_) << shift_;
  if (size == 0 || size > usable) return 0;
  const uint64_t mask = (uint64_t{1} << shift_) - 1;
  return (size + mask) & ~mask;
}

template <class Exact>
void AlignedStrategy<Exact>::Flush() {
  if (pending_.start == pending_.end) return;
  runs_.Add(pending_.start, pending_.end - pending_.start);
  pending_ = {0, 0};
}

template <class Exact>
int64_t AlignedStrategy<Exact>::Find(uint64_t size) const {
  const uint64_t need = Rounded(size);
  return need == 0 ? kNoFit : exact_.Find(need);
}

template <class Exact>
int64_t AlignedStrategy<Exact>::Allocate(uint64_t size) {
  const uint64_t need = Rounded(size);
  if (need == 0) return kNoFit;
  const int64_t offset = exact_.Allocate(need);
  if (offset == kNoFit) return kNoFit;
  Flush();
  pending_ = {static_cast<uint64_t>(offset), static_cast<uint64_t>(offset) + size};
  free_size_ = exact_.FreeSize();
  POOLMEM_ASSERT_EXPENSIVE(Validate());
  return offset;
}

template <class Exact>
FreeStatus AlignedStrategy<Exact>::Free(uint64_t offset, uint64_t size) {
  if (offset > size_ || size > size_ - offset) return FreeStatus::kOutOfRange;
  if (size == 0) return FreeStatus::kOk;
  if (offset == pending_.start && size == pending_.end - pending_.start) {
    pending_ = {0, 0};  // the whole last allocation: its granules were never in runs_
    const uint64_t mask = (uint64_t{1} << shift_) - 1;
    [[maybe_unused]] const FreeStatus s = exact_.Free(offset, (size + mask) & ~mask);
    POOLMEM_ASSERT(s == FreeStatus::kOk);
    free_size_ = exact_.FreeSize();
    POOLMEM_ASSERT_EXPENSIVE(Validate());
    return FreeStatus::kOk;
  }
  Flush();
  const FreeStatus status = runs_.Free(size_, offset, size, [this](uint64_t start, uint64_t end) {
    [[maybe_unused]] const FreeStatus s = exact_.Free(start << shift_, (end - start) << shift_);
    POOLMEM_ASSERT(s == FreeStatus::kOk);
  });
  free_size_ = exact_.FreeSize();
  POOLMEM_ASSERT_EXPENSIVE(Validate());
  return status;
}

// The exact strategy's own invariants, every free range on granule bounds,
// and free ranges plus reserved runs tiling the usable granules exactly.
template <class Exact>
bool AlignedStrategy<Exact>::Validate() const {
  if (!exact_.Validate() || !runs_.Validate() || free_size_ != exact_.FreeSize()) return false;
  const uint64_t mask = (uint64_t{1} << shift_) - 1;
  std::vector<FreeRange> blocks;
  exact_.Blocks(&blocks);
  std::vector<GranuleRange> pieces;
  for (const FreeRange& b : blocks) {
    if ((b.start & mask) != 0 || (b.end & mask) != 0) return false;
    pieces.push_back({b.start >> shift_, b.end >> shift_});
  }
  std::vector<GranuleRange> runs;
  runs_.Runs(&runs);
  pieces.insert(pieces.end(), runs.begin(), runs.end());
  if (pending_.start != pending_.end) {
    if ((pending_.start & mask) != 0) return false;
    pieces.push_back({pending_.start >> shift_, (pending_.end + mask) >> shift_});
  }
  std::sort(pieces.begin(), pieces.end(), [](const GranuleRange& a, const GranuleRange& b) { return a.start < b.start; });
  uint64_t cursor = 0;
  for (const GranuleRange& p : pieces) {
    if (p.start != cursor) return false;
    cursor = p.end;
  }
  return cursor == (size_ >> shift_);
}

template class AlignedStrategy<TreapAllocator>;
template class AlignedStrategy<AvlAllocator>;

}  // namespace poolmem
