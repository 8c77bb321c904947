// Two AVL trees over one node pool: see avl_allocator.h. Insert and erase
// are iterative (depth <= 1.44 log2 n) and rebalance on the way back up only
// while a subtree's height changes, one or two levels on average: each
// rebalanced level reads the height of the off-path child. Carving
// from the low end of a range never changes its place in start order, and
// a merge only grows a range inside the gap its neighbours leave, so the
// start tree changes only when a range appears or disappears.
#include "avl_allocator.h"

#include <algorithm>

#include "debug.h"

namespace poolmem {

namespace {
// (length, start) order of the size tree, on plain values.
bool SizeKeyLess(uint64_t len_a, uint64_t start_a, uint64_t len_b, uint64_t start_b) {
  return len_a < len_b || (len_a == len_b && start_a < start_b);
}
}  // namespace

AvlAllocator::AvlAllocator(uint64_t size) { Reset(size); }

// ---------------------------------------------------------------------------
// Node storage
// ---------------------------------------------------------------------------

AvlAllocator::Index AvlAllocator::NewNode(uint64_t start, uint64_t end) {
  Node node{start, end, {{0, 0}, {0, 0}}, {1, 1}};
  Index n;
  if (!free_nodes_.empty()) {
    n = free_nodes_.back();
    free_nodes_.pop_back();
    nodes_[n] = node;
  } else {
    n = static_cast<Index>(nodes_.size());
    nodes_.push_back(node);
  }
  ++range_count_;
  return n;
}

void AvlAllocator::DeleteNode(Index n) {
  free_nodes_.push_back(n);
  --range_count_;
}

// ---------------------------------------------------------------------------
// AVL primitives, parameterised by tree
// ---------------------------------------------------------------------------

template <int Tree>
bool AvlAllocator::Less(Index a, Index b) const {
  const Node& x = nodes_[a];
  const Node& y = nodes_[b];
  if constexpr (Tree == kByStart) {
    return x.start < y.start;
  } else {
    return SizeKeyLess(x.end - x.start, x.start, y.end - y.start, y.start);
  }
}

template <int Tree>
void AvlAllocator::Update(Index n) {
  nodes_[n].height[Tree] = 1 + std::max(Height<Tree>(nodes_[n].child[Tree][0]), Height<Tree>(nodes_[n].child[Tree][1]));
}

template <int Tree>
AvlAllocator::Index AvlAllocator::Rotate(Index n, int dir) {
  const Index pivot = nodes_[n].child[Tree][1 - dir];
  nodes_[n].child[Tree][1 - dir] = nodes_[pivot].child[Tree][dir];
  nodes_[pivot].child[Tree][dir] = n;
  Update<Tree>(n);
  Update<Tree>(pivot);
  return pivot;
}

template <int Tree>
AvlAllocator::Index AvlAllocator::Balance(Index n) {
  Update<Tree>(n);
  const Index l = nodes_[n].child[Tree][0], r = nodes_[n].child[Tree][1];
  const int32_t diff = Height<Tree>(l) - Height<Tree>(r);
  if (diff > 1) {
    if (Height<Tree>(nodes_[l].child[Tree][1]) > Height<Tree>(nodes_[l].child[Tree][0])) {
      nodes_[n].child[Tree][0] = Rotate<Tree>(l, 0);
    }
    return Rotate<Tree>(n, 1);
  }
  if (diff < -1) {
    if (Height<Tree>(nodes_[r].child[Tree][0]) > Height<Tree>(nodes_[r].child[Tree][1])) {
      nodes_[n].child[Tree][1] = Rotate<Tree>(r, 1);
    }
    return Rotate<Tree>(n, 0);
  }
  return n;
}

// path[0..depth) are links (root or child slots) from the top down to the
// change; each subtree is rebalanced until one keeps its height.
template <int Tree>
void AvlAllocator::RebalancePath(Index** path, int depth) {
  while (depth > 0) {
    Index* link = path[--depth];
    const int32_t before = nodes_[*link].height[Tree];
    *link = Balance<Tree>(*link);
    if (nodes_[*link].height[Tree] == before) return;
  }
}

template <int Tree>
void AvlAllocator::Insert(Index n) {
  Index* path[kMaxDepth];
  int depth = 0;
  Index* link = &root_[Tree];
  while (*link != 0) {
    path[depth++] = link;
    link = &nodes_[*link].child[Tree][Less<Tree>(n, *link) ? 0 : 1];
  }
  nodes_[n].child[Tree][0] = nodes_[n].child[Tree][1] = 0;
  nodes_[n].height[Tree] = 1;
  *link = n;
  RebalancePath<Tree>(path, depth);
}

template <int Tree>
void AvlAllocator::Erase(Index n) {
  Index* path[kMaxDepth];
  int depth = 0;
  Index* link = &root_[Tree];
  while (*link != n) {
    POOLMEM_ASSERT_INTERNAL(*link != 0);
    path[depth++] = link;
    link = &nodes_[*link].child[Tree][Less<Tree>(n, *link) ? 0 : 1];
  }
  const Index l = nodes_[n].child[Tree][0], r = nodes_[n].child[Tree][1];
  if (l == 0 || r == 0) {
    *link = l == 0 ? r : l;
    RebalancePath<Tree>(path, depth);
    return;
  }
  // Two children: n's successor m (the minimum of its right subtree) leaves
  // its place and takes n's, with n's height.
  const int at_n = depth;
  path[depth++] = link;
  Index* min_link = &nodes_[n].child[Tree][1];
  while (nodes_[*min_link].child[Tree][0] != 0) {
    path[depth++] = min_link;
    min_link = &nodes_[*min_link].child[Tree][0];
  }
  const Index m = *min_link;
  *min_link = nodes_[m].child[Tree][1];
  nodes_[m].child[Tree][0] = l;
  nodes_[m].child[Tree][1] = nodes_[n].child[Tree][1];
  nodes_[m].height[Tree] = nodes_[n].height[Tree];
  *link = m;
  if (depth > at_n + 1) path[at_n + 1] = &nodes_[m].child[Tree][1];  // was n's right link
  RebalancePath<Tree>(path, depth);
}

// ---------------------------------------------------------------------------
// Searches
// ---------------------------------------------------------------------------

AvlAllocator::Index AvlAllocator::LowerBoundBySize(uint64_t size, Index* pred) const {
  // The search path passes both the answer and its predecessor: the last
  // range that was too small is the largest range below the answer.
  Index t = root_[kBySize], best = 0;
  *pred = 0;
  while (t != 0) {
    const Node& node = nodes_[t];
    if (node.end - node.start >= size) {
      best = t;
      t = node.child[kBySize][0];
    } else {
      *pred = t;
      t = node.child[kBySize][1];
    }
  }
  return best;
}

AvlAllocator::Index AvlAllocator::SuccessorBySize(Index n) const {
  Index t = root_[kBySize], succ = 0;
  while (t != n) {
    POOLMEM_ASSERT_INTERNAL(t != 0);
    if (Less<kBySize>(n, t)) {
      succ = t;
      t = nodes_[t].child[kBySize][0];
    } else {
      t = nodes_[t].child[kBySize][1];
    }
  }
  if (Index r = nodes_[n].child[kBySize][1]; r != 0) {
    while (nodes_[r].child[kBySize][0] != 0) r = nodes_[r].child[kBySize][0];
    return r;
  }
  return succ;
}

void AvlAllocator::Grow(Index n, uint64_t start, uint64_t end) {
  const Index succ = SuccessorBySize(n);
  if (succ == 0 || SizeKeyLess(end - start, start, nodes_[succ].end - nodes_[succ].start, nodes_[succ].start)) {
    nodes_[n].start = start;  // still below its successor: same place
    nodes_[n].end = end;
    return;
  }
  Erase<kBySize>(n);
  nodes_[n].start = start;
  nodes_[n].end = end;
  Insert<kBySize>(n);
}

// ---------------------------------------------------------------------------
// RangeStrategy
// ---------------------------------------------------------------------------

int64_t AvlAllocator::Find(uint64_t size) const {
  if (size == 0) return kNoFit;
  Index pred;
  const Index b = LowerBoundBySize(size, &pred);
  return b == 0 ? kNoFit : static_cast<int64_t>(nodes_[b].start);
}

int64_t AvlAllocator::Allocate(uint64_t size) {
  if (size == 0) return kNoFit;
  Index pred;
  const Index b = LowerBoundBySize(size, &pred);
  if (b == 0) return kNoFit;
  const uint64_t offset = nodes_[b].start;
  const uint64_t rest = nodes_[b].end - offset - size;
  if (rest == 0) {
    Erase<kBySize>(b);
    Erase<kByStart>(b);
    DeleteNode(b);
  } else if (pred == 0 || SizeKeyLess(nodes_[pred].end - nodes_[pred].start, nodes_[pred].start, rest, offset + size)) {
    nodes_[b].start = offset + size;  // still above its predecessor: same place
  } else {
    Erase<kBySize>(b);
    nodes_[b].start = offset + size;
    Insert<kBySize>(b);
  }
  free_size_ -= size;
  POOLMEM_ASSERT_EXPENSIVE(Validate());
  return static_cast<int64_t>(offset);
}

FreeStatus AvlAllocator::Free(uint64_t offset, uint64_t size) {
  if (offset > size_ || size > size_ - offset) return FreeStatus::kOutOfRange;
  if (size == 0) return FreeStatus::kOk;
  const uint64_t end = offset + size;
  Index pred = 0, succ = 0;  // last range starting at or before offset, first after it
  for (Index t = root_[kByStart]; t != 0;) {
    if (nodes_[t].start <= offset) {
      pred = t;
      t = nodes_[t].child[kByStart][1];
    } else {
      succ = t;
      t = nodes_[t].child[kByStart][0];
    }
  }
  if ((pred != 0 && nodes_[pred].end > offset) || (succ != 0 && nodes_[succ].start < end)) {
    return FreeStatus::kDoubleFree;
  }
  const bool join_left = pred != 0 && nodes_[pred].end == offset;
  const bool join_right = succ != 0 && nodes_[succ].start == end;
  if (join_left && join_right) {
    const uint64_t new_end = nodes_[succ].end;
    Erase<kBySize>(succ);
    Erase<kByStart>(succ);
    DeleteNode(succ);
    Grow(pred, nodes_[pred].start, new_end);
  } else if (join_left) {
    Grow(pred, nodes_[pred].start, end);
  } else if (join_right) {
    Grow(succ, offset, nodes_[succ].end);
  } else {
    const Index n = NewNode(offset, end);
    Insert<kByStart>(n);
    Insert<kBySize>(n);
  }
  free_size_ += size;
  POOLMEM_ASSERT_EXPENSIVE(Validate());
  return FreeStatus::kOk;
}

void AvlAllocator::Blocks(std::vector<FreeRange>* out) const {
  out->clear();
  out->reserve(range_count_);
  std::vector<Index> stack;
  Index t = root_[kByStart];
  while (t != 0 || !stack.empty()) {
    while (t != 0) {
      stack.push_back(t);
      t = nodes_[t].child[kByStart][0];
    }
    t = stack.back();
    stack.pop_back();
    out->push_back({nodes_[t].start, nodes_[t].end});
    t = nodes_[t].child[kByStart][1];
  }
}

void AvlAllocator::Reset(uint64_t size) {
  nodes_.assign(1, Node{});  // slot 0 is the null node
  free_nodes_.clear();
  root_[kByStart] = root_[kBySize] = 0;
  range_count_ = 0;
  size_ = size;
  free_size_ = size;
  if (size > 0) {
    const Index n = NewNode(0, size);
    Insert<kByStart>(n);
    Insert<kBySize>(n);
  }
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

template <int Tree>
bool AvlAllocator::ValidateTree(Index t, Index lo, Index hi, uint64_t* count, int32_t* height) const {
  if (t == 0) {
    *height = 0;
    return true;
  }
  if (t >= nodes_.size()) return false;
  if (lo != 0 && !Less<Tree>(lo, t)) return false;
  if (hi != 0 && !Less<Tree>(t, hi)) return false;
  int32_t hl, hr;
  if (!ValidateTree<Tree>(nodes_[t].child[Tree][0], lo, t, count, &hl)) return false;
  if (!ValidateTree<Tree>(nodes_[t].child[Tree][1], t, hi, count, &hr)) return false;
  if (hl - hr > 1 || hr - hl > 1) return false;
  *height = 1 + std::max(hl, hr);
  if (nodes_[t].height[Tree] != *height) return false;
  ++*count;
  return true;
}

bool AvlAllocator::Validate() const {
  uint64_t by_start = 0, by_size = 0;
  int32_t h;
  if (!ValidateTree<kByStart>(root_[kByStart], 0, 0, &by_start, &h)) return false;
  if (!ValidateTree<kBySize>(root_[kBySize], 0, 0, &by_size, &h)) return false;
  if (by_start != range_count_ || by_size != range_count_) return false;
  std::vector<FreeRange> ranges;
  Blocks(&ranges);
  uint64_t total = 0;
  for (size_t i = 0; i < ranges.size(); ++i) {
    const FreeRange& r = ranges[i];
    if (r.start >= r.end || r.end > size_) return false;
    if (i > 0 && ranges[i - 1].end >= r.start) return false;
    total += r.end - r.start;
  }
  return total == free_size_;
}

}  // namespace poolmem
