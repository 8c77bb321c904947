// Safe-mode blocks: their buffers, the finalizer that returns them,
// poisoning and the held-byte count, and the orphan checks close() and
// reset() need.
#include "safe_block.h"

#include <algorithm>
#include <vector>

#include "region_buffer.h"
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

// Poisons [offset, offset + size) of the block (already released from its
// live ranges) unless told not to, and counts what that frees as held.
void HoldRange(SafeBlocks& state, SafeBlock* block, uint64_t offset, uint64_t size, bool poison = true) {
  if (poison) Poison(block->region->data() + block->offset + offset, size);
  const uint64_t held = HeldBytes(*block, state.granule);
  state.held += held - block->held;
  block->held = held;
}

// What became of a block's ArrayBuffer. Safe mode never detaches its own
// buffers: a detached one was transferred (ArrayBuffer#transfer moved the
// memory, and this block's finalizer, to a new ArrayBuffer). A collected one
// may have been too: once the detached ArrayBuffer a transfer leaves behind is
// collected, its reference is as empty as that of a buffer whose finalizer is
// pending, and only the moved memory's finalizer tells them apart.
enum class BufferFate { kLive, kMoved, kCollected };

BufferFate FateOf(napi_env env, const SafeBlock* block) {
  napi_value ab = nullptr;
  if (napi_get_reference_value(env, block->weak, &ab) != napi_ok || ab == nullptr) return BufferFate::kCollected;
  bool detached = false;
  if (napi_is_detached_arraybuffer(env, ab, &detached) != napi_ok || detached) return BufferFate::kMoved;
  return BufferFate::kLive;
}

// Not live: its bytes may still be reachable. Freed by nobody, they go back
// only through the finalizer.
bool Orphaned(napi_env env, const SafeBlock* block) { return FateOf(env, block) != BufferFate::kLive; }

// Runs on a later turn once the block's buffer is collected, or at teardown;
// also for a block whose buffer failed to register (it is not in the map).
// The one path by which a safe block goes back: nothing can reach its bytes
// any more, so all of them return, freed (held) and never freed (a leak)
// alike. A pool frees a safe block only through here, so these bytes are
// this block's alone and the pool must accept them.
void FinalizeSafeBlock(napi_env env, void*, void* hint) {
  auto* block = static_cast<SafeBlock*>(hint);
  SafeBlocks& state = *block->state;
  auto it = state.safe_blocks.find(block->id);
  if (it != state.safe_blocks.end() && it->second == block) {
    state.held -= block->held;
    if (!block->live.empty()) ++state.reclaimed;
    state.GiveBack(*block);
    state.safe_blocks.erase(it);
  }
  if (block->weak != nullptr) napi_delete_reference(env, block->weak);
  delete block;
}

}  // namespace

napi_value NewSafeBuffer(napi_env env, const std::shared_ptr<SafeBlocks>& state,
                         const std::shared_ptr<MappedRegion>& region, uint64_t offset, uint64_t size,
                         uint64_t footprint, uint64_t where) {
  const uint64_t id = state->next_id++;
  auto* block = new SafeBlock{state, region, id, offset, LiveRanges(size), nullptr, footprint, 0, where};
  napi_value ab = BlockArrayBuffer(env, region->data() + offset, size, block, FinalizeSafeBlock);
  napi_value pair = ab == nullptr ? nullptr : ArrayOf(env, {ab, Number(env, static_cast<double>(id))});
  // Otherwise the block is in no map: BlockArrayBuffer deleted it, or its
  // finalizer will, and gives nothing back.
  if (pair == nullptr || !Tag(env, ab, kSafeBufferClass)) return nullptr;
  state->safe_blocks.emplace(id, block);
  return pair;
}

FreeStatus FreeSafeRange(napi_env env, SafeBlocks& state, uint64_t id, uint64_t offset, uint64_t size) {
  auto it = state.safe_blocks.find(id);
  if (it == state.safe_blocks.end()) return FreeStatus::kDoubleFree;
  SafeBlock* block = it->second;
  if (size != 0 && Orphaned(env, block)) return FreeStatus::kOk;
  const FreeStatus status = block->live.Release(offset, size);
  if (status != FreeStatus::kOk || size == 0) return status;
  // Not back to the pool yet, and not detached: a write still queued in JS
  // or in flight in libuv sends poison, never the next owner's bytes or
  // nothing. The block stays in the map (a second free is a double free)
  // until its buffer's finalizer returns it.
  HoldRange(state, block, offset, size);
  return FreeStatus::kOk;
}

void ReleaseAllSafeBlocks(napi_env env, SafeBlocks& state) {
  for (auto& [id, block] : state.safe_blocks) {
    // Moved: untouched. Collected: counted as held, as for a live one, but
    // never poisoned (the bytes may be a moved buffer's). Either way its
    // finalizer returns the block.
    const BufferFate fate = FateOf(env, block);
    if (fate == BufferFate::kMoved) continue;
    const std::vector<FreeRange> live = block->live.ranges();
    for (const FreeRange& r : live) {
      block->live.Release(r.start, r.end - r.start);
      HoldRange(state, block, r.start, r.end - r.start, fate == BufferFate::kLive);
    }
  }
}

}  // namespace poolmem::addon
