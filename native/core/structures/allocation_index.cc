// AllocationIndex's paths for older extents. The hot cases on an
// older extent (whole free, front or tail trim) are two or three hash
// operations; everything else takes RemoveSlow.
#include "structures/allocation_index.h"

#include <algorithm>

#include "debug.h"

namespace poolmem {

// ---- AllocationIndex ------------------------------------------------------

void AllocationIndex::SplitRecent(uint64_t offset, uint64_t end) {
  Insert(recent_.chunk, end, recent_.end);
  recent_.end = offset;
}

uint64_t AllocationIndex::RemoveOlder(uint32_t chunk, uint64_t offset, uint64_t size) {
  if (size == 0) return 0;
  const uint64_t end = offset + size;
  if (recent_.end != 0 && chunk == recent_.chunk && offset < recent_.end && recent_.start < end) {
    // Cuts the recent extent and more: it joins the maps and the paths below.
    Insert(recent_.chunk, recent_.start, recent_.end);
    recent_ = Extent{};
  }
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

bool AllocationIndex::Covers(uint32_t chunk, uint64_t offset, uint64_t size) const {
  const uint64_t end = offset + size;
  if (chunk == recent_.chunk && recent_.start <= offset && end <= recent_.end) return true;
  if (const uint64_t* extent_end = starts_.Find(StartKey(chunk, offset)); extent_end != nullptr && end <= *extent_end) {
    return true;
  }
  if (const uint64_t* start = ends_.Find(EndKey(chunk, end)); start != nullptr && *start <= offset) return true;
  // A range over several adjacent extents, or inside an older one away from
  // both of its ends, takes the walk.
  struct Piece { uint64_t start, end; };
  std::vector<Piece> pieces;
  ForEach([&](uint32_t c, uint64_t s, uint64_t e) {
    if (c == chunk && s < end && offset < e) pieces.push_back({s, e});
  });
  std::sort(pieces.begin(), pieces.end(), [](const Piece& a, const Piece& b) { return a.start < b.start; });
  uint64_t cursor = offset;
  for (const Piece& p : pieces) {
    if (p.start > cursor) return false;
    cursor = std::max(cursor, p.end);
  }
  return cursor >= end;
}

uint64_t AllocationIndex::RemoveChunk(uint32_t chunk) {
  std::vector<Extent> doomed;
  ForEach([&](uint32_t c, uint64_t start, uint64_t end) {
    if (c == chunk) doomed.push_back({c, start, end});
  });
  uint64_t bytes = 0;
  for (const Extent& e : doomed) bytes += Remove(chunk, e.start, e.end - e.start);
  return bytes;
}

void AllocationIndex::Clear() {
  recent_ = Extent{};
  starts_.Clear();
  ends_.Clear();
}

uint64_t AllocationIndex::LiveBytes() const {
  uint64_t total = 0;
  ForEach([&](uint32_t, uint64_t start, uint64_t end) { total += end - start; });
  return total;
}

bool AllocationIndex::Validate() const {
  if (recent_.end != 0 && recent_.start >= recent_.end) return false;
  if (recent_.end == 0 && (recent_.start != 0 || recent_.chunk != 0)) return false;
  if (ends_.size() != starts_.size()) return false;
  std::vector<Extent> all;
  bool ok = true;
  ForEach([&](uint32_t chunk, uint64_t start, uint64_t end) {
    all.push_back({chunk, start, end});
    if (start >= end || end > (uint64_t{1} << 32)) ok = false;
  });
  starts_.ForEach([&](uint64_t key, uint64_t end) {
    const uint32_t chunk = static_cast<uint32_t>(key >> 32);
    const uint64_t* start = ends_.Find(EndKey(chunk, end));
    if (start == nullptr || *start != (key & 0xFFFFFFFFull)) ok = false;
  });
  std::sort(all.begin(), all.end(), [](const Extent& a, const Extent& b) {
    return a.chunk != b.chunk ? a.chunk < b.chunk : a.start < b.start;
  });
  for (size_t i = 1; i < all.size(); ++i) {
    if (all[i].chunk == all[i - 1].chunk && all[i].start < all[i - 1].end) ok = false;
  }
  return ok;
}

}  // namespace poolmem
