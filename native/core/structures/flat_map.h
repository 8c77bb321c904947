// FlatMap: open addressing with linear probing from uint64 keys (granule
// indices, chunk-tagged offsets) to small values. Keys and values sit side by
// side (one cache line per probe) and the hot operations are inline.
// Deletion shifts the following entries back, so there are no tombstones and
// lookups stay short at load <= 1/2. UINT64_MAX is reserved as the empty key.
// Pointers returned by Find are valid until the next Insert, Put or Erase.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "debug.h"

namespace poolmem {

template <class V>
class FlatMap {
 public:
  static constexpr uint64_t kEmpty = UINT64_MAX;

  FlatMap() { Clear(); }

  // Empty again; a large table shrinks back to the initial 16 slots.
  void Clear() {
    if (slots_.empty() || slots_.size() > 64) {
      slots_.assign(16, Slot{kEmpty, V{}});
      shift_ = 64 - 4;
    } else {
      for (Slot& s : slots_) s.key = kEmpty;
    }
    count_ = 0;
  }

  uint64_t size() const { return count_; }

  V* Find(uint64_t key) {
    const uint64_t i = SlotOf(key);
    return i == kAbsent ? nullptr : &slots_[i].value;
  }
  const V* Find(uint64_t key) const { return const_cast<FlatMap*>(this)->Find(key); }

  // The key must be absent.
  V* Insert(uint64_t key, V value) {
    if ((count_ + 1) * 2 > slots_.size()) Grow();
    ++count_;
    return Place(key, std::move(value));
  }

  // Inserts or overwrites.
  void Put(uint64_t key, V value) {
    POOLMEM_ASSERT(key != kEmpty);
    if ((count_ + 1) * 2 > slots_.size()) Grow();
    uint64_t i = Home(key);
    while (slots_[i].key != kEmpty && slots_[i].key != key) i = (i + 1) & Mask();
    if (slots_[i].key == kEmpty) {
      slots_[i].key = key;
      ++count_;
    }
    slots_[i].value = std::move(value);
  }

  // Returns false when the key is absent.
  bool Erase(uint64_t key) {
    const uint64_t i = SlotOf(key);
    if (i == kAbsent) return false;
    EraseSlot(i);
    return true;
  }

  // Erase that also hands back the value: one probe where Find + Erase take two.
  bool Take(uint64_t key, V* value) {
    const uint64_t i = SlotOf(key);
    if (i == kAbsent) return false;
    *value = std::move(slots_[i].value);
    EraseSlot(i);
    return true;
  }

  // Erases the entry whose value Find just returned, without probing again.
  void EraseFound(V* value) {
    const auto* slot = reinterpret_cast<const Slot*>(reinterpret_cast<const char*>(value) - offsetof(Slot, value));
    EraseSlot(static_cast<uint64_t>(slot - slots_.data()));
  }

  template <class F>
  void ForEach(F&& f) const {
    for (const Slot& s : slots_) {
      if (s.key != kEmpty) f(s.key, s.value);
    }
  }

 private:
  struct Slot {
    uint64_t key;
    V value;
  };

  static constexpr uint64_t kAbsent = UINT64_MAX;

  // The key's slot, or kAbsent.
  uint64_t SlotOf(uint64_t key) const {
    for (uint64_t i = Home(key);; i = (i + 1) & Mask()) {
      if (slots_[i].key == key) return i;
      if (slots_[i].key == kEmpty) return kAbsent;
    }
  }

  void EraseSlot(uint64_t i) {
    // Backward shift: move each later entry of the cluster into the hole
    // unless its home lies cyclically in (hole, position].
    for (uint64_t j = (i + 1) & Mask(); slots_[j].key != kEmpty; j = (j + 1) & Mask()) {
      const uint64_t home = Home(slots_[j].key);
      if (((j - home) & Mask()) >= ((j - i) & Mask())) {
        slots_[i] = std::move(slots_[j]);
        i = j;
      }
    }
    slots_[i].key = kEmpty;
    --count_;
  }

  uint64_t Mask() const { return slots_.size() - 1; }
  // Fibonacci hashing: consecutive granule indices spread over the table.
  uint64_t Home(uint64_t key) const { return (key * 0x9e3779b97f4a7c15ull) >> shift_; }

  V* Place(uint64_t key, V value) {
    uint64_t i = Home(key);
    while (slots_[i].key != kEmpty) i = (i + 1) & Mask();
    slots_[i] = Slot{key, std::move(value)};
    return &slots_[i].value;
  }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.size() * 2, Slot{kEmpty, V{}});
    --shift_;
    for (Slot& s : old) {
      if (s.key != kEmpty) Place(s.key, std::move(s.value));
    }
  }

  std::vector<Slot> slots_;
  int shift_ = 60;
  uint64_t count_ = 0;
};

}  // namespace poolmem
