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

namespace poolmem {

// Open-addressing uint64 -> uint64 map (linear probing, backward-shift
// deletion, load <= 1/2). Key ~0 is reserved as the empty marker. Keys and
// values sit side by side (one cache line per probe) and the hot operations
// are inline: a malloc+free pair on an older extent makes four of them
// (the ScalableAllocator speed budget).
class U64Map {
 public:
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  U64Map() { Rehash(16); }

  // Value pointer or nullptr.
  uint64_t* Find(uint64_t key) {
    for (size_t i = Slot(key);; i = (i + 1) & mask_) {
      if (entries_[i].key == key) return &entries_[i].value;
      if (entries_[i].key == kEmpty) return nullptr;
    }
  }
  const uint64_t* Find(uint64_t key) const { return const_cast<U64Map*>(this)->Find(key); }
  // Inserts or overwrites.
  void Put(uint64_t key, uint64_t value) {
    POOLMEM_ASSERT(key != kEmpty);
    if ((size_ + 1) * 2 > entries_.size()) Rehash(entries_.size() * 2);
    size_t i = Slot(key);
    while (entries_[i].key != kEmpty && entries_[i].key != key) i = (i + 1) & mask_;
    if (entries_[i].key == kEmpty) {
      entries_[i].key = key;
      ++size_;
    }
    entries_[i].value = value;
  }
  bool Erase(uint64_t key) {
    uint64_t unused;
    return Take(key, &unused);
  }
  // Erase that also hands back the value: one probe where Find + Erase take two.
  bool Take(uint64_t key, uint64_t* value) {
    size_t i = Slot(key);
    while (entries_[i].key != key) {
      if (entries_[i].key == kEmpty) return false;
      i = (i + 1) & mask_;
    }
    *value = entries_[i].value;
    EraseAt(i);
    return true;
  }
  void Clear();
  size_t size() const { return size_; }
  template <class F> void ForEach(F&& f) const {
    for (const Entry& e : entries_) {
      if (e.key != kEmpty) f(e.key, e.value);
    }
  }

 private:
  struct Entry {
    uint64_t key;
    uint64_t value;
  };
  size_t Slot(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  // Backward shift: pulls later entries of the probe run into the hole at i.
  void EraseAt(size_t i) {
    for (size_t j = (i + 1) & mask_; entries_[j].key != kEmpty; j = (j + 1) & mask_) {
      const size_t home = Slot(entries_[j].key);
      // Move j into i when its home is not in the cyclic range (i, j].
      const bool stays = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
      if (!stays) {
        entries_[i] = entries_[j];
        i = j;
      }
    }
    entries_[i].key = kEmpty;
    --size_;
  }
  void Rehash(size_t capacity);

  std::vector<Entry> entries_;
  size_t mask_ = 0;
  int shift_ = 0;
  size_t size_ = 0;
};

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
  U64Map starts_;  // start key -> end offset
  U64Map ends_;    // end key -> start offset
};

}  // namespace poolmem
