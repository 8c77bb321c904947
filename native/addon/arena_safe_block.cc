// Safe-mode Arena blocks: the finalizer that returns them, poisoning and the
// held-byte count, and the orphan checks close() and reset() need.
#include "arena_safe_block.h"

#include <algorithm>
#include <vector>

#include "../core/debug.h"
#include "safe_poison.h"

namespace poolmem::addon {

namespace {

// Bytes of the block's footprint no live byte touches: what the strategy
// would have free again had the frees gone to it (fast mode frees granules).
uint64_t HeldBytes(const SafeBlock& block, uint64_t granule) {
  uint64_t touched = 0, next = 0;  // next: the first granule not yet counted
  for (const FreeRange& r : block.live.ranges()) {
    const uint64_t first = std::max(r.start / granule, next), last = (r.end - 1) / granule;
    if (last >= first) touched += (last - first + 1) * granule;
    next = last + 1;
  }
  return block.footprint - std::min(block.footprint, touched);
}

// Only the first case of Orphaned: its ArrayBuffer is alive and detached. A
// collected block's bytes are unreachable: freeing them for it keeps the
// counts right until its finalizer returns the block.
bool Transferred(napi_env env, const SafeBlock* block) {
  napi_value ab = nullptr;
  if (napi_get_reference_value(env, block->weak, &ab) != napi_ok || ab == nullptr) return false;
  bool detached = false;
  return napi_is_detached_arraybuffer(env, ab, &detached) != napi_ok || detached;
}

}  // namespace

// Runs on a later turn once the block's buffer is collected, or at teardown;
// also for a block whose buffer failed to register (it is not in the map).
// The one path by which a safe block goes back: nothing can reach its bytes
// any more, so all of them return, freed (held) and never freed (a leak)
// alike. A safe arena frees only through its blocks (the fast path refuses
// it), so these bytes are this block's alone and the arena must accept them.
void FinalizeSafeBlock(napi_env env, void*, void* hint) {
  auto* block = static_cast<SafeBlock*>(hint);
  ArenaState& state = *block->state;
  auto it = state.safe_blocks.find(block->id);
  if (it != state.safe_blocks.end() && it->second == block) {
    state.held -= block->held;
    if (!block->live.empty()) ++state.reclaimed;
    const FreeStatus status = state.arena->Free(block->offset, block->live.size());
    POOLMEM_ASSERT(status == FreeStatus::kOk);
    (void)status;
    state.safe_blocks.erase(it);
  }
  if (block->weak != nullptr) napi_delete_reference(env, block->weak);
  delete block;
}

void HoldRange(ArenaState& state, SafeBlock* block, uint64_t offset, uint64_t size) {
  Poison(block->region->data() + block->offset + offset, size);
  const uint64_t held = HeldBytes(*block, state.granule);
  state.held += held - block->held;
  block->held = held;
}

// Safe mode never detaches its own buffers: a detached one was transferred
// (ArrayBuffer#transfer moved the memory, and this block's finalizer, to a
// new ArrayBuffer). Either way the bytes may still be reachable: freed by
// nobody, never poisoned, they go back only through the finalizer.
bool Orphaned(napi_env env, const SafeBlock* block) {
  napi_value ab = nullptr;
  if (napi_get_reference_value(env, block->weak, &ab) != napi_ok || ab == nullptr) return true;
  bool detached = false;
  return napi_is_detached_arraybuffer(env, ab, &detached) != napi_ok || detached;
}

void ReleaseAllSafeBlocks(napi_env env, ArenaState& state) {
  for (auto& [id, block] : state.safe_blocks) {
    if (Transferred(env, block)) continue;
    const std::vector<FreeRange> live = block->live.ranges();
    for (const FreeRange& r : live) {
      block->live.Release(r.start, r.end - r.start);
      HoldRange(state, block, r.start, r.end - r.start);
    }
  }
}

}  // namespace poolmem::addon
