// What both granule strategies (buddy, first-fit) share: they hand out whole
// granules of a power-of-two size and keep a few bits per granule in bitmaps,
// whose length kMaxGranuleCount bounds.
#pragma once

#include <bit>
#include <cstdint>

#include "strategies/range_strategy.h"

namespace poolmem {

inline constexpr uint64_t kMinGranule = 16;
inline constexpr uint64_t kMaxGranule = uint64_t{1} << 30;
inline constexpr uint64_t kMaxGranuleCount = uint64_t{1} << 28;

// True when `granule` is a power of two in [kMinGranule, kMaxGranule] and
// `size` holds at most kMaxGranuleCount of them.
inline bool GranuleFits(uint64_t size, uint64_t granule) {
  if (!std::has_single_bit(granule) || granule < kMinGranule || granule > kMaxGranule) return false;
  return (size >> std::countr_zero(granule)) <= kMaxGranuleCount;
}

// The base of both: the arena's size, the granule, and how many whole
// granules the size holds (the tail below one granule is never handed out).
class GranuleStrategy : public RangeStrategy {
 public:
  // True when (size, granule) can be built.
  static bool Supports(uint64_t size, uint64_t granule) { return GranuleFits(size, granule); }

  uint64_t Size() const final { return size_; }
  uint64_t Granule() const final { return uint64_t{1} << shift_; }

 protected:
  explicit GranuleStrategy(uint64_t granule) : shift_(static_cast<unsigned>(std::countr_zero(granule))) {}

  // Reset()'s first step.
  void SetSize(uint64_t size) {
    size_ = size;
    granules_ = size >> shift_;
  }

  uint64_t size_ = 0;
  const unsigned shift_;
  uint64_t granules_ = 0;
};

}  // namespace poolmem
