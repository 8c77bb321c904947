// The sub-ranges of one allocation that are still allocated, relative to the
// allocation's start. Safe mode keeps one per handed-out ArrayBuffer so that
// partial frees are validated against that allocation alone, and so a GC
// fallback returns exactly the bytes that were never freed.
#pragma once

#include <cstdint>
#include <vector>

#include "strategies/range_strategy.h"

namespace poolmem {

class LiveRanges {
 public:
  explicit LiveRanges(uint64_t size) : size_(size) {
    if (size > 0) ranges_.push_back({0, size});
  }

  // Marks [offset, offset + size) released. kDoubleFree unless the whole
  // range is still live; kOutOfRange past the allocation. Changes nothing on error.
  FreeStatus Release(uint64_t offset, uint64_t size);
  bool empty() const { return ranges_.empty(); }
  uint64_t size() const { return size_; }
  uint64_t live_bytes() const {
    uint64_t bytes = 0;
    for (const FreeRange& r : ranges_) bytes += r.end - r.start;
    return bytes;
  }
  const std::vector<FreeRange>& ranges() const { return ranges_; }

 private:
  uint64_t size_;
  std::vector<FreeRange> ranges_;  // ascending, disjoint; usually one entry
};

}  // namespace poolmem
