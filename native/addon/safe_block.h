// Safe-mode allocations (docs/design.md, Safe mode), for every pool whose
// allocator is native (Arena, alloc/free): one external ArrayBuffer each.
// free() poisons the bytes and holds them; the block goes back to its pool
// only through its buffer's finalizer, the one path back for freed and
// never-freed bytes alike.
#pragma once

#include <memory>
#include <unordered_map>

#include "../core/os/os_memory.h"
#include "../core/structures/live_ranges.h"
#include "napi_helpers.h"

namespace poolmem::addon {

struct SafeBlock;

// A pool's safe blocks and their counts. Shared by the pool and every block,
// so late finalizers (GC, process exit, worker teardown) in any order find it
// alive.
struct SafeBlocks {
  virtual ~SafeBlocks() = default;
  // The block's buffer is finalized: give its whole allocation back to the
  // pool, freed (held) and never freed bytes alike.
  virtual void GiveBack(const SafeBlock& block) = 0;

  std::unordered_map<uint64_t, SafeBlock*> safe_blocks;  // every block whose buffer is not yet finalized
  uint64_t next_id = 1;
  uint64_t reclaimed = 0;  // safe blocks collected with bytes never freed (leaks)
  uint64_t held = 0;       // freed bytes waiting for their buffer's finalizer
  uint64_t granule = 1;    // the strategy's Granule(): one is used while any byte of it is live
};

// One safe-mode allocation. Owned by its ArrayBuffer's finalizer.
struct SafeBlock {
  std::shared_ptr<SafeBlocks> state;
  std::shared_ptr<MappedRegion> region;  // mapped until this block's buffer is finalized
  uint64_t id;
  uint64_t offset;          // in the region
  LiveRanges live;
  napi_ref weak;            // to the ArrayBuffer, for close()
  uint64_t footprint = 0;   // what the strategy took for it (rounded up to its granules)
  uint64_t held = 0;        // of that, what frees have released: the footprint less the granules live bytes touch
  uint64_t where = 0;       // the pool's own locator (alloc/free: the arena id)
};

// The buffer over a new block of `size` bytes at `offset` of `region`:
// -> [ArrayBuffer, id], the block registered with `state`. On failure
// (nullptr) nobody got the buffer: the caller gives the bytes back itself.
napi_value NewSafeBuffer(napi_env env, const std::shared_ptr<SafeBlocks>& state,
                         const std::shared_ptr<MappedRegion>& region, uint64_t offset, uint64_t size,
                         uint64_t footprint, uint64_t where);
// free() of [offset, offset + size) of block `id`: poisoned and held, not
// given back. kDoubleFree for an unknown block or bytes already freed.
FreeStatus FreeSafeRange(napi_env env, SafeBlocks& state, uint64_t id, uint64_t offset, uint64_t size);
// close() and reset(): every block's live bytes freed as by free(), except
// transferred ones.
void ReleaseAllSafeBlocks(napi_env env, SafeBlocks& state);

}  // namespace poolmem::addon
