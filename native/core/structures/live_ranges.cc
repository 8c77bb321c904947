// LiveRanges: a short sorted vector; partial frees are rare, so one entry is
// the common case and a linear scan is the fastest structure.
#include "structures/live_ranges.h"

namespace poolmem {

FreeStatus LiveRanges::Release(uint64_t offset, uint64_t size) {
  if (offset > size_ || size > size_ - offset) return FreeStatus::kOutOfRange;
  if (size == 0) return FreeStatus::kOk;
  const uint64_t end = offset + size;
  for (size_t i = 0; i < ranges_.size(); ++i) {
    FreeRange r = ranges_[i];
    if (offset < r.start || end > r.end) continue;
    if (offset == r.start && end == r.end) {
      ranges_.erase(ranges_.begin() + static_cast<std::ptrdiff_t>(i));
    } else if (offset == r.start) {
      ranges_[i].start = end;
    } else if (end == r.end) {
      ranges_[i].end = offset;
    } else {
      ranges_[i].end = offset;
      ranges_.insert(ranges_.begin() + static_cast<std::ptrdiff_t>(i) + 1, {end, r.end});
    }
    return FreeStatus::kOk;
  }
  return FreeStatus::kDoubleFree;
}

}  // namespace poolmem
