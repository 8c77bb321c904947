// SlotTable: values under ids that JS can hold. An id is slot + generation *
// Slots: a freed slot is reused under the next generation, so a stale or
// forged id finds nothing rather than another value, and every id is an
// integer below IdLimit (2^53: exact as a JS number); a slot retires when its
// ids run out. Values are nullable owners (unique_ptr, shared_ptr): null marks
// a free slot. Not synchronized: the owner locks (ProcessAllocator) or is
// single-threaded (the addon's handles).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace poolmem {

template <class T, uint64_t Slots, uint64_t IdLimit = uint64_t{1} << 53>
class SlotTable {
 public:
  static constexpr uint64_t kSlots = Slots;
  static constexpr uint64_t kIdLimit = IdLimit;
  static_assert(Slots <= (uint64_t{1} << 32) && Slots <= IdLimit / Slots && 2 * Slots <= IdLimit);

  static uint32_t SlotOf(uint64_t id) { return static_cast<uint32_t>(id % kSlots); }

  // Stores a non-null value; false (and no change: value is left with the
  // caller) when every slot is in use.
  bool Add(T&& value, uint64_t* id) {
    uint32_t slot;
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
    } else if (entries_.size() < kSlots) {
      slot = static_cast<uint32_t>(entries_.size());
      entries_.emplace_back();
    } else {
      return false;
    }
    entries_[slot].value = std::move(value);
    *id = IdOf(slot);
    return true;
  }

  // The live value under `id`, or nullptr.
  T* Find(uint64_t id) {
    const uint64_t slot = id % kSlots;
    if (slot >= entries_.size()) return nullptr;
    Entry& e = entries_[slot];
    return e.value && e.generation == id / kSlots ? &e.value : nullptr;
  }

  // The value in a slot known to be live, and that slot's current id.
  T& At(uint32_t slot) { return entries_[slot].value; }
  const T& At(uint32_t slot) const { return entries_[slot].value; }
  uint64_t IdOf(uint32_t slot) const { return entries_[slot].generation * kSlots + slot; }

  // Takes the value out of a live slot and returns it (the caller decides
  // when it is destroyed); its id finds nothing from now on. A slot whose
  // next id would reach IdLimit retires instead of being reused (the LIFO
  // free list hands a create/close loop the same slot every time, and past
  // 2^53 an id is no longer exact as a JS number).
  T Remove(uint32_t slot) {
    Entry& e = entries_[slot];
    T value = std::move(e.value);
    e.value = T();
    ++e.generation;
    if (IdOf(slot) < IdLimit) {
      free_slots_.push_back(slot);
    } else {
      ++retired_;
    }
    return value;
  }

  // Slots ever used, and how many of them are free or retired: for invariant checks.
  uint64_t slots_used() const { return entries_.size(); }
  uint64_t free_slots() const { return free_slots_.size(); }
  uint64_t retired_slots() const { return retired_; }

 private:
  struct Entry {
    T value{};
    uint64_t generation = 1;
  };
  std::vector<Entry> entries_;
  std::vector<uint32_t> free_slots_;
  uint64_t retired_ = 0;  // slots whose ids ran out: never reused
};

}  // namespace poolmem
