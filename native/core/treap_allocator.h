// `treap` strategy: best fit (smallest free range that fits, ties to the lowest
// offset), carved from the low end. Every free range is one node that sits in
// two treaps at once: one ordered by start (neighbour lookup for merging and
// free validation) and one ordered by (length, start) (best-fit search). Both
// share the node's random priority. Unlike GoMem's single tree, a fitting range
// is always found when one exists. A range whose key changes but keeps its
// rank (a shrinking best fit, a growing merged range) is updated in place:
// priorities do not depend on keys, so neither tree changes shape.
#pragma once

#include <cstdint>
#include <vector>

#include "range_strategy.h"

namespace poolmem {

class TreapAllocator final : public RangeStrategy {
 public:
  explicit TreapAllocator(uint64_t size);

  int64_t Allocate(uint64_t size) override;
  int64_t Find(uint64_t size) const override;
  FreeStatus Free(uint64_t offset, uint64_t size) override;
  uint64_t Size() const override { return size_; }
  void Blocks(std::vector<FreeRange>* out) const override;
  void Reset(uint64_t size) override;
  bool Validate() const override;

  // Number of free ranges (tree nodes); for tests and benchmarks.
  uint64_t RangeCount() const { return range_count_; }

 private:
  using Index = uint32_t;  // 0 is the null node
  static constexpr int kByStart = 0;
  static constexpr int kBySize = 1;

  struct Node {
    uint64_t start;
    uint64_t end;
    uint32_t priority;
    Index child[2][2];  // [tree][0 = left, 1 = right]
  };

  // ---- node storage ------------------------------------------------------
  // Inline: a pair that uses up a range makes and drops one node each time,
  // and the calls were 2 ns of ScalablePair/65536's 17.
  [[gnu::always_inline]] Index NewNode(uint64_t start, uint64_t end);
  [[gnu::always_inline]] void DeleteNode(Index n);

  // ---- treap primitives, parameterised by tree -----------------------------
  template <int Tree> bool Less(Index a, Index b) const;
  template <int Tree> Index Merge(Index a, Index b);
  template <int Tree> void Split(Index t, Index key, Index* left, Index* right);
  template <int Tree> void Insert(Index n);
  template <int Tree> void Erase(Index n);

  // Smallest range whose length is >= size (lowest start on ties), or 0;
  // *pred gets the range just below it in size order.
  Index LowerBoundBySize(uint64_t size, Index* pred) const;
  // The range just above n in size order, or 0.
  Index SuccessorBySize(Index n) const;
  // Sets n's bounds after it grew, moving it in the size tree only if needed.
  void Grow(Index n, uint64_t start, uint64_t end);

  // ---- validation helpers ------------------------------------------------
  template <int Tree> bool ValidateTree(Index t, Index lo, Index hi, uint64_t* count) const;

  uint64_t size_ = 0;
  uint64_t range_count_ = 0;
  Index root_[2] = {0, 0};
  uint32_t rng_state_ = 0x9e3779b9u;
  std::vector<Node> nodes_;
  std::vector<Index> free_nodes_;
};

}  // namespace poolmem
