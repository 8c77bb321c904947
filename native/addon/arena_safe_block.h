// Safe-mode allocations of an Arena (docs/design.md, Safe mode): one
// external ArrayBuffer each. free() poisons the bytes and holds them; the
// block goes back to the arena only through its buffer's finalizer, the one
// path back for freed and never-freed bytes alike.
#pragma once

#include <memory>

#include "../core/structures/live_ranges.h"
#include "arena_wrap.h"

namespace poolmem::addon {

// One safe-mode allocation. Owned by its ArrayBuffer's finalizer.
struct SafeBlock {
  std::shared_ptr<ArenaState> state;
  std::shared_ptr<MappedRegion> region;  // mapped until this block's buffer is finalized
  uint64_t id;
  uint64_t offset;
  LiveRanges live;
  napi_ref weak;  // to the ArrayBuffer, for close()
  uint64_t footprint = 0;  // what the strategy took for it (rounded up to its granules)
  uint64_t held = 0;       // of that, what frees have released: the footprint less the granules live bytes touch
};

// The buffer's finalizer: gives the whole block back (counting a leak when
// some of it was never freed). Runs on a later turn after GC, or at teardown;
// also for a block whose buffer failed to register (it is in no map then).
void FinalizeSafeBlock(napi_env env, void* data, void* hint);
// Poisons [offset, offset + size) of the block (already released from its
// live ranges) and counts what that frees as held.
void HoldRange(ArenaState& state, SafeBlock* block, uint64_t offset, uint64_t size);
// Its ArrayBuffer is detached (transferred: freed by nobody) or collected
// with its finalizer pending.
bool Orphaned(napi_env env, const SafeBlock* block);
// close() and reset(): every block's live bytes freed as by free(), except
// transferred ones.
void ReleaseAllSafeBlocks(napi_env env, ArenaState& state);

}  // namespace poolmem::addon
