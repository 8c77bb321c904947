// `avl` strategy: GoMem's two-tree allocator done right. Best fit over two
// AVL trees (BestFitAllocator, see best_fit_allocator.h): every free range is
// one node in both, with a height per tree.
#pragma once

#include <cstdint>

#include "strategies/best_fit_allocator.h"

namespace poolmem {

struct AvlPolicy {
  struct NodeBalance {
    int32_t height[2];  // [tree]; a leaf is 1, null is 0
  };
  using Trees = TwoTrees<NodeBalance>;
  using Index = Trees::Index;

  [[gnu::always_inline]] void InitNode(NodeBalance* b) { b->height[0] = b->height[1] = 1; }

  // Iterative: the descent records the links it follows, then rebalances
  // back up only while a subtree's height keeps changing.
  template <int Tree> static void Insert(Trees& t, Index n);
  template <int Tree> static void Erase(Trees& t, Index n);
  template <int Tree> static bool NodeBalanced(const Trees& t, Index n, int32_t left_height, int32_t right_height);

 private:
  static constexpr int kMaxDepth = 64;  // AVL height <= 1.44 log2(2^32)
  template <int Tree> static int32_t Height(const Trees& t, Index n) {
    return n == 0 ? 0 : t.nodes[n].balance.height[Tree];
  }
  template <int Tree> static void Update(Trees& t, Index n);
  template <int Tree> static Index Rotate(Trees& t, Index n, int dir);  // dir 0: left rotation
  template <int Tree> static Index Rebalance(Trees& t, Index n);
  template <int Tree> static void RebalancePath(Trees& t, Index** path, int depth);
};

using AvlAllocator = BestFitAllocator<AvlPolicy>;
extern template class BestFitAllocator<AvlPolicy>;

}  // namespace poolmem
