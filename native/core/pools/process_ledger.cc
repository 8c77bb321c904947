// ProcessLedger: ownership checks in front of ProcessAllocator, and the
// return of an owner's blocks when it goes away.
#include "pools/process_ledger.h"

#include "debug.h"

namespace poolmem {

ProcessAllocator::AllocStatus ProcessLedger::Allocate(uint64_t size, ProcessAllocator::Block* out) {
  const auto status = allocator_.Allocate(size, out);
  if (status != ProcessAllocator::AllocStatus::kOk) return status;
  const uint32_t slot = ProcessAllocator::SlotOf(out->arena_id);
  if (ids_.size() <= slot) ids_.resize(slot + 1, 0);
  ids_[slot] = out->arena_id;
  index_.Add(slot, out->offset, size);  // arenas are at most 4 GiB: offsets fit the index
  return status;
}

ProcessAllocator::FreeResult ProcessLedger::Free(uint64_t arena_id, uint64_t offset, uint64_t size,
                                                 uint64_t* released) {
  const uint32_t slot = ProcessAllocator::SlotOf(arena_id);
  const bool ours = size > 0 && slot < ids_.size() && ids_[slot] == arena_id && offset < (uint64_t{1} << 32) &&
                    size <= (uint64_t{1} << 32) - offset && index_.Covers(slot, offset, size);
  if (!ours) {
    if (size == 0) return allocator_.Free(arena_id, offset, 0, released);  // checks the id and range only
    const auto region = allocator_.Region(arena_id);
    if (region == nullptr) return ProcessAllocator::FreeResult::kUnknownArena;
    if (offset >= region->size() || size > region->size() - offset) return ProcessAllocator::FreeResult::kOutOfRange;
    return ProcessAllocator::FreeResult::kDoubleFree;
  }
  index_.Remove(slot, offset, size);
  const auto result = allocator_.Free(arena_id, offset, size, released);
  POOLMEM_ASSERT(result != ProcessAllocator::FreeResult::kDoubleFree &&
                 result != ProcessAllocator::FreeResult::kOutOfRange &&
                 result != ProcessAllocator::FreeResult::kUnknownArena);
  return result;
}

uint64_t ProcessLedger::ReturnAll() {
  struct Extent { uint32_t slot; uint64_t start, end; };
  std::vector<Extent> held;
  index_.ForEach([&](uint32_t slot, uint64_t start, uint64_t end) { held.push_back({slot, start, end}); });
  index_.Clear();
  uint64_t bytes = 0;
  for (const Extent& e : held) {
    const auto result = allocator_.Free(ids_[e.slot], e.start, e.end - e.start);
    POOLMEM_ASSERT(result != ProcessAllocator::FreeResult::kDoubleFree);
    (void)result;
    bytes += e.end - e.start;
  }
  return bytes;
}

}  // namespace poolmem
