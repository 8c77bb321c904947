// `first-fit` strategy: mem's design done right. Free ranges of granules
// (16 bytes by default; minBlock picks a larger power of two) sit in one
// doubly linked list in address order. Allocate walks it from the lowest
// address and carves the request, rounded up to whole granules, from the
// low end of the first range that holds it, so every block is 16-byte
// aligned and the rest is split off only when it can hold a block (a whole
// granule). Free is O(1) apart from BitTree's few word reads: the free
// neighbours are found through a bitmap of range ends plus a hash of range
// ends, not by walking the list (mem walks every block on every free).
// Partial frees and the bytes past a request inside its last granule follow
// ReservedRuns: a granule returns to the free list when it holds no live
// byte. The tail of the arena below one granule is never handed out.
#pragma once

#include <cstdint>
#include <vector>

#include "bit_tree.h"
#include "flat_map.h"
#include "range_strategy.h"
#include "reserved_runs.h"

namespace poolmem {

class FirstFitAllocator final : public RangeStrategy {
 public:
  static constexpr uint64_t kDefaultGranule = 16;
  static constexpr uint64_t kMaxGranule = uint64_t{1} << 30;
  static constexpr uint64_t kMaxGranules = uint64_t{1} << 28;  // bounds the bitmaps

  // granule: a power of two in [kDefaultGranule, kMaxGranule];
  // size / granule <= kMaxGranules.
  static bool Supports(uint64_t size, uint64_t granule);

  FirstFitAllocator(uint64_t size, uint64_t granule);

  int64_t Allocate(uint64_t size) override;
  int64_t Find(uint64_t size) const override;
  FreeStatus Free(uint64_t offset, uint64_t size) override;
  uint64_t FreeSize() const override { return free_granules_ << shift_; }
  uint64_t Size() const override { return size_; }
  void Blocks(std::vector<FreeRange>* out) const override;
  void Reset(uint64_t size) override;
  bool Validate() const override;

  uint64_t RangeCount() const { return by_end_.size(); }

 private:
  using Index = uint32_t;  // 0 is the list's sentinel

  struct Node {
    uint64_t start;  // granules
    uint64_t end;
    Index prev;
    Index next;
  };

  // Granules a request needs, or 0 when it can never fit.
  uint64_t GranulesFor(uint64_t size) const;
  Index FirstFit(uint64_t need) const;
  void ReleaseGranules(uint64_t start, uint64_t end);
  Index NewNode(uint64_t start, uint64_t end);
  void Unlink(Index n);

  uint64_t size_ = 0;
  unsigned shift_ = 4;
  uint64_t granules_ = 0;
  uint64_t free_granules_ = 0;
  std::vector<Node> nodes_;
  std::vector<Index> free_nodes_;
  BitTree ends_;             // bit end - 1 set for every free range
  FlatMap<Index> by_end_;    // free range end -> node
  ReservedRuns runs_;
  std::vector<GranuleRange> released_;  // scratch for Free
};

}  // namespace poolmem
