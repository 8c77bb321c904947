// BestFitAllocator's members, included only by the .cc of each tree policy,
// which instantiates the template once. Allocation (best fit) is one descent
// of the by-size tree; the range is rewritten in place unless it is used up
// or drops below its predecessor. Free looks up both neighbours in one
// descent of the by-start tree, rejects any overlap with free space, then
// merges, again in place when the grown range stays below its successor in
// size order. Carving from the low end never changes a range's place in
// start order, and a merge only grows a range inside the gap its neighbours
// leave, so the start tree changes only when a range appears or disappears.
#pragma once

#include <algorithm>

#include "strategies/best_fit_allocator.h"
#include "debug.h"

namespace poolmem {

// ---------------------------------------------------------------------------
// Node storage
// ---------------------------------------------------------------------------

template <class P>
inline typename BestFitAllocator<P>::Index BestFitAllocator<P>::NewNode(uint64_t start, uint64_t end) {
  Index n;
  if (!free_nodes_.empty()) {
    n = free_nodes_.back();
    free_nodes_.pop_back();
  } else {
    n = static_cast<Index>(trees_.nodes.size());
    trees_.nodes.emplace_back();
  }
  // Field by field: a Node built on the stack and copied in was read back
  // with 16-byte loads over narrower stores, a store-forwarding stall that
  // cost about 10 ns per call (ArenaPair/65536, where every pair makes a node).
  Node& node = trees_.nodes[n];
  node.start = start;
  node.end = end;
  node.child[kByStart][0] = node.child[kByStart][1] = 0;
  node.child[kBySize][0] = node.child[kBySize][1] = 0;
  policy_.InitNode(&node.balance);
  ++range_count_;
  return n;
}

template <class P>
inline void BestFitAllocator<P>::DeleteNode(Index n) {
  free_nodes_.push_back(n);
  --range_count_;
}

template <class P>
inline void BestFitAllocator<P>::InsertBoth(Index n) {
  if (range_count_ == 1) {
    // Into empty trees (the arena was full): NewNode left n a lone root.
    trees_.root[kByStart] = trees_.root[kBySize] = n;
  } else {
    Insert<kByStart>(n);
    Insert<kBySize>(n);
  }
}

template <class P>
inline void BestFitAllocator<P>::EraseBoth(Index n) {
  if (range_count_ == 1) {
    trees_.root[kByStart] = trees_.root[kBySize] = 0;  // the last free range: nothing to walk
  } else {
    Erase<kBySize>(n);
    Erase<kByStart>(n);
  }
}

// ---------------------------------------------------------------------------
// Searches
// ---------------------------------------------------------------------------

template <class P>
typename BestFitAllocator<P>::Index BestFitAllocator<P>::LowerBoundBySize(uint64_t size, Index* pred) const {
  // The search path passes both the answer and its predecessor: the last
  // range that was too small is the largest range below the answer.
  Index t = trees_.root[kBySize], best = 0;
  *pred = 0;
  while (t != 0) {
    const Node& node = trees_.nodes[t];
    if (node.end - node.start >= size) {
      best = t;  // fits; a smaller (or equal, lower-start) fit can only be left
      t = node.child[kBySize][0];
    } else {
      *pred = t;
      t = node.child[kBySize][1];
    }
  }
  return best;
}

template <class P>
typename BestFitAllocator<P>::Index BestFitAllocator<P>::SuccessorBySize(Index n) const {
  const auto& nodes = trees_.nodes;
  Index t = trees_.root[kBySize], succ = 0;
  while (t != n) {
    POOLMEM_ASSERT_INTERNAL(t != 0);
    if (trees_.template Less<kBySize>(n, t)) {
      succ = t;
      t = nodes[t].child[kBySize][0];
    } else {
      t = nodes[t].child[kBySize][1];
    }
  }
  if (Index r = nodes[n].child[kBySize][1]; r != 0) {
    while (nodes[r].child[kBySize][0] != 0) r = nodes[r].child[kBySize][0];
    return r;
  }
  return succ;
}

template <class P>
void BestFitAllocator<P>::Grow(Index n, uint64_t start, uint64_t end) {
  const Index succ = SuccessorBySize(n);
  Node& node = trees_.nodes[n];
  const Node& next = trees_.nodes[succ];
  if (succ == 0 || Trees::SizeKeyLess(end - start, start, next.end - next.start, next.start)) {
    node.start = start;  // still below its successor: same place
    node.end = end;
    return;
  }
  Erase<kBySize>(n);
  node.start = start;
  node.end = end;
  Insert<kBySize>(n);
}

// ---------------------------------------------------------------------------
// RangeStrategy
// ---------------------------------------------------------------------------

template <class P>
int64_t BestFitAllocator<P>::Find(uint64_t size) const {
  if (size == 0) return kNoFit;
  Index pred;
  const Index b = LowerBoundBySize(size, &pred);
  return b == 0 ? kNoFit : static_cast<int64_t>(trees_.nodes[b].start);
}

template <class P>
int64_t BestFitAllocator<P>::Allocate(uint64_t size) {
  if (size == 0) return kNoFit;
  Index pred;
  const Index b = LowerBoundBySize(size, &pred);
  if (b == 0) return kNoFit;
  // Start order never changes here: the range only shrinks from below.
  auto& nodes = trees_.nodes;
  const uint64_t offset = nodes[b].start;
  const uint64_t rest = nodes[b].end - offset - size;
  if (rest == 0) {
    EraseBoth(b);
    DeleteNode(b);
  } else if (pred == 0 ||
             Trees::SizeKeyLess(nodes[pred].end - nodes[pred].start, nodes[pred].start, rest, offset + size)) {
    nodes[b].start = offset + size;  // still above its predecessor: same place
  } else {
    Erase<kBySize>(b);
    nodes[b].start = offset + size;
    Insert<kBySize>(b);
  }
  free_size_ -= size;
  POOLMEM_ASSERT_EXPENSIVE(Validate());
  return static_cast<int64_t>(offset);
}

template <class P>
FreeStatus BestFitAllocator<P>::Free(uint64_t offset, uint64_t size) {
  if (offset > size_ || size > size_ - offset) return FreeStatus::kOutOfRange;
  if (size == 0) return FreeStatus::kOk;
  const uint64_t end = offset + size;
  auto& nodes = trees_.nodes;
  // One descent: pred = last range starting at or before offset,
  // succ = first range starting after it.
  Index pred = 0, succ = 0;
  for (Index t = trees_.root[kByStart]; t != 0;) {
    if (nodes[t].start <= offset) {
      pred = t;
      t = nodes[t].child[kByStart][1];
    } else {
      succ = t;
      t = nodes[t].child[kByStart][0];
    }
  }
  if ((pred != 0 && nodes[pred].end > offset) || (succ != 0 && nodes[succ].start < end)) {
    return FreeStatus::kDoubleFree;
  }
  const bool join_left = pred != 0 && nodes[pred].end == offset;
  const bool join_right = succ != 0 && nodes[succ].start == end;
  if (join_left && join_right) {
    const uint64_t new_end = nodes[succ].end;
    Erase<kBySize>(succ);
    Erase<kByStart>(succ);
    DeleteNode(succ);
    Grow(pred, nodes[pred].start, new_end);
  } else if (join_left) {
    Grow(pred, nodes[pred].start, end);
  } else if (join_right) {
    Grow(succ, offset, nodes[succ].end);  // still between pred and succ's successor
  } else {
    InsertBoth(NewNode(offset, end));
  }
  free_size_ += size;
  POOLMEM_ASSERT_EXPENSIVE(Validate());
  return FreeStatus::kOk;
}

template <class P>
void BestFitAllocator<P>::Blocks(std::vector<FreeRange>* out) const {
  const auto& nodes = trees_.nodes;
  out->clear();
  out->reserve(range_count_);
  // Iterative in-order walk of the by-start tree.
  std::vector<Index> stack;
  Index t = trees_.root[kByStart];
  while (t != 0 || !stack.empty()) {
    while (t != 0) {
      stack.push_back(t);
      t = nodes[t].child[kByStart][0];
    }
    t = stack.back();
    stack.pop_back();
    out->push_back({nodes[t].start, nodes[t].end});
    t = nodes[t].child[kByStart][1];
  }
}

template <class P>
void BestFitAllocator<P>::Reset(uint64_t size) {
  trees_.nodes.assign(1, Node{});  // slot 0 is the null node
  free_nodes_.clear();
  trees_.root[kByStart] = trees_.root[kBySize] = 0;
  range_count_ = 0;
  size_ = size;
  free_size_ = size;
  if (size > 0) InsertBoth(NewNode(0, size));
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

template <class P>
template <int Tree>
bool BestFitAllocator<P>::ValidateTree(Index t, Index lo, Index hi, uint64_t* count, int32_t* height) const {
  if (t == 0) {
    *height = 0;
    return true;
  }
  if (t >= trees_.nodes.size()) return false;
  if (lo != 0 && !trees_.template Less<Tree>(lo, t)) return false;
  if (hi != 0 && !trees_.template Less<Tree>(t, hi)) return false;
  int32_t hl, hr;
  if (!ValidateTree<Tree>(trees_.nodes[t].child[Tree][0], lo, t, count, &hl)) return false;
  if (!ValidateTree<Tree>(trees_.nodes[t].child[Tree][1], t, hi, count, &hr)) return false;
  if (!P::template NodeBalanced<Tree>(trees_, t, hl, hr)) return false;
  *height = 1 + std::max(hl, hr);
  ++*count;
  return true;
}

template <class P>
bool BestFitAllocator<P>::Validate() const {
  uint64_t by_start = 0, by_size = 0;
  int32_t height;
  if (!ValidateTree<kByStart>(trees_.root[kByStart], 0, 0, &by_start, &height)) return false;
  if (!ValidateTree<kBySize>(trees_.root[kBySize], 0, 0, &by_size, &height)) return false;
  if (by_start != range_count_ || by_size != range_count_) return false;
  std::vector<FreeRange> ranges;
  Blocks(&ranges);
  uint64_t total = 0;
  for (size_t i = 0; i < ranges.size(); ++i) {
    const FreeRange& r = ranges[i];
    if (r.start >= r.end || r.end > size_) return false;      // non-empty, inside
    if (i > 0 && ranges[i - 1].end >= r.start) return false;  // disjoint and merged
    total += r.end - r.start;
  }
  return total == free_size_;
}

}  // namespace poolmem
