// Buddy allocator: see buddy_allocator.h for the rules. One bit set per order
// marks the free blocks of that order; `nonempty_` finds the smallest order
// with a free block in one instruction, and a search from low_[k] its lowest
// block.
// Allocation: one bit clear, a bit set per split level, and the tail
// decomposition when the request is not a power of two. Free: one
// ReservedRuns lookup, then one bit test per merge level.
#include "strategies/buddy_allocator.h"

#include <algorithm>
#include <bit>

#include "debug.h"

namespace poolmem {

namespace {
unsigned FloorLog2(uint64_t x) { return 63u - static_cast<unsigned>(std::countl_zero(x)); }
}  // namespace

BuddyAllocator::BuddyAllocator(uint64_t size, uint64_t min_block)
    : GranuleStrategy(min_block) {
  POOLMEM_ASSERT(Supports(size, min_block));
  Reset(size);
}

void BuddyAllocator::Reset(uint64_t size) {
  SetSize(size);
  max_order_ = granules_ == 0 ? 0 : FloorLog2(granules_);
  summary_.assign(max_order_ + 1, BitTree());
  uint64_t total = 0;
  for (unsigned k = 0; k <= max_order_; ++k) {
    const uint64_t words = std::max<uint64_t>(1, ((granules_ >> k) + 63) / 64);
    base_[k] = total;
    words_in_[k] = words;
    blocks_in_[k] = granules_ >> k;
    low_[k] = 0;
    if (words > 1) summary_[k].Reset(words);
    total += words;
  }
  bits_.assign(total, 0);
  nonempty_ = 0;
  free_size_ = granules_ << shift_;
  runs_.Reset(shift_, granules_);
  // Top blocks: the binary decomposition of the granule count, largest first.
  uint64_t start = 0;
  for (int k = static_cast<int>(max_order_); k >= 0 && granules_ != 0; --k) {
    if ((granules_ >> k) & 1) {
      SetFree(static_cast<unsigned>(k), start >> k);
      start += uint64_t{1} << k;
    }
  }
}

// ---------------------------------------------------------------------------
// Free block sets
// ---------------------------------------------------------------------------

// Inlined: a split or a merge runs these once per level.
[[gnu::always_inline]] inline void BuddyAllocator::SetFree(unsigned order, uint64_t index) {
  uint64_t& word = bits_[base_[order] + (index >> 6)];
  if (word == 0 && words_in_[order] > 1) summary_[order].Set(index >> 6);
  word |= uint64_t{1} << (index & 63);
  if (index < low_[order]) low_[order] = index;
  nonempty_ |= uint64_t{1} << order;
}

[[gnu::always_inline]] inline void BuddyAllocator::ClearFree(unsigned order, uint64_t index) {
  uint64_t& word = bits_[base_[order] + (index >> 6)];
  word &= ~(uint64_t{1} << (index & 63));
  if (word != 0) return;
  if (words_in_[order] > 1) {
    summary_[order].Clear(index >> 6);
    if (summary_[order].count() != 0) return;
  }
  nonempty_ &= ~(uint64_t{1} << order);
}

// The order must hold a free block.
uint64_t BuddyAllocator::LowestFree(unsigned order) const {
  const uint64_t* words = &bits_[base_[order]];
  uint64_t w = low_[order] >> 6;
  uint64_t bits = words[w] & (~uint64_t{0} << (low_[order] & 63));
  if (bits == 0) {  // only orders with a summary span more than one word
    w = summary_[order].Next(w + 1);
    bits = words[w];
  }
  low_[order] = (w << 6) | static_cast<uint64_t>(std::countr_zero(bits));
  return low_[order];
}

template <class F>
void BuddyAllocator::ForEachFree(unsigned order, F&& f) const {
  for (uint64_t w = 0; w < words_in_[order]; ++w) {
    for (uint64_t bits = bits_[base_[order] + w]; bits != 0; bits &= bits - 1) {
      f((w << 6) | static_cast<uint64_t>(std::countr_zero(bits)));
    }
  }
}

// Frees one aligned block and merges it with its buddy while that is free.
void BuddyAllocator::FreeBlock(uint64_t start, unsigned order) {
  uint64_t index = start >> order;
  while (order < max_order_) {
    const uint64_t buddy = index ^ 1;
    if (buddy >= blocks_in_[order] || !IsFree(order, buddy)) break;
    ClearFree(order, buddy);
    index >>= 1;
    ++order;
  }
  SetFree(order, index);
}

// Frees [start, end) as the largest aligned blocks it decomposes into. Every
// aligned block inside [0, granules_) lies inside one top block.
void BuddyAllocator::FreeGranules(uint64_t start, uint64_t end) {
  while (start < end) {
    unsigned order = FloorLog2(end - start);
    if (start != 0) order = std::min(order, static_cast<unsigned>(std::countr_zero(start)));
    order = std::min(order, max_order_);
    FreeBlock(start, order);
    start += uint64_t{1} << order;
  }
}

// ---------------------------------------------------------------------------
// RangeStrategy
// ---------------------------------------------------------------------------

int BuddyAllocator::OrderFor(uint64_t size, uint64_t* granules) const {
  if (size == 0 || size > granules_ << shift_) return -1;
  const uint64_t need = (size + (uint64_t{1} << shift_) - 1) >> shift_;
  const unsigned order = need <= 1 ? 0 : FloorLog2(need - 1) + 1;
  if (order > max_order_) return -1;
  *granules = need;
  return static_cast<int>(order);
}

int64_t BuddyAllocator::Find(uint64_t size) const {
  uint64_t need;
  const int k = OrderFor(size, &need);
  if (k < 0) return kNoFit;
  const uint64_t avail = nonempty_ & (~uint64_t{0} << k);
  if (avail == 0) return kNoFit;
  const unsigned j = static_cast<unsigned>(std::countr_zero(avail));
  return static_cast<int64_t>((LowestFree(j) << j) << shift_);
}

int64_t BuddyAllocator::Allocate(uint64_t size) {
  uint64_t need;
  const int k = OrderFor(size, &need);
  if (k < 0) return kNoFit;
  const uint64_t avail = nonempty_ & (~uint64_t{0} << k);
  if (avail == 0) return kNoFit;
  unsigned j = static_cast<unsigned>(std::countr_zero(avail));
  const uint64_t index = LowestFree(j);
  ClearFree(j, index);
  const uint64_t start = index << j;
  while (j > static_cast<unsigned>(k)) {  // split: the upper halves stay free
    --j;
    SetFree(j, (start >> j) + 1);
  }
  const uint64_t block = uint64_t{1} << k;
  if (need < block) FreeGranules(start + need, start + block);  // the unused tail
  free_size_ -= need << shift_;
  runs_.Add(start << shift_, size);
  POOLMEM_ASSERT_EXPENSIVE(Validate());
  return static_cast<int64_t>(start << shift_);
}

FreeStatus BuddyAllocator::Free(uint64_t offset, uint64_t size) {
  const FreeStatus status = runs_.Free(size_, offset, size, [this](uint64_t start, uint64_t end) {
    FreeGranules(start, end);
    free_size_ += (end - start) << shift_;
  });
  POOLMEM_ASSERT_EXPENSIVE(Validate());
  return status;
}

void BuddyAllocator::Blocks(std::vector<FreeRange>* out) const {
  out->clear();
  for (unsigned k = 0; k <= max_order_; ++k) {
    ForEachFree(k, [&](uint64_t i) { out->push_back({(i << k) << shift_, ((i + 1) << k) << shift_}); });
  }
  std::sort(out->begin(), out->end(), [](const FreeRange& a, const FreeRange& b) { return a.start < b.start; });
  size_t n = 0;  // merge touching blocks into ranges
  for (const FreeRange& r : *out) {
    if (n > 0 && (*out)[n - 1].end == r.start) {
      (*out)[n - 1].end = r.end;
    } else {
      (*out)[n++] = r;
    }
  }
  out->resize(n);
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

bool BuddyAllocator::Validate() const {
  if (summary_.size() != max_order_ + 1) return false;
  if ((nonempty_ >> max_order_ >> 1) != 0) return false;
  std::vector<GranuleRange> pieces;
  uint64_t total = 0;
  for (unsigned k = 0; k <= max_order_; ++k) {
    const uint64_t blocks = granules_ >> k;
    const uint64_t* words = &bits_[base_[k]];
    if (blocks % 64 != 0 && (words[blocks / 64] >> (blocks % 64)) != 0) return false;  // nothing past the end
    uint64_t count = 0, lowest = BitTree::kNone;
    for (uint64_t w = 0; w < words_in_[k]; ++w) {
      if (words_in_[k] > 1 && summary_[k].Test(w) != (words[w] != 0)) return false;
    }
    if (words_in_[k] > 1 && !summary_[k].Consistent()) return false;
    bool canonical = true;
    ForEachFree(k, [&](uint64_t i) {
      // Canonical: two free buddies would have merged.
      if (k < max_order_ && (i ^ 1) < blocks && IsFree(k, i ^ 1)) canonical = false;
      if (lowest == BitTree::kNone) lowest = i;
      pieces.push_back({i << k, (i + 1) << k});
      total += uint64_t{1} << k;
      ++count;
    });
    if (!canonical) return false;
    if (((nonempty_ >> k) & 1) != (count != 0)) return false;
    if (count != 0 && lowest < low_[k]) return false;
  }
  if ((total << shift_) != free_size_) return false;
  std::vector<GranuleRange> runs;
  runs_.Runs(&runs);
  pieces.insert(pieces.end(), runs.begin(), runs.end());
  std::sort(pieces.begin(), pieces.end(), [](const GranuleRange& a, const GranuleRange& b) { return a.start < b.start; });
  uint64_t cursor = 0;  // free blocks and runs tile [0, granules_) exactly
  for (const GranuleRange& p : pieces) {
    if (p.start != cursor || p.end <= p.start) return false;
    cursor = p.end;
  }
  return cursor == granules_ && runs_.Validate();
}

}  // namespace poolmem
