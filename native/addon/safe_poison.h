// Safe mode's freed-memory pattern. free() overwrites freed bytes with it, and
// they stay held (never handed out again) until the allocation's ArrayBuffer
// has been collected, so a use after free (a kept view, a socket write still
// in flight or queued) reads or sends this byte, never another owner's data.
// 0xDF is mimalloc's freed-memory byte: not ASCII, not a valid UTF-8 start.
#pragma once

#include <cstdint>
#include <cstring>

namespace poolmem::addon {

inline constexpr uint8_t kSafePoison = 0xDF;

inline void Poison(uint8_t* data, uint64_t size) {
  if (size != 0) std::memset(data, kSafePoison, static_cast<size_t>(size));
}

}  // namespace poolmem::addon
