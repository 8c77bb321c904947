// Best fit (the smallest free range that fits, ties to the lowest offset),
// carved from the low end. Every free range is one node that sits in two
// balanced search trees at once: one ordered by start (neighbour lookup for
// merging and free validation) and one ordered by (length, start) (best-fit
// search). A range whose key changes but keeps its rank (a shrinking best
// fit, a growing merged range) is updated in place without leaving a tree.
//
// BestFitAllocator<TreePolicy> holds all of this; the policy supplies only
// the balancing: per-node balance data, Insert, Erase and the balance check
// used by Validate (TreapPolicy in treap_allocator.h, AvlPolicy in
// avl_allocator.h). The member definitions are in best_fit_allocator_inl.h,
// instantiated once in each policy's .cc.
#pragma once

#include <cstdint>
#include <vector>

#include "strategies/range_strategy.h"

namespace poolmem {

// ---------------------------------------------------------------------------
// Node storage both trees share; what a tree policy works on.
// ---------------------------------------------------------------------------

template <class NodeBalance>
struct TwoTrees {
  using Index = uint32_t;  // 0 is the null node
  static constexpr int kByStart = 0;
  static constexpr int kBySize = 1;

  struct Node {
    uint64_t start;
    uint64_t end;
    Index child[2][2];    // [tree][0 = left, 1 = right]
    NodeBalance balance;  // the policy's per-node data (priority, heights)
  };

  // (length, start) order of the size tree, on plain values.
  static bool SizeKeyLess(uint64_t len_a, uint64_t start_a, uint64_t len_b, uint64_t start_b) {
    return len_a < len_b || (len_a == len_b && start_a < start_b);
  }

  template <int Tree>
  bool Less(Index a, Index b) const {
    const Node& x = nodes[a];
    const Node& y = nodes[b];
    if constexpr (Tree == kByStart) {
      return x.start < y.start;
    } else {
      return SizeKeyLess(x.end - x.start, x.start, y.end - y.start, y.start);
    }
  }

  std::vector<Node> nodes;  // slot 0 is the null node
  Index root[2] = {0, 0};   // [tree]
};

// ---------------------------------------------------------------------------
// The allocator. TreePolicy provides:
//   struct NodeBalance;                           per-node balancing data
//   void InitNode(NodeBalance*);                  a new node, alone in a tree
//   template <int Tree> static void Insert(Trees&, Index);
//   template <int Tree> static void Erase(Trees&, Index);
//   template <int Tree> static bool NodeBalanced(const Trees&, Index,
//                                   int32_t left_height, int32_t right_height);
// ---------------------------------------------------------------------------

template <class TreePolicy>
class BestFitAllocator final : public RangeStrategy {
 public:
  explicit BestFitAllocator(uint64_t size) { Reset(size); }

  int64_t Allocate(uint64_t size) override;
  int64_t Find(uint64_t size) const override;
  FreeStatus Free(uint64_t offset, uint64_t size) override;
  uint64_t Size() const override { return size_; }
  uint64_t Granule() const override { return 1; }
  void Blocks(std::vector<FreeRange>* out) const override;
  void Reset(uint64_t size) override;
  bool Validate() const override;

  // Number of free ranges (tree nodes); for tests and benchmarks.
  uint64_t RangeCount() const { return range_count_; }

 private:
  using Trees = TwoTrees<typename TreePolicy::NodeBalance>;
  using Index = typename Trees::Index;
  using Node = typename Trees::Node;
  static constexpr int kByStart = Trees::kByStart;
  static constexpr int kBySize = Trees::kBySize;

  // ---- node storage ------------------------------------------------------
  // Inline: a pair that uses up a range makes and drops one node each time,
  // and the calls were 2 ns of ScalablePair/65536's 17.
  [[gnu::always_inline]] Index NewNode(uint64_t start, uint64_t end);
  [[gnu::always_inline]] void DeleteNode(Index n);

  template <int Tree> void Insert(Index n) { TreePolicy::template Insert<Tree>(trees_, n); }
  template <int Tree> void Erase(Index n) { TreePolicy::template Erase<Tree>(trees_, n); }
  // Into or out of both trees, with a shortcut when n is the only range.
  // Inline: with two callers GCC kept InsertBoth a call, 13 of the 158
  // instructions of an arena-sized pair (ArenaPair/65536), which frees into
  // empty trees every time.
  [[gnu::always_inline]] void InsertBoth(Index n);
  [[gnu::always_inline]] void EraseBoth(Index n);

  // ---- searches ------------------------------------------------------------
  // Smallest range whose length is >= size (lowest start on ties), or 0;
  // *pred gets the range just below it in size order.
  Index LowerBoundBySize(uint64_t size, Index* pred) const;
  // The range just above n in size order, or 0.
  Index SuccessorBySize(Index n) const;
  // Sets n's bounds after it grew, moving it in the size tree only if needed.
  void Grow(Index n, uint64_t start, uint64_t end);

  // ---- validation ----------------------------------------------------------
  // Order, balance and count of one tree; *height gets its height.
  template <int Tree> bool ValidateTree(Index t, Index lo, Index hi, uint64_t* count, int32_t* height) const;

  uint64_t size_ = 0;
  uint64_t range_count_ = 0;
  Trees trees_;
  std::vector<Index> free_nodes_;
  TreePolicy policy_;
};

}  // namespace poolmem
