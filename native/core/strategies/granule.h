// The limits both granule strategies (buddy, first-fit) share: they hand out
// whole granules of a power-of-two size and keep a few bits per granule in
// bitmaps, whose length kMaxGranuleCount bounds.
#pragma once

#include <bit>
#include <cstdint>

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

}  // namespace poolmem
