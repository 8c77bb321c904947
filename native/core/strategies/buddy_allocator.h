// `buddy` strategy: free space is held as naturally aligned power-of-two
// blocks of granules (granule = minBlock bytes, a power of two, default 64).
// A request of n bytes needs ceil(n / minBlock) granules and is placed at the
// start of the lowest free block of the smallest order that holds
// bit_ceil(granules) of them (split down as needed), so every allocation is
// aligned to its power-of-two size. Accounting is per granule:
//   - the granules of that block past the ones the request needs go back to
//     the free set at once, as the aligned blocks they decompose into;
//   - a free of any live sub-range releases every granule left without a
//     live byte (ReservedRuns), and freed blocks merge with free buddies;
//   - so a partial free returns memory at minBlock granularity.
// Arena sizes: the usable part is the size rounded down to a multiple of
// minBlock, covered by the largest aligned power-of-two blocks that fit
// (96 granules = 64 + 32); those top blocks never merge with each other, and
// the tail below one minBlock is never handed out. Unlike GoMem's Buddy, no
// request overlaps another and the metadata is about 3 bits per granule.
#pragma once

#include <cstdint>
#include <vector>

#include "structures/bit_tree.h"
#include "strategies/granule.h"
#include "structures/reserved_runs.h"

namespace poolmem {

class BuddyAllocator final : public GranuleStrategy {
 public:
  static constexpr uint64_t kDefaultMinBlock = 64;

  BuddyAllocator(uint64_t size, uint64_t min_block);

  int64_t Allocate(uint64_t size) override;
  int64_t Find(uint64_t size) const override;
  FreeStatus Free(uint64_t offset, uint64_t size) override;
  void Blocks(std::vector<FreeRange>* out) const override;
  void Reset(uint64_t size) override;
  bool Validate() const override;

 private:
  // Order of the block a request of `size` bytes needs, or -1 if none can.
  int OrderFor(uint64_t size, uint64_t* granules) const;
  uint64_t LowestFree(unsigned order) const;
  bool IsFree(unsigned order, uint64_t index) const {
    return (bits_[base_[order] + (index >> 6)] >> (index & 63)) & 1;
  }
  template <class F> void ForEachFree(unsigned order, F&& f) const;
  void FreeBlock(uint64_t start, unsigned order);
  void FreeGranules(uint64_t start, uint64_t end);
  void SetFree(unsigned order, uint64_t index);
  void ClearFree(unsigned order, uint64_t index);

  unsigned max_order_ = 0;
  uint64_t nonempty_ = 0;       // bit k set when free_[k] has a block
  // The free blocks of order k (2^k granules) are the set bits of the
  // (granules_ >> k)-bit set starting at bits_[base_[k]]. Orders of more than
  // 64 blocks also keep a summary BitTree of their nonzero words; smaller
  // orders are one word, so a split or merge level is one word update.
  static constexpr unsigned kMaxOrders = 64;  // kMaxGranules keeps it below 29
  std::vector<uint64_t> bits_;
  uint64_t base_[kMaxOrders] = {};
  uint64_t words_in_[kMaxOrders] = {};  // words per order
  uint64_t blocks_in_[kMaxOrders] = {};  // granules_ >> k
  std::vector<BitTree> summary_;         // size 0 for one-word orders
  // low_[k]: no free block of order k has a lower index. Searching from it
  // usually ends in its first word; SetFree lowers it, a search raises it.
  mutable uint64_t low_[kMaxOrders] = {};
  ReservedRuns runs_;
};

}  // namespace poolmem
