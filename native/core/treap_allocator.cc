// Two treaps over one node pool: see treap_allocator.h for the design.
// Allocation (best fit) is one descent of the by-size tree; the range is
// rewritten in place unless it is used up or drops below its predecessor.
// Free looks up both neighbours in one descent of the by-start tree, rejects
// any overlap with free space, then merges, again in place when the grown
// range stays below its successor in size order.
#include "treap_allocator.h"

#include "debug.h"

namespace poolmem {

namespace {
// (length, start) order of the size tree, on plain values.
bool SizeKeyLess(uint64_t len_a, uint64_t start_a, uint64_t len_b, uint64_t start_b) {
  return len_a < len_b || (len_a == len_b && start_a < start_b);
}
}  // namespace

TreapAllocator::TreapAllocator(uint64_t size) { Reset(size); }

// ---------------------------------------------------------------------------
// Node storage
// ---------------------------------------------------------------------------

inline TreapAllocator::Index TreapAllocator::NewNode(uint64_t start, uint64_t end) {
  // xorshift32: priorities only need to be independent of keys.
  rng_state_ ^= rng_state_ << 13;
  rng_state_ ^= rng_state_ >> 17;
  rng_state_ ^= rng_state_ << 5;
  Index n;
  if (!free_nodes_.empty()) {
    n = free_nodes_.back();
    free_nodes_.pop_back();
  } else {
    n = static_cast<Index>(nodes_.size());
    nodes_.emplace_back();
  }
  // Field by field: a Node built on the stack and copied in was read back
  // with 16-byte loads over narrower stores, a store-forwarding stall that
  // cost about 10 ns per call (ArenaPair/65536, where every pair makes a node).
  Node& node = nodes_[n];
  node.start = start;
  node.end = end;
  node.priority = rng_state_;
  node.child[kByStart][0] = node.child[kByStart][1] = 0;
  node.child[kBySize][0] = node.child[kBySize][1] = 0;
  ++range_count_;
  return n;
}

inline void TreapAllocator::DeleteNode(Index n) {
  free_nodes_.push_back(n);
  --range_count_;
}

// ---------------------------------------------------------------------------
// Treap primitives
// ---------------------------------------------------------------------------

template <int Tree>
bool TreapAllocator::Less(Index a, Index b) const {
  const Node& x = nodes_[a];
  const Node& y = nodes_[b];
  if constexpr (Tree == kByStart) {
    return x.start < y.start;
  } else {
    const uint64_t lx = x.end - x.start, ly = y.end - y.start;
    return lx < ly || (lx == ly && x.start < y.start);
  }
}

template <int Tree>
TreapAllocator::Index TreapAllocator::Merge(Index a, Index b) {
  // Every key in a is below every key in b.
  if (a == 0) return b;
  if (b == 0) return a;
  if (nodes_[a].priority > nodes_[b].priority) {
    nodes_[a].child[Tree][1] = Merge<Tree>(nodes_[a].child[Tree][1], b);
    return a;
  }
  nodes_[b].child[Tree][0] = Merge<Tree>(a, nodes_[b].child[Tree][0]);
  return b;
}

template <int Tree>
void TreapAllocator::Split(Index t, Index key, Index* left, Index* right) {
  // left: keys below key; right: keys at or above it.
  if (t == 0) {
    *left = *right = 0;
    return;
  }
  if (Less<Tree>(t, key)) {
    Split<Tree>(nodes_[t].child[Tree][1], key, &nodes_[t].child[Tree][1], right);
    *left = t;
  } else {
    Split<Tree>(nodes_[t].child[Tree][0], key, left, &nodes_[t].child[Tree][0]);
    *right = t;
  }
}

template <int Tree>
void TreapAllocator::Insert(Index n) {
  nodes_[n].child[Tree][0] = nodes_[n].child[Tree][1] = 0;
  Index* link = &root_[Tree];
  // Descend while the existing node outranks the new one, then split there.
  while (*link != 0 && nodes_[*link].priority >= nodes_[n].priority) {
    link = &nodes_[*link].child[Tree][Less<Tree>(n, *link) ? 0 : 1];
  }
  Split<Tree>(*link, n, &nodes_[n].child[Tree][0], &nodes_[n].child[Tree][1]);
  *link = n;
}

template <int Tree>
void TreapAllocator::Erase(Index n) {
  Index* link = &root_[Tree];
  while (*link != n) {
    POOLMEM_ASSERT_INTERNAL(*link != 0);
    link = &nodes_[*link].child[Tree][Less<Tree>(n, *link) ? 0 : 1];
  }
  *link = Merge<Tree>(nodes_[n].child[Tree][0], nodes_[n].child[Tree][1]);
}

TreapAllocator::Index TreapAllocator::LowerBoundBySize(uint64_t size, Index* pred) const {
  // The search path passes both the answer and its predecessor: the last
  // range that was too small is the largest range below the answer.
  Index t = root_[kBySize], best = 0;
  *pred = 0;
  while (t != 0) {
    const Node& node = nodes_[t];
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

TreapAllocator::Index TreapAllocator::SuccessorBySize(Index n) const {
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

void TreapAllocator::Grow(Index n, uint64_t start, uint64_t end) {
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

int64_t TreapAllocator::Find(uint64_t size) const {
  if (size == 0) return kNoFit;
  Index pred;
  const Index b = LowerBoundBySize(size, &pred);
  return b == 0 ? kNoFit : static_cast<int64_t>(nodes_[b].start);
}

int64_t TreapAllocator::Allocate(uint64_t size) {
  if (size == 0) return kNoFit;
  Index pred;
  const Index b = LowerBoundBySize(size, &pred);
  if (b == 0) return kNoFit;
  // Start order never changes here: the range only shrinks from below.
  const uint64_t offset = nodes_[b].start;
  const uint64_t rest = nodes_[b].end - offset - size;
  if (rest == 0) {
    if (range_count_ == 1) {
      root_[kByStart] = root_[kBySize] = 0;  // the last free range: nothing to walk
    } else {
      Erase<kBySize>(b);
      Erase<kByStart>(b);
    }
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

FreeStatus TreapAllocator::Free(uint64_t offset, uint64_t size) {
  if (offset > size_ || size > size_ - offset) return FreeStatus::kOutOfRange;
  if (size == 0) return FreeStatus::kOk;
  const uint64_t end = offset + size;
  // One descent: pred = last range starting at or before offset,
  // succ = first range starting after it.
  Index pred = 0, succ = 0;
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
    Grow(succ, offset, nodes_[succ].end);  // still between pred and succ's successor
  } else {
    const Index n = NewNode(offset, end);
    if (range_count_ == 1) {
      root_[kByStart] = root_[kBySize] = n;  // into empty trees (the arena was full)
    } else {
      Insert<kByStart>(n);
      Insert<kBySize>(n);
    }
  }
  free_size_ += size;
  POOLMEM_ASSERT_EXPENSIVE(Validate());
  return FreeStatus::kOk;
}

void TreapAllocator::Blocks(std::vector<FreeRange>* out) const {
  out->clear();
  out->reserve(range_count_);
  // Iterative in-order walk of the by-start tree.
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

void TreapAllocator::Reset(uint64_t size) {
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
bool TreapAllocator::ValidateTree(Index t, Index lo, Index hi, uint64_t* count) const {
  if (t == 0) return true;
  if (t >= nodes_.size()) return false;
  if (lo != 0 && !Less<Tree>(lo, t)) return false;
  if (hi != 0 && !Less<Tree>(t, hi)) return false;
  for (int dir = 0; dir < 2; ++dir) {
    const Index c = nodes_[t].child[Tree][dir];
    if (c != 0 && nodes_[c].priority > nodes_[t].priority) return false;
  }
  ++*count;
  return ValidateTree<Tree>(nodes_[t].child[Tree][0], lo, t, count) &&
         ValidateTree<Tree>(nodes_[t].child[Tree][1], t, hi, count);
}

bool TreapAllocator::Validate() const {
  uint64_t by_start = 0, by_size = 0;
  if (!ValidateTree<kByStart>(root_[kByStart], 0, 0, &by_start)) return false;
  if (!ValidateTree<kBySize>(root_[kBySize], 0, 0, &by_size)) return false;
  if (by_start != range_count_ || by_size != range_count_) return false;
  std::vector<FreeRange> ranges;
  Blocks(&ranges);
  uint64_t total = 0;
  for (size_t i = 0; i < ranges.size(); ++i) {
    const FreeRange& r = ranges[i];
    if (r.start >= r.end || r.end > size_) return false;          // non-empty, inside
    if (i > 0 && ranges[i - 1].end >= r.start) return false;      // disjoint and merged
    total += r.end - r.start;
  }
  return total == free_size_;
}

}  // namespace poolmem
