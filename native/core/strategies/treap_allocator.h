// `treap` strategy: best fit over two treaps (BestFitAllocator, see
// best_fit_allocator.h). Both trees share each node's random priority, so a
// range whose key changes but keeps its rank moves in neither. Unlike GoMem's
// single tree, a fitting range is always found when one exists.
#pragma once

#include <cstdint>

#include "strategies/best_fit_allocator.h"

namespace poolmem {

struct TreapPolicy {
  struct NodeBalance {
    uint32_t priority;  // a max-heap in both trees
  };
  using Trees = TwoTrees<NodeBalance>;
  using Index = Trees::Index;

  // Inline: called for every new node (see BestFitAllocator::NewNode).
  [[gnu::always_inline]] void InitNode(NodeBalance* b) {
    // xorshift32: priorities only need to be independent of keys.
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    b->priority = rng_state;
  }

  template <int Tree> static void Insert(Trees& t, Index n);
  template <int Tree> static void Erase(Trees& t, Index n);
  template <int Tree> static bool NodeBalanced(const Trees& t, Index n, int32_t left_height, int32_t right_height);

  uint32_t rng_state = 0x9e3779b9u;

 private:
  template <int Tree> static Index Merge(Trees& t, Index a, Index b);
  template <int Tree> static void Split(Trees& t, Index root, Index key, Index* left, Index* right);
};

using TreapAllocator = BestFitAllocator<TreapPolicy>;
extern template class BestFitAllocator<TreapPolicy>;

}  // namespace poolmem
