// The process-wide allocator behind poolmem's alloc()/free() (smasher164/mem's
// design without its bugs): first fit over mmap'd arenas shared by
// every thread of the process behind one lock (spin_lock.h), never held
// across a system call (mapping and unmapping happen outside it). Each arena's
// strategy works in 16-byte granules and arenas start page-aligned, so every
// block is 16-byte aligned (mem misaligned every block after an arena's
// first). Frees are exact: the strategy keeps the live bytes of its granules
// (reserved_runs.h), so a partial free frees exactly its bytes and a granule
// returns only when none of its bytes is live (mem widened a partial free to
// whole granules, freeing bytes its caller still held). Blocks
// are (arena id, offset) pairs; free() goes straight to its arena's strategy
// (mem walked every block of every arena). An arena whose last block is freed
// lets go of its region at once (it is unmapped when the last ArrayBuffer
// over it is finalized), with one exception that bounds the cost of churn:
// at most one emptied arena of at most max_spare bytes stays mapped as the
// spare, and it is the most recently emptied one, so the free that empties
// an arena while a spare exists unmaps the old spare instead. Without it a
// loop allocating and freeing a block that fits no other arena mapped and
// unmapped an arena per pair (5 us). Arena ids are never reused, so a stale
// id finds nothing. Each arena belongs to one owner (an addon instance, that
// is one JS thread): an owner allocates only from its own arenas (or claims
// the spare, or maps a new one) and frees only in them, so ownership costs
// one comparison, no per-block bookkeeping, and an owner that goes away
// gives back its whole arenas (ReturnAll).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "os/os_memory.h"
#include "os/spin_lock.h"
#include "pools/arena.h"
#include "strategies/range_strategy.h"
#include "structures/slot_table.h"

namespace poolmem {

class ProcessAllocator {
 public:
  static constexpr uint64_t kAlign = 16;
  static constexpr uint64_t kDefaultArenaSize = uint64_t{1} << 20;

  // The global instance's spare limit: four default arenas. A larger block's
  // own arena is unmapped at once; its mapping costs little beside its use.
  static constexpr uint64_t kDefaultMaxSpare = 4 * kDefaultArenaSize;

  // kind: the strategy for every arena, a granule strategy (first-fit for the
  // global instance; tests may use buddy) built with min_block = kAlign.
  // Requests above arena_size / 2 get an arena of
  // their own. max_spare: the largest emptied arena kept as the spare; 0
  // unmaps every emptied arena at once.
  explicit ProcessAllocator(StrategyKind kind, uint64_t arena_size = kDefaultArenaSize, uint64_t max_spare = 0);
  ProcessAllocator(const ProcessAllocator&) = delete;
  ProcessAllocator& operator=(const ProcessAllocator&) = delete;

  // The instance alloc()/free() use: first-fit, shared by every addon
  // instance (worker thread) of the process, never destroyed (no exit-time
  // ordering can reach a dead allocator).
  static ProcessAllocator& Global();

  // Who holds an arena's blocks. kDefaultOwner serves callers that never
  // share the allocator between owners (tests).
  using Owner = uint64_t;
  static constexpr Owner kDefaultOwner = 0;

  enum class AllocStatus : int32_t { kOk = 0, kNoMemory = 1 };
  struct Block {
    uint64_t arena_id;
    uint64_t offset;
  };
  // size >= 1. The block's bytes are [offset, offset + size); it reserves
  // RoundUp(size) bytes (its granules), of which the tail is never live. The
  // block lies in an arena of `owner`'s (the spare or a new arena becomes its).
  AllocStatus Allocate(uint64_t size, Block* out, Owner owner = kDefaultOwner);

  enum class FreeResult : int32_t {
    kOk = 0,
    kDoubleFree = 1,     // part of the range is already free
    kOutOfRange = 2,     // past the arena's end
    kUnknownArena = 3,   // no live arena has this id (never had, or already unmapped)
    kArenaReleased = 4,  // freed, and it was the arena's last block: the arena is gone
    kArenaSpared = 5,    // freed, the arena is empty and stays mapped as the spare
    kSpareReleased = 6,  // likewise, and the previous spare (*released) is gone
  };
  // Frees exactly [offset, offset + size) of the arena; kDoubleFree unless
  // every byte of it is live and the arena is `owner`'s. A failed call
  // changes nothing. *released (may be null) receives the id of the arena
  // unmapped for kSpareReleased.
  FreeResult Free(uint64_t arena_id, uint64_t offset, uint64_t size, uint64_t* released = nullptr,
                  Owner owner = kDefaultOwner);

  // Drops every arena of `owner` (the spare is nobody's): nothing else can
  // hold blocks there. Returns the bytes that were allocated in them.
  uint64_t ReturnAll(Owner owner);

  // The region of a live arena, to expose its bytes; nullptr otherwise.
  std::shared_ptr<MappedRegion> Region(uint64_t arena_id);

  struct Stats {
    uint64_t arenas = 0;     // live arenas (each one mapping)
    uint64_t size = 0;       // bytes the arenas manage
    uint64_t used_size = 0;  // bytes allocated (sizes rounded up to 16)
    uint64_t spare_size = 0; // bytes of the spare arena (counted in arenas and size), 0 if none
  };
  Stats GetStats();

  // Every arena's strategy validates, every live arena but the spare holds
  // allocated bytes, the spare holds none, and the slot bookkeeping agrees.
  bool Validate();

  static uint64_t RoundUp(uint64_t size) { return (size + kAlign - 1) & ~(kAlign - 1); }

  // Arena ids are SlotTable ids (slot_table.h): below 2^53, exact as JS
  // numbers, never reused. Two live arenas never share a slot.
  struct Entry {
    std::unique_ptr<Arena> arena;
    Owner owner = kDefaultOwner;  // meaningless while the arena is the spare
    explicit operator bool() const { return arena != nullptr; }
  };
  using Arenas = SlotTable<Entry, uint64_t{1} << 20>;
  static constexpr uint64_t kSlots = Arenas::kSlots;
  static uint32_t SlotOf(uint64_t arena_id) { return Arenas::SlotOf(arena_id); }

 private:
  static constexpr uint32_t kNoSpare = UINT32_MAX;

  Entry* Find(uint64_t arena_id) { return arenas_.Find(arena_id); }
  // First fit in the live arenas (the owner's, or the spare); mutex held.
  [[gnu::always_inline]] bool AllocateInLive(uint64_t size, uint64_t need, Owner owner, Block* out);
  // A new arena for a request of min_size bytes, or nullptr; mutex not held (it maps).
  std::unique_ptr<Arena> MapArena(uint64_t min_size) const;
  // Takes a live arena out of the table; mutex held. The caller destroys it
  // (unmapping it unless an ArrayBuffer shares its region) once the mutex is released.
  std::unique_ptr<Arena> DropArena(uint32_t slot);

  const StrategyKind kind_;
  const uint64_t arena_size_;
  const uint64_t max_spare_;
  SpinLock mutex_;
  Arenas arenas_;
  std::vector<uint32_t> live_;  // live slots in creation order: the first-fit scan order
  uint32_t spare_ = kNoSpare;   // the live slot kept mapped while empty
};

}  // namespace poolmem
