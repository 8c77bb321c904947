// The alloc()/free() bytes one owner holds: an addon instance, that is one JS
// thread, of the process-wide ProcessAllocator. A free is accepted only for
// bytes this owner holds, so no thread frees another's block (through a
// forged view over its own ArrayBuffer of the same arena), and when the owner
// goes away (its worker exits or is terminated) whatever it still holds goes
// back: no other thread can reach those bytes, and none was freed by anyone
// else. Blocks are extents in an AllocationIndex keyed by the arena's slot;
// the slot's arena id is kept beside it (the arena cannot go while this
// owner holds bytes of it). Not thread-safe: one owner, one thread.
#pragma once

#include <cstdint>
#include <vector>

#include "structures/allocation_index.h"
#include "pools/process_allocator.h"

namespace poolmem {

class ProcessLedger {
 public:
  explicit ProcessLedger(ProcessAllocator& allocator) : allocator_(allocator) {}
  ProcessLedger(const ProcessLedger&) = delete;
  ProcessLedger& operator=(const ProcessLedger&) = delete;
  ~ProcessLedger() { ReturnAll(); }

  // Allocates through the allocator and records the block as this owner's.
  ProcessAllocator::AllocStatus Allocate(uint64_t size, ProcessAllocator::Block* out);

  // Frees [offset, offset + size) of the arena if this owner holds every
  // byte of it; otherwise kDoubleFree (or kUnknownArena / kOutOfRange, as
  // the allocator would say), changing nothing.
  ProcessAllocator::FreeResult Free(uint64_t arena_id, uint64_t offset, uint64_t size, uint64_t* released);

  // Frees everything this owner still holds; returns the bytes freed.
  uint64_t ReturnAll();

  uint64_t blocks() const { return index_.count(); }

 private:
  ProcessAllocator& allocator_;
  AllocationIndex index_;
  std::vector<uint64_t> ids_;  // slot -> the arena id this owner's extents there belong to
};

}  // namespace poolmem
