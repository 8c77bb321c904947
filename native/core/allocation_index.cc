// U64Map and AllocationIndex. The hot cases (whole free, front or tail trim)
// are two or three hash operations; everything else takes RemoveSlow.
#include "allocation_index.h"

#include <algorithm>

#include "debug.h"

namespace poolmem {

// ---- U64Map -------------------------------------------------------------

void U64Map::Rehash(size_t capacity) {
  std::vector<uint64_t> old_keys = std::move(keys_);
  std::vector<uint64_t> old_values = std::move(values_);
  keys_.assign(capacity, kEmpty);
  values_.assign(capacity, 0);
  mask_ = capacity - 1;
  shift_ = 64;
  for (size_t c = capacity; c > 1; c >>= 1) --shift_;
  size_ = 0;
  for (size_t i = 0; i < old_keys.size(); ++i) {
    if (old_keys[i] != kEmpty) Put(old_keys[i], old_values[i]);
  }
}

void U64Map::Put(uint64_t key, uint64_t value) {
  POOLMEM_ASSERT(key != kEmpty);
  if ((size_ + 1) * 2 > keys_.size()) Rehash(keys_.size() * 2);
  size_t i = Slot(key);
  while (keys_[i] != kEmpty && keys_[i] != key) i = (i + 1) & mask_;
  if (keys_[i] == kEmpty) {
    keys_[i] = key;
    ++size_;
  }
  values_[i] = value;
}

bool U64Map::Erase(uint64_t key) {
  size_t i = Slot(key);
  while (keys_[i] != key) {
    if (keys_[i] == kEmpty) return false;
    i = (i + 1) & mask_;
  }
  // Backward shift: pull later entries of the probe run into the hole.
  for (size_t j = (i + 1) & mask_; keys_[j] != kEmpty; j = (j + 1) & mask_) {
    const size_t home = Slot(keys_[j]);
    // Move j into i when its home is not in the cyclic range (i, j].
    const bool stays = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
    if (!stays) {
      keys_[i] = keys_[j];
      values_[i] = values_[j];
      i = j;
    }
  }
  keys_[i] = kEmpty;
  --size_;
  return true;
}

void U64Map::Clear() {
  if (keys_.size() > 64) {
    keys_.clear();
    values_.clear();
    Rehash(16);
    return;
  }
  keys_.assign(keys_.size(), kEmpty);
  size_ = 0;
}

// ---- AllocationIndex ------------------------------------------------------

void AllocationIndex::Insert(uint32_t chunk, uint64_t start, uint64_t end) {
  starts_.Put(StartKey(chunk, start), end);
  ends_.Put(EndKey(chunk, end), start);
}

void AllocationIndex::Add(uint32_t chunk, uint64_t offset, uint64_t size) {
  POOLMEM_ASSERT(size >= 1);
  Insert(chunk, offset, offset + size);
}

uint64_t AllocationIndex::Remove(uint32_t chunk, uint64_t offset, uint64_t size) {
  if (size == 0) return 0;
  const uint64_t end = offset + size;
  if (uint64_t* found = starts_.Find(StartKey(chunk, offset))) {
    const uint64_t extent_end = *found;
    if (extent_end == end) {  // the whole allocation
      starts_.Erase(StartKey(chunk, offset));
      ends_.Erase(EndKey(chunk, end));
      return size;
    }
    if (extent_end > end) {  // front trim
      starts_.Erase(StartKey(chunk, offset));
      starts_.Put(StartKey(chunk, end), extent_end);
      ends_.Put(EndKey(chunk, extent_end), end);
      return size;
    }
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
