// MaxTree: a fixed number of leaves under an implicit binary tree (heap
// layout, leaves at [n, 2n)) answering "leftmost leaf whose value is at least
// x". First-fit keeps one uint32 leaf per 64 granules holding the longest
// free range that ends there, so the lowest range that fits is found without
// a list walk; ScalableAllocator keeps one uint64 leaf per chunk bounding
// what that chunk can fit. Invariant: leaves are exact and every inner node
// is at least the max of its children (an upper bound, not always equal: see Set).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

namespace poolmem {

template <class Value>
class BasicMaxTree {
 public:
  static constexpr uint64_t kNone = UINT64_MAX;

  // `leaves` leaves, all 0.
  void Reset(uint64_t leaves) {
    leaves_ = std::bit_ceil(std::max<uint64_t>(leaves, 1));
    nodes_.assign(2 * leaves_, 0);
  }

  uint64_t leaves() const { return leaves_; }  // the count asked for, rounded up to a power of two
  Value Get(uint64_t leaf) const { return nodes_[leaves_ + leaf]; }

  // Sets a leaf. A raise climbs while an ancestor is below the new value; a
  // cut climbs not at all and leaves the ancestors as upper bounds. So an
  // allocate+free pair on one range costs two leaf writes instead of two
  // climbs to the root (first-fit's Pair10kLive went 22 -> 42 ns with exact
  // maxima), and FirstAtLeast pays for stale bounds only when it meets them.
  void Set(uint64_t leaf, Value value) {
    uint64_t i = leaves_ + leaf;
    nodes_[i] = value;
    for (i >>= 1; i != 0 && nodes_[i] < value; i >>= 1) nodes_[i] = value;
  }

  // The leftmost leaf with value >= x, or kNone. Subtrees whose bound is
  // below x are skipped (they hold no such leaf), so the answer is exact.
  // A node whose bound is >= x but whose children both fall short is a stale
  // bound: it is tightened to the max of its children and the search climbs
  // to the next subtree to the right. Each tightening undoes part of an
  // earlier cut, which made at most log2(n) bounds stale, so a search costs
  // O(log n) amortized over the cuts; with no stale bound on its path it is
  // one descent. Tightening changes no answer, hence a const search.
  uint64_t FirstAtLeast(Value x) const {
    if (nodes_[1] < x) return kNone;
    uint64_t i = 1;
    while (i < leaves_) {
      const uint64_t l = 2 * i;
      if (nodes_[l] >= x) {
        i = l;
      } else if (nodes_[l + 1] >= x) {
        i = l + 1;
      } else {
        nodes_[i] = std::max(nodes_[l], nodes_[l + 1]);  // < x
        for (;;) {  // climb to the nearest right sibling still bounded >= x
          if (i == 1) return kNone;
          if ((i & 1) == 0 && nodes_[i + 1] >= x) {
            ++i;
            break;
          }
          i >>= 1;
          nodes_[i] = std::max(nodes_[2 * i], nodes_[2 * i + 1]);
        }
      }
    }
    return i - leaves_;  // leaves are exact: this one holds x
  }

  // Every inner node bounds its children from above; for Validate().
  bool Consistent() const {
    for (uint64_t i = 1; i < leaves_; ++i) {
      if (nodes_[i] < std::max(nodes_[2 * i], nodes_[2 * i + 1])) return false;
    }
    return true;
  }

 private:
  uint64_t leaves_ = 1;
  // Mutable: FirstAtLeast tightens stale bounds it proves too high.
  mutable std::vector<Value> nodes_ = std::vector<Value>(2, 0);  // [0] unused
};

using MaxTree = BasicMaxTree<uint32_t>;

}  // namespace poolmem
