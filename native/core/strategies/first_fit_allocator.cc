// First-fit allocator: see first_fit_allocator.h. The list is circular
// through the sentinel node 0, so the lowest range is nodes_[0].next and a
// new range with no free range after it goes before the sentinel. Every
// change to a range's end or length goes through Grew or Cut, which keep
// longest_ exact.
#include "strategies/first_fit_allocator.h"

#include <algorithm>
#include <bit>

#include "debug.h"

namespace poolmem {

FirstFitAllocator::FirstFitAllocator(uint64_t size, uint64_t granule)
    : GranuleStrategy(granule) {
  POOLMEM_ASSERT(Supports(size, granule));
  Reset(size);
}

void FirstFitAllocator::Reset(uint64_t size) {
  SetSize(size);
  free_size_ = 0;
  nodes_.assign(1, Node{0, 0, 0, 0});
  free_nodes_.clear();
  ends_.Reset(granules_);
  by_end_.Clear();
  longest_.Reset((granules_ + (uint64_t{1} << kBucketShift) - 1) >> kBucketShift);
  runs_.Reset(shift_, granules_);
  if (granules_ > 0) ReleaseGranules(0, granules_);
}

// ---------------------------------------------------------------------------
// List and node storage
// ---------------------------------------------------------------------------

FirstFitAllocator::Index FirstFitAllocator::NewNode(uint64_t start, uint64_t end) {
  Index n;
  if (!free_nodes_.empty()) {
    n = free_nodes_.back();
    free_nodes_.pop_back();
  } else {
    n = static_cast<Index>(nodes_.size());
    nodes_.push_back({});
  }
  nodes_[n] = Node{start, end, 0, 0};
  return n;
}

void FirstFitAllocator::Unlink(Index n) {
  nodes_[nodes_[n].prev].next = nodes_[n].next;
  nodes_[nodes_[n].next].prev = nodes_[n].prev;
  free_nodes_.push_back(n);
}

// ---------------------------------------------------------------------------
// The index: longest_ over buckets of 64 granules
// ---------------------------------------------------------------------------

// Ranges are disjoint, so list order is also end order and a bucket's ranges
// are adjacent in the list: the walk stops at the first range outside it.
uint32_t FirstFitAllocator::Longest(uint64_t b, Index down, Index up) const {
  uint64_t longest = 0;
  for (Index i = down; i != 0 && Bucket(i) == b; i = nodes_[i].prev) longest = std::max(longest, Length(i));
  for (Index i = up; i != 0 && Bucket(i) == b; i = nodes_[i].next) longest = std::max(longest, Length(i));
  return static_cast<uint32_t>(longest);  // <= kMaxGranules
}

void FirstFitAllocator::Grew(Index n) {
  const uint64_t b = Bucket(n);
  const uint64_t length = Length(n);
  if (length > longest_.Get(b)) longest_.Set(b, static_cast<uint32_t>(length));
}

// Only a cut of the bucket's longest range changes the leaf; then the other
// ranges of the bucket (at most 32: each holds a granule and is followed by
// a live one) say what it becomes.
void FirstFitAllocator::Cut(uint64_t b, uint64_t length, Index down, Index up) {
  if (length == longest_.Get(b)) longest_.Set(b, Longest(b, down, up));
}

// The lowest range holding `need` granules, or 0. The lowest range itself is
// tried first: with few holes (a pool's usual state) it is the answer at the
// cost of one compare.
FirstFitAllocator::Index FirstFitAllocator::FirstFit(uint64_t need) const {
  const Index lowest = nodes_[0].next;
  if (lowest != 0 && Length(lowest) >= need) return lowest;
  const uint64_t b = longest_.FirstAtLeast(static_cast<uint32_t>(need));  // need <= kMaxGranules
  if (b == MaxTree::kNone) return 0;
  // Some range ending in bucket b holds `need`, and none before it does.
  Index i = *by_end_.Find(ends_.Next(b << kBucketShift) + 1);
  while (Length(i) < need) i = nodes_[i].next;
  return i;
}

// [start, end) holds no live byte any more: merge it with the free ranges
// that end at start or begin at end, or link a new range in address order.
void FirstFitAllocator::ReleaseGranules(uint64_t start, uint64_t end) {
  const Index left = start > 0 && ends_.Test(start - 1) ? *by_end_.Find(start) : 0;
  Index right = 0, after = 0;  // after: the first free range past `end`
  const Index last = nodes_[0].prev;  // the highest range, often the arena's tail
  if (last != 0 && nodes_[last].start >= end) {
    Index c = last;
    if (nodes_[last].start != end) {
      const uint64_t e = ends_.Next(end);
      c = *by_end_.Find(e + 1);
    }
    (nodes_[c].start == end ? right : after) = c;
  }
  // Grew before Cut: when both touch one bucket, the grown range already
  // outgrows the cut one and Cut has nothing to redo.
  if (left != 0 && right != 0) {
    const uint64_t left_length = Length(left);
    nodes_[right].start = nodes_[left].start;
    by_end_.Erase(start);
    ends_.Clear(start - 1);
    Unlink(left);
    Grew(right);
    Cut((start - 1) >> kBucketShift, left_length, nodes_[left].prev, right);
  } else if (left != 0) {
    const uint64_t left_length = Length(left);
    by_end_.Erase(start);
    ends_.Clear(start - 1);
    nodes_[left].end = end;
    by_end_.Insert(end, left);
    ends_.Set(end - 1);
    Grew(left);
    Cut((start - 1) >> kBucketShift, left_length, nodes_[left].prev, left);
  } else if (right != 0) {
    nodes_[right].start = start;
    Grew(right);
  } else {
    const Index n = NewNode(start, end);
    nodes_[n].next = after;  // after == 0: the sentinel, so n becomes the last range
    nodes_[n].prev = nodes_[after].prev;
    nodes_[nodes_[after].prev].next = n;
    nodes_[after].prev = n;
    by_end_.Insert(end, n);
    ends_.Set(end - 1);
    Grew(n);
  }
  free_size_ += (end - start) << shift_;
}

// ---------------------------------------------------------------------------
// RangeStrategy
// ---------------------------------------------------------------------------

int64_t FirstFitAllocator::Find(uint64_t size) const {
  const uint64_t need = GranulesFor(size);
  if (need == 0) return kNoFit;
  const Index n = FirstFit(need);
  return n == 0 ? kNoFit : static_cast<int64_t>(nodes_[n].start << shift_);
}

int64_t FirstFitAllocator::Allocate(uint64_t size) {
  const uint64_t need = GranulesFor(size);
  if (need == 0) return kNoFit;
  const Index n = FirstFit(need);
  if (n == 0) return kNoFit;
  Node& node = nodes_[n];
  const uint64_t start = node.start;
  const uint64_t length = node.end - start;
  const uint64_t b = Bucket(n);
  if (length == need) {
    by_end_.Erase(node.end);
    ends_.Clear(node.end - 1);
    Unlink(n);
    Cut(b, length, node.prev, node.next);
  } else {
    node.start += need;  // keyed by end, so nothing else moves
    Cut(b, length, n, node.next);
  }
  free_size_ -= need << shift_;
  runs_.Add(start << shift_, size);
  POOLMEM_ASSERT_EXPENSIVE(Validate());
  return static_cast<int64_t>(start << shift_);
}

FreeStatus FirstFitAllocator::Free(uint64_t offset, uint64_t size) {
  const FreeStatus status =
      runs_.Free(size_, offset, size, [this](uint64_t start, uint64_t end) { ReleaseGranules(start, end); });
  POOLMEM_ASSERT_EXPENSIVE(Validate());
  return status;
}

void FirstFitAllocator::Blocks(std::vector<FreeRange>* out) const {
  out->clear();
  out->reserve(by_end_.size());
  for (Index i = nodes_[0].next; i != 0; i = nodes_[i].next) {
    out->push_back({nodes_[i].start << shift_, nodes_[i].end << shift_});
  }
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

bool FirstFitAllocator::Validate() const {
  std::vector<GranuleRange> pieces;
  uint64_t total = 0, count = 0, previous_end = 0;
  Index previous = 0;
  for (Index i = nodes_[0].next; i != 0; i = nodes_[i].next) {
    if (i >= nodes_.size() || nodes_[i].prev != previous || ++count > nodes_.size()) return false;
    const Node& n = nodes_[i];
    if (n.start >= n.end || n.end > granules_) return false;
    if (count > 1 && previous_end >= n.start) return false;  // ascending and merged
    const Index* mapped = by_end_.Find(n.end);
    if (mapped == nullptr || *mapped != i || !ends_.Test(n.end - 1)) return false;
    pieces.push_back({n.start, n.end});
    total += n.end - n.start;
    previous_end = n.end;
    previous = i;
  }
  if (nodes_[0].prev != previous) return false;
  if (count != by_end_.size() || count != ends_.count() || !ends_.Consistent()) return false;
  std::vector<uint32_t> longest(longest_.leaves(), 0);  // recomputed from the list
  for (Index i = nodes_[0].next; i != 0; i = nodes_[i].next) {
    longest[Bucket(i)] = std::max(longest[Bucket(i)], static_cast<uint32_t>(Length(i)));
  }
  for (uint64_t b = 0; b < longest.size(); ++b) {
    if (longest_.Get(b) != longest[b]) return false;
  }
  if (!longest_.Consistent()) return false;
  if ((total << shift_) != free_size_) return false;
  std::vector<GranuleRange> runs;
  runs_.Runs(&runs);
  pieces.insert(pieces.end(), runs.begin(), runs.end());
  std::sort(pieces.begin(), pieces.end(), [](const GranuleRange& a, const GranuleRange& b) { return a.start < b.start; });
  uint64_t cursor = 0;  // free ranges and runs tile [0, granules_) exactly
  for (const GranuleRange& p : pieces) {
    if (p.start != cursor) return false;
    cursor = p.end;
  }
  return cursor == granules_ && runs_.Validate();
}

}  // namespace poolmem
