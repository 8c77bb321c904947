// `avl` strategy: GoMem's two-tree allocator done right. Every free range is
// one node in two AVL trees at once, one ordered by start (neighbours on
// free) and one by (length, start) (best fit: the smallest range that fits,
// ties to the lowest offset), carved from the low end; neighbours merge on
// free. A range whose key changes but keeps its rank (the common case for a
// shrinking best fit or a growing merged range) is updated in place, without
// leaving either tree.
#pragma once

#include <cstdint>
#include <vector>

#include "range_strategy.h"

namespace poolmem {

class AvlAllocator final : public RangeStrategy {
 public:
  explicit AvlAllocator(uint64_t size);

  int64_t Allocate(uint64_t size) override;
  int64_t Find(uint64_t size) const override;
  FreeStatus Free(uint64_t offset, uint64_t size) override;
  uint64_t Size() const override { return size_; }
  void Blocks(std::vector<FreeRange>* out) const override;
  void Reset(uint64_t size) override;
  bool Validate() const override;

  uint64_t RangeCount() const { return range_count_; }

 private:
  using Index = uint32_t;  // 0 is the null node
  static constexpr int kByStart = 0;
  static constexpr int kBySize = 1;

  struct Node {
    uint64_t start;
    uint64_t end;
    Index child[2][2];   // [tree][0 = left, 1 = right]
    int32_t height[2];   // [tree]; a leaf is 1, null is 0
  };

  Index NewNode(uint64_t start, uint64_t end);
  void DeleteNode(Index n);

  template <int Tree> bool Less(Index a, Index b) const;
  template <int Tree> int32_t Height(Index n) const { return n == 0 ? 0 : nodes_[n].height[Tree]; }
  template <int Tree> void Update(Index n);
  template <int Tree> Index Rotate(Index n, int dir);  // dir 0: left rotation
  template <int Tree> Index Balance(Index n);
  // Iterative: the descent records the links it follows, then rebalances
  // back up only while a subtree's height keeps changing.
  static constexpr int kMaxDepth = 64;  // AVL height <= 1.44 log2(2^32)
  template <int Tree> void Insert(Index n);
  template <int Tree> void Erase(Index n);
  template <int Tree> void RebalancePath(Index** path, int depth);

  // Smallest range whose length is >= size (lowest start on ties), or 0;
  // *pred gets the range just below it in size order.
  Index LowerBoundBySize(uint64_t size, Index* pred) const;
  // The range just above n in size order, or 0.
  Index SuccessorBySize(Index n) const;
  // Sets n's bounds after it grew, moving it in the size tree only if needed.
  void Grow(Index n, uint64_t start, uint64_t end);

  template <int Tree> bool ValidateTree(Index t, Index lo, Index hi, uint64_t* count, int32_t* height) const;

  uint64_t size_ = 0;
  uint64_t range_count_ = 0;
  Index root_[2] = {0, 0};
  std::vector<Node> nodes_;
  std::vector<Index> free_nodes_;
};

}  // namespace poolmem
