// `first-fit` strategy: mem's design done right. Free ranges of granules
// (16 bytes by default; minBlock picks a larger power of two) sit in one
// doubly linked list in address order. Allocate carves the request, rounded
// up to whole granules, from the low end of the lowest range that holds it,
// so every block is 16-byte aligned and the rest is split off only when it
// can hold a block (a whole granule). That range is found in O(log n)
// amortized, not by walking the list (one step per hole before the fit: 17 us
// with 10,000 small holes, 35 ns now): a MaxTree holds, per 64 granules, the
// longest free range ending there; its descent names the lowest such bucket,
// and at most 32 ranges end in a bucket. Free finds the free neighbours
// through a bitmap of range ends plus a hash of range ends, not by walking
// the list (mem walks every block on every free). Its index upkeep: a range
// that grows or appears climbs the MaxTree while an ancestor is below it
// (log2(granules / 64) levels at most, 10 for a 1 MiB arena, usually a few);
// a range that shrinks or goes rewrites one leaf, after a walk over the <= 32
// ranges of its bucket when it was that bucket's longest. Partial frees and
// the bytes past a request inside its last granule follow ReservedRuns: a
// granule returns to the free list when it holds no live byte. The tail of
// the arena below one granule is never handed out.
#pragma once

#include <cstdint>
#include <vector>

#include "structures/bit_tree.h"
#include "structures/flat_map.h"
#include "structures/max_tree.h"
#include "strategies/granule.h"
#include "structures/reserved_runs.h"

namespace poolmem {

class FirstFitAllocator final : public GranuleStrategy {
 public:
  static constexpr uint64_t kDefaultGranule = kMinGranule;

  FirstFitAllocator(uint64_t size, uint64_t granule);

  int64_t Allocate(uint64_t size) override;
  int64_t Find(uint64_t size) const override;
  FreeStatus Free(uint64_t offset, uint64_t size) override;
  void Blocks(std::vector<FreeRange>* out) const override;
  void Reset(uint64_t size) override;
  bool Validate() const override;

  uint64_t RangeCount() const { return by_end_.size(); }

 private:
  using Index = uint32_t;  // 0 is the list's sentinel
  static constexpr unsigned kBucketShift = 6;  // a MaxTree leaf per 64 granules, one word of ends_

  struct Node {
    uint64_t start;  // granules
    uint64_t end;
    Index prev;
    Index next;
  };

  // Granules a request needs, or 0 when it can never fit. Defined here, not
  // in the .cc: the core is built -fPIC, where GCC keeps an out-of-line
  // member a call (it could be interposed), and Find/Allocate are hot.
  uint64_t GranulesFor(uint64_t size) const {
    if (size == 0 || size > granules_ << shift_) return 0;
    return (size + (uint64_t{1} << shift_) - 1) >> shift_;
  }
  Index FirstFit(uint64_t need) const;
  void ReleaseGranules(uint64_t start, uint64_t end);
  Index NewNode(uint64_t start, uint64_t end);
  void Unlink(Index n);

  uint64_t Length(Index n) const { return nodes_[n].end - nodes_[n].start; }
  uint64_t Bucket(Index n) const { return (nodes_[n].end - 1) >> kBucketShift; }
  // The longest range in bucket b, walking out from the list positions
  // `down` (and the ranges before it) and `up` (and those after it).
  uint32_t Longest(uint64_t b, Index down, Index up) const;
  // Range n is new or longer: its bucket's leaf may rise.
  void Grew(Index n);
  // A range of bucket b that was `length` long shrank or left the list,
  // whose neighbours around it are now `down` and `up`.
  void Cut(uint64_t b, uint64_t length, Index down, Index up);

  std::vector<Node> nodes_;
  std::vector<Index> free_nodes_;
  BitTree ends_;             // bit end - 1 set for every free range
  FlatMap<Index> by_end_;    // free range end -> node
  MaxTree longest_;          // per bucket of 64 granules: the longest range ending in it
  ReservedRuns runs_;
};

}  // namespace poolmem
