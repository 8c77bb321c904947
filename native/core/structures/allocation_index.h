// Which ranges of a ScalableAllocator are live allocations, so that
// stats().allocations is exact under partial frees (GoMem's counters drift
// there). Each live allocation is an extent [start, end) in
// one chunk. The newest extent sits in `recent_`, outside the maps: a malloc
// freed before the next malloc (the common use-then-free pattern) costs no
// hash operation at all, whole or trimmed. Older extents are found by their
// start or by their end in O(1): whole frees, front trims and tail trims
// (freeRest) are hash lookups. Only a free in the middle of an older extent,
// or one spanning several, scans (rare; user-built views).
// Invariant: extents are disjoint; each older one is in both maps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "debug.h"
#include "structures/flat_map.h"

namespace poolmem {

class AllocationIndex {
 public:
  // A new live allocation [offset, offset + size) in `chunk`; size >= 1.
  void Add(uint32_t chunk, uint64_t offset, uint64_t size) {
    POOLMEM_ASSERT(size >= 1);
    if (recent_.end != 0) Insert(recent_.chunk, recent_.start, recent_.end);
    recent_ = {chunk, offset, offset + size};
  }
  // [offset, offset + size) of `chunk`, all of it live, is no longer allocated.
  // Extents it empties disappear; extents it cuts keep their remaining parts.
  // Returns the bytes that were part of an extent (size, unless the range
  // covered bytes a strategy reserved beyond a request, e.g. buddy rounding).
  uint64_t Remove(uint32_t chunk, uint64_t offset, uint64_t size) {
    const uint64_t end = offset + size;
    if (chunk != recent_.chunk || offset < recent_.start || end > recent_.end || size == 0) {
      return RemoveOlder(chunk, offset, size);
    }
    if (offset == recent_.start) {
      recent_.start = end;  // whole (then start == end) or front trim
      if (end == recent_.end) recent_ = Extent{};
    } else if (end == recent_.end) {
      recent_.end = offset;  // tail trim
    } else {
      SplitRecent(offset, end);
    }
    return size;
  }
  // Whether every byte of [offset, offset + size) (size >= 1) of `chunk` is
  // inside an extent. O(1) for a range inside the newest extent or starting
  // at an older extent's start or ending at its end; otherwise a scan.
  bool Covers(uint32_t chunk, uint64_t offset, uint64_t size) const;
  // Removes every extent of `chunk` (a retired chunk); returns their bytes.
  // A walk over all extents: rare.
  uint64_t RemoveChunk(uint32_t chunk);
  void Clear();
  uint64_t count() const { return starts_.size() + (recent_.end != 0 ? 1 : 0); }
  // Calls f(chunk, start, end) for every live extent, in no order.
  template <class F> void ForEach(F&& f) const {
    if (recent_.end != 0) f(recent_.chunk, recent_.start, recent_.end);
    starts_.ForEach([&](uint64_t key, uint64_t end) {
      f(static_cast<uint32_t>(key >> 32), key & 0xFFFFFFFFull, end);
    });
  }
  // Sum of live extent sizes, by a full walk (for Validate).
  uint64_t LiveBytes() const;
  // Full walk: both maps describe the same extents, the newest is in neither,
  // and no two extents overlap.
  bool Validate() const;

 private:
  struct Extent {
    uint32_t chunk = 0;
    uint64_t start = 0;
    uint64_t end = 0;  // 0: no recent extent (a live one ends at 1 or later)
  };
  // start key: chunk << 32 | offset (offset < 2^32); end key: chunk << 33 | end (end <= 2^32).
  static uint64_t StartKey(uint32_t chunk, uint64_t offset) { return (uint64_t{chunk} << 32) | offset; }
  static uint64_t EndKey(uint32_t chunk, uint64_t end) { return (uint64_t{chunk} << 33) | end; }
  void Insert(uint32_t chunk, uint64_t start, uint64_t end) {
    starts_.Put(StartKey(chunk, start), end);
    ends_.Put(EndKey(chunk, end), start);
  }
  // A middle free of the recent extent: its upper part joins the maps.
  void SplitRecent(uint64_t offset, uint64_t end);
  // Remove for a range not inside the recent extent.
  uint64_t RemoveOlder(uint32_t chunk, uint64_t offset, uint64_t size);
  uint64_t RemoveSlow(uint32_t chunk, uint64_t start, uint64_t end);

  Extent recent_;
  FlatMap<uint64_t> starts_;  // start key -> end offset
  FlatMap<uint64_t> ends_;    // end key -> start offset
};

}  // namespace poolmem
