// The alloc()/free() side of one owner: an addon instance, that is one JS
// thread, of the process-wide ProcessAllocator. The owner allocates only in
// arenas of its own and a free is accepted only there, so no thread frees
// another's block (through a forged view over its own ArrayBuffer of the same
// arena), and when the owner goes away (its worker exits or is terminated)
// its arenas go back whole: no other thread can reach those bytes, and none
// was freed by anyone else. Ownership is a tag on the arena, checked under
// the allocator's lock: no per-block bookkeeping here (a hash map per block
// cost about 140 ns of a 450 ns alloc()/free() pair). One owner, one thread.
#pragma once

#include <cstdint>

#include "pools/process_allocator.h"

namespace poolmem {

class ProcessLedger {
 public:
  explicit ProcessLedger(ProcessAllocator& allocator);
  ProcessLedger(const ProcessLedger&) = delete;
  ProcessLedger& operator=(const ProcessLedger&) = delete;
  ~ProcessLedger() { ReturnAll(); }

  // Allocates through the allocator, in one of this owner's arenas.
  ProcessAllocator::AllocStatus Allocate(uint64_t size, ProcessAllocator::Block* out) {
    return allocator_.Allocate(size, out, owner_);
  }

  // Frees [offset, offset + size) of the arena if this owner holds every
  // byte of it; otherwise kDoubleFree (or kUnknownArena / kOutOfRange, as
  // the allocator would say), changing nothing.
  ProcessAllocator::FreeResult Free(uint64_t arena_id, uint64_t offset, uint64_t size, uint64_t* released) {
    return allocator_.Free(arena_id, offset, size, released, owner_);
  }

  // Frees everything this owner still holds; returns the bytes freed.
  uint64_t ReturnAll() { return allocator_.ReturnAll(owner_); }

 private:
  ProcessAllocator& allocator_;
  const ProcessAllocator::Owner owner_;  // unique in the process, never kDefaultOwner
};

}  // namespace poolmem
