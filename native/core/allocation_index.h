// Which ranges of a ScalableAllocator are live allocations, so that
// stats().allocations is exact under partial frees (GoMem's counters drift,
// gomem-behaviour.md 7.5). Each live allocation is an extent [start, end) in
// one chunk, found by its start or by its end in O(1): whole frees, front
// trims and tail trims (freeRest) are all hash lookups. Only a free in the
// middle of one allocation, or one spanning several, scans (rare; user-built
// views). Invariant: extents are disjoint and each is in both maps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace poolmem {

// Open-addressing uint64 -> uint64 map (linear probing, backward-shift
// deletion, load <= 1/2). Key ~0 is reserved as the empty marker.
class U64Map {
 public:
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  U64Map() { Rehash(16); }

  // Value pointer or nullptr.
  uint64_t* Find(uint64_t key) {
    for (size_t i = Slot(key);; i = (i + 1) & mask_) {
      if (keys_[i] == key) return &values_[i];
      if (keys_[i] == kEmpty) return nullptr;
    }
  }
  void Put(uint64_t key, uint64_t value);  // inserts or overwrites
  bool Erase(uint64_t key);
  void Clear();
  size_t size() const { return size_; }
  template <class F> void ForEach(F&& f) const {
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (keys_[i] != kEmpty) f(keys_[i], values_[i]);
    }
  }

 private:
  size_t Slot(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  void Rehash(size_t capacity);

  std::vector<uint64_t> keys_;
  std::vector<uint64_t> values_;
  size_t mask_ = 0;
  int shift_ = 0;
  size_t size_ = 0;
};

class AllocationIndex {
 public:
  // A new live allocation [offset, offset + size) in `chunk`; size >= 1.
  void Add(uint32_t chunk, uint64_t offset, uint64_t size);
  // [offset, offset + size) of `chunk`, all of it live, is no longer allocated.
  // Extents it empties disappear; extents it cuts keep their remaining parts.
  // Returns the bytes that were part of an extent (size, unless the range
  // covered bytes a strategy reserved beyond a request, e.g. buddy rounding).
  uint64_t Remove(uint32_t chunk, uint64_t offset, uint64_t size);
  void Clear();
  uint64_t count() const { return starts_.size(); }
  // Sum of live extent sizes, by a full walk (for Validate).
  uint64_t LiveBytes() const;

 private:
  // start key: chunk << 32 | offset (offset < 2^32); end key: chunk << 33 | end (end <= 2^32).
  static uint64_t StartKey(uint32_t chunk, uint64_t offset) { return (uint64_t{chunk} << 32) | offset; }
  static uint64_t EndKey(uint32_t chunk, uint64_t end) { return (uint64_t{chunk} << 33) | end; }
  void Insert(uint32_t chunk, uint64_t start, uint64_t end);
  uint64_t RemoveSlow(uint32_t chunk, uint64_t start, uint64_t end);

  U64Map starts_;  // start key -> end offset
  U64Map ends_;    // end key -> start offset
};

}  // namespace poolmem
