// U64Map and AllocationIndex. The hot cases (whole free, front or tail trim)
// are two or three hash operations; everything else takes RemoveSlow.
#include "allocation_index.h"

#include <algorithm>

#include "debug.h"

namespace poolmem {

// ---- U64Map -------------------------------------------------------------

void U64Map::Rehash(size_t capacity) {
  std::vector<Entry> old = std::move(entries_);
  entries_.assign(capacity, Entry{kEmpty, 0});
  mask_ = capacity - 1;
  shift_ = 64;
  for (size_t c = capacity; c > 1; c >>= 1) --shift_;
  size_ = 0;
  for (const Entry& e : old) {
    if (e.key != kEmpty) Put(e.key, e.value);
  }
}

void U64Map::Clear() {
  if (entries_.size() > 64) {
    entries_.clear();
    Rehash(16);
    return;
  }
  entries_.assign(entries_.size(), Entry{kEmpty, 0});
  size_ = 0;
}

// ---- AllocationIndex ------------------------------------------------------

uint64_t AllocationIndex::Remove(uint32_t chunk, uint64_t offset, uint64_t size) {
  if (size == 0) return 0;
  const uint64_t end = offset + size;
  uint64_t extent_end;
  if (starts_.Take(StartKey(chunk, offset), &extent_end)) {
    if (extent_end == end) {  // the whole allocation
      ends_.Erase(EndKey(chunk, end));
      return size;
    }
    if (extent_end > end) {  // front trim
      starts_.Put(StartKey(chunk, end), extent_end);
      ends_.Put(EndKey(chunk, extent_end), end);
      return size;
    }
    starts_.Put(StartKey(chunk, offset), extent_end);  // spans several: put it back for RemoveSlow
  } else if (uint64_t* found_end = ends_.Find(EndKey(chunk, end))) {
    const uint64_t extent_start = *found_end;
    if (extent_start < offset) {  // tail trim (freeRest)
      ends_.Erase(EndKey(chunk, end));
      ends_.Put(EndKey(chunk, offset), extent_start);
      starts_.Put(StartKey(chunk, extent_start), offset);
      return size;
    }
  }
  return RemoveSlow(chunk, offset, end);
}

uint64_t AllocationIndex::RemoveSlow(uint32_t chunk, uint64_t start, uint64_t end) {
  struct Extent { uint64_t start, end; };
  std::vector<Extent> hit;
  starts_.ForEach([&](uint64_t key, uint64_t extent_end) {
    if ((key >> 32) != chunk) return;
    const uint64_t extent_start = key & 0xFFFFFFFFull;
    if (extent_start < end && start < extent_end) hit.push_back({extent_start, extent_end});
  });
  uint64_t removed = 0;
  for (const Extent& e : hit) {
    removed += std::min(end, e.end) - std::max(start, e.start);
    starts_.Erase(StartKey(chunk, e.start));
    ends_.Erase(EndKey(chunk, e.end));
    if (e.start < start) Insert(chunk, e.start, start);
    if (end < e.end) Insert(chunk, end, e.end);
  }
  return removed;
}

void AllocationIndex::Clear() {
  starts_.Clear();
  ends_.Clear();
}

uint64_t AllocationIndex::LiveBytes() const {
  uint64_t total = 0;
  starts_.ForEach([&](uint64_t key, uint64_t end) { total += end - (key & 0xFFFFFFFFull); });
  return total;
}

}  // namespace poolmem
