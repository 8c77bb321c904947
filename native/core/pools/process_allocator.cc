// ProcessAllocator: arenas, first fit across them, and unmapping on the last free.
#include "pools/process_allocator.h"

#include <algorithm>

#include "debug.h"

namespace poolmem {

namespace {
constexpr uint64_t kPage = 4096;  // arena sizes are page multiples; the kernel's page may be larger
}

ProcessAllocator::ProcessAllocator(StrategyKind kind, uint64_t arena_size, uint64_t max_spare)
    : kind_(kind), arena_size_(std::max<uint64_t>(RoundUp(arena_size), kAlign)), max_spare_(max_spare) {
  POOLMEM_ASSERT(kind == StrategyKind::kFirstFit || kind == StrategyKind::kBuddy);  // granule strategies only
}

ProcessAllocator& ProcessAllocator::Global() {
  static ProcessAllocator* global =
      new ProcessAllocator(StrategyKind::kFirstFit, kDefaultArenaSize, kDefaultMaxSpare);
  return *global;
}

// ---- allocation ----------------------------------------------------------------

// The lock is never held across a system call: mapping a new arena and
// unmapping a dropped one take microseconds (far longer under memory
// pressure), and every other thread's alloc() and free() would wait on it.
// So a new arena is mapped with the lock dropped, and an arena taken out of
// the table is destroyed (unmapped, unless an ArrayBuffer still shares its
// region) after the lock is released: each such unique_ptr is declared
// before the lock_guard, so it is destroyed after it.
ProcessAllocator::AllocStatus ProcessAllocator::Allocate(uint64_t size, Block* out, Owner owner) {
  if (size == 0 || size > UINT64_MAX / 2) return AllocStatus::kNoMemory;
  const uint64_t need = RoundUp(size);
  {
    std::lock_guard<SpinLock> lock(mutex_);
    if (AllocateInLive(size, need, owner, out)) return AllocStatus::kOk;
  }
  std::unique_ptr<Arena> fresh = MapArena(need);
  if (!fresh) return AllocStatus::kNoMemory;
  std::unique_ptr<Arena> unused;
  std::lock_guard<SpinLock> lock(mutex_);
  // While the lock was dropped another thread may have emptied an arena
  // into the spare: first fit still comes first.
  if (AllocateInLive(size, need, owner, out)) {
    unused = std::move(fresh);
    return AllocStatus::kOk;
  }
  Arena* arena = fresh.get();
  Entry entry{std::move(fresh), owner};
  uint64_t id;
  if (!arenas_.Add(std::move(entry), &id)) {  // every slot in use
    unused = std::move(entry.arena);
    return AllocStatus::kNoMemory;
  }
  live_.push_back(SlotOf(id));
  const int64_t offset = arena->Allocate(size);
  if (offset == kNoFit) {  // cannot happen for a fresh arena of at least `need` bytes
    unused = DropArena(SlotOf(id));
    return AllocStatus::kNoMemory;
  }
  *out = {id, static_cast<uint64_t>(offset)};
  POOLMEM_ASSERT_EXPENSIVE(arena->strategy().Validate());
  return AllocStatus::kOk;
}

inline bool ProcessAllocator::AllocateInLive(uint64_t size, uint64_t need, Owner owner, Block* out) {
  // First fit: the owner's oldest arena with room (or the spare).
  for (uint32_t slot : live_) {
    Entry& e = arenas_.At(slot);
    if ((e.owner != owner && slot != spare_) || e.arena->free_size() < need) continue;
    const int64_t offset = e.arena->Allocate(size);
    if (offset == kNoFit) continue;
    if (slot == spare_) {  // in use again, by this owner
      spare_ = kNoSpare;
      e.owner = owner;
    }
    *out = {arenas_.IdOf(slot), static_cast<uint64_t>(offset)};
    POOLMEM_ASSERT_INTERNAL(offset % kAlign == 0);
    return true;
  }
  return false;
}

std::unique_ptr<Arena> ProcessAllocator::MapArena(uint64_t min_size) const {
  // A request above half an arena gets an arena of its own, sized to it.
  const uint64_t size = min_size > arena_size_ / 2 ? (min_size + kPage - 1) / kPage * kPage : arena_size_;
  // nullptr for a size the strategy cannot manage, or when the kernel refuses.
  return Arena::Create(size, kind_, StrategyOptions{kAlign}, false);
}

std::unique_ptr<Arena> ProcessAllocator::DropArena(uint32_t slot) {
  std::unique_ptr<Arena> arena = arenas_.Remove(slot).arena;
  if (spare_ == slot) spare_ = kNoSpare;
  live_.erase(std::find(live_.begin(), live_.end(), slot));
  return arena;
}

// ---- free ----------------------------------------------------------------------

ProcessAllocator::FreeResult ProcessAllocator::Free(uint64_t arena_id, uint64_t offset, uint64_t size,
                                                    uint64_t* released, Owner owner) {
  std::unique_ptr<Arena> dropped;  // destroyed after the lock is released
  std::lock_guard<SpinLock> lock(mutex_);
  Entry* e = Find(arena_id);
  if (e == nullptr) return FreeResult::kUnknownArena;
  const uint64_t arena_size = e->arena->size();
  if (offset >= arena_size || size > arena_size - offset) return FreeResult::kOutOfRange;
  if (size == 0) return FreeResult::kOk;
  // Another owner's arena (or the spare, which holds nothing): none of
  // these bytes are the caller's to free.
  if (e->owner != owner || SlotOf(arena_id) == spare_) return FreeResult::kDoubleFree;
  // Exactly the bytes given: the strategy's granule runs (ReservedRuns)
  // accept them only if every one is live, and release a granule once none
  // of its bytes is.
  const FreeStatus status = e->arena->Free(offset, size);
  if (status == FreeStatus::kDoubleFree) return FreeResult::kDoubleFree;
  if (status != FreeStatus::kOk) return FreeResult::kOutOfRange;
  if (e->arena->used_size() != 0) return FreeResult::kOk;
  const uint32_t slot = SlotOf(arena_id);
  if (arena_size > max_spare_) {
    dropped = DropArena(slot);
    return FreeResult::kArenaReleased;
  }
  // The newest empty arena is the likelier to be wanted again (the churn
  // loop's), so it becomes the spare and the old one goes.
  const uint32_t old = spare_;
  spare_ = slot;
  if (old == kNoSpare) return FreeResult::kArenaSpared;
  if (released != nullptr) *released = arenas_.IdOf(old);
  dropped = DropArena(old);
  return FreeResult::kSpareReleased;
}

uint64_t ProcessAllocator::ReturnAll(Owner owner) {
  std::vector<std::unique_ptr<Arena>> dropped;  // destroyed after the lock is released
  std::lock_guard<SpinLock> lock(mutex_);
  std::vector<uint32_t> owned;
  for (uint32_t slot : live_) {
    if (arenas_.At(slot).owner == owner && slot != spare_) owned.push_back(slot);
  }
  uint64_t bytes = 0;
  for (uint32_t slot : owned) {
    bytes += arenas_.At(slot).arena->used_size();
    dropped.push_back(DropArena(slot));
  }
  return bytes;
}

// ---- inspection ----------------------------------------------------------------

std::shared_ptr<MappedRegion> ProcessAllocator::Region(uint64_t arena_id) {
  std::lock_guard<SpinLock> lock(mutex_);
  Entry* e = Find(arena_id);
  return e == nullptr ? nullptr : e->arena->region();
}

ProcessAllocator::Stats ProcessAllocator::GetStats() {
  std::lock_guard<SpinLock> lock(mutex_);
  Stats stats;
  for (uint32_t slot : live_) {
    const Entry& e = arenas_.At(slot);
    ++stats.arenas;
    stats.size += e.arena->size();
    stats.used_size += e.arena->used_size();
  }
  if (spare_ != kNoSpare) stats.spare_size = arenas_.At(spare_).arena->size();
  return stats;
}

bool ProcessAllocator::Validate() {
  std::lock_guard<SpinLock> lock(mutex_);
  for (uint32_t slot : live_) {
    const Entry& e = arenas_.At(slot);
    if (!e.arena || !e.arena->region() || !e.arena->strategy().Validate()) return false;
    const bool empty = e.arena->used_size() == 0;
    if (empty != (slot == spare_)) return false;  // an empty arena must be gone, or be the spare
    if (e.arena->region()->size() != e.arena->size()) return false;
  }
  if (spare_ != kNoSpare && (!arenas_.At(spare_).arena || arenas_.At(spare_).arena->size() > max_spare_)) return false;
  return live_.size() + arenas_.free_slots() + arenas_.retired_slots() == arenas_.slots_used();
}

}  // namespace poolmem
