// ScalableState: chunk ArrayBuffers (the ChunkListener side), external-memory
// accounting, and tracked blocks with their index and GC fallback.
#include "scalable_state.h"

#include "region_buffer.h"
#include "safe_poison.h"

namespace poolmem::addon {

namespace {

uint64_t TrackedKey(uint64_t chunk, uint64_t offset) { return (chunk << 32) + offset; }  // offset <= 2^32

}  // namespace

// ---- chunks -------------------------------------------------------------------

bool ScalableState::OnChunkCreated(uint32_t id, const Arena& chunk) {
  const uint64_t size = chunk.size();
  if (!fast) {
    external->Add(env, static_cast<int64_t>(size));  // no ArrayBuffer shows these bytes to V8
    reserved_counted += static_cast<int64_t>(size);
    return true;
  }
  FlushReleases();  // an id is reused only after its old ArrayBuffer is gone
  napi_value ab = RegionArrayBuffer(env, chunk.region());
  if (ab == nullptr) return false;
  napi_value array = Deref(env, chunks);
  napi_ref ref = nullptr;
  if (!SetElement(array, env, id, ab) || (ref = NewRef(env, ab, 1)) == nullptr) {
    Detach(env, ab);
    return false;
  }
  if (chunk_refs.size() <= id) chunk_refs.resize(id + 1, nullptr);
  chunk_refs[id] = ref;
  return true;
}

void ScalableState::OnChunkReleased(uint32_t id, const Arena& chunk) {
  if (!fast) {
    const int64_t size = static_cast<int64_t>(chunk.size());
    reserved_counted -= external->Take(env, std::min(size, reserved_counted));
    return;
  }
  napi_ref ref = id < chunk_refs.size() ? chunk_refs[id] : nullptr;
  if (ref == nullptr) return;
  chunk_refs[id] = nullptr;
  pending_release.emplace_back(id, ref);
  if (!in_finalizer) FlushReleases();
}

// Detaches released chunks (stale views read length 0; the region is
// unmapped when the ArrayBuffer's finalizer drops it) and clears their slots.
void ScalableState::FlushReleases() {
  if (pending_release.empty()) return;
  napi_value array = Deref(env, chunks), undefined = Undefined(env);
  for (auto& [id, ref] : pending_release) {
    DetachAndDrop(env, &ref);
    if (id >= chunk_refs.size() || chunk_refs[id] == nullptr) {
      SetElement(array, env, id, undefined);
    }
  }
  pending_release.clear();
}

bool ScalableState::ChunkTransferred(uint32_t id) const {
  if (!fast || id >= chunk_refs.size() || chunk_refs[id] == nullptr) return false;
  napi_value ab = Deref(env, chunk_refs[id]);
  bool detached = false;
  return ab != nullptr && napi_is_detached_arraybuffer(env, ab, &detached) == napi_ok && detached;
}

void ScalableState::EndBorrow() {
  if (lent == nullptr) return;
  TrackedBlock* block = lent;
  lent = nullptr;
  const BufferFate fate = FateOf(*this, block);
  if (fate == BufferFate::kMoved) return;  // freed by nobody: its finalizer returns it
  const uint64_t size = block->live.size();
  if (ReleaseTracked(block, 0, size) == FreeStatus::kOk) HoldTracked(block, 0, size, fate == BufferFate::kLive);
}

ScalableState::~ScalableState() {
  // Runs inside the last holder's finalizer: only basic-env calls here.
  for (napi_ref ref : chunk_refs) {
    if (ref != nullptr) napi_delete_reference(env, ref);
  }
  for (auto& [id, ref] : pending_release) napi_delete_reference(env, ref);
  if (chunks != nullptr) napi_delete_reference(env, chunks);
  if (external) external->Take(env, reserved_counted);
}

// ---- tracked blocks -------------------------------------------------------------

bool ScalableState::CoversTracked(uint64_t chunk, uint64_t offset, uint64_t size) const {
  if (tracked_live.empty() || size == 0) return false;
  auto it = tracked_live.lower_bound(TrackedKey(chunk, offset + size));
  if (it == tracked_live.begin()) return false;
  --it;
  return (it->first >> 32) == chunk && it->second > offset;
}

namespace {

void IndexLive(std::map<uint64_t, uint64_t>& index, const TrackedBlock* block) {
  for (const FreeRange& r : block->live.ranges()) {
    index.emplace(TrackedKey(block->chunk, block->offset + r.start), block->offset + r.end);
  }
}

void UnindexLive(std::map<uint64_t, uint64_t>& index, const TrackedBlock* block) {
  for (const FreeRange& r : block->live.ranges()) index.erase(TrackedKey(block->chunk, block->offset + r.start));
}

}  // namespace

void ScalableState::AddTracked(TrackedBlock* block) {
  tracked.emplace(block->id, block);
  IndexLive(tracked_live, block);
}

void ScalableState::ForgetTracked(TrackedBlock* block) {
  tracked.erase(block->id);
  UnindexLive(tracked_live, block);
}

FreeStatus ScalableState::ReleaseTracked(TrackedBlock* block, uint64_t offset, uint64_t size) {
  UnindexLive(tracked_live, block);
  const FreeStatus status = block->live.Release(offset, size);
  IndexLive(tracked_live, block);
  return status;
}

void ScalableState::HoldTracked(TrackedBlock* block, uint64_t offset, uint64_t size, bool poison) {
  if (poison) Poison(block->region->data() + block->offset + offset, size);
  held += size;
}

void ScalableState::HoldAllTracked() {
  for (auto& [id, block] : tracked) {
    const BufferFate fate = FateOf(*this, block);
    if (fate == BufferFate::kMoved) continue;  // freed by nobody: its finalizer returns it
    const std::vector<FreeRange> live = block->live.ranges();
    for (const FreeRange& r : live) {
      ReleaseTracked(block, r.start, r.end - r.start);
      HoldTracked(block, r.start, r.end - r.start, fate == BufferFate::kLive);
    }
  }
}

ScalableStats ScalableState::Reported() const {
  ScalableStats s = core->stats();
  if (fast) return s;
  // The core counts each safe block as one allocation, all of its bytes used,
  // until its finalizer frees it: report the live pieces free() left, and
  // held bytes as freed. A borrow is a block too, left out as in fast mode
  // (once the next call frees it, it is held like any other). After close()
  // the core has let go of everything but still counts what was lent.
  const uint64_t borrowed = borrowed_bytes;
  s.total_malloc -= borrowed;
  s.total_free -= borrowed;
  if (closed) return s;
  uint64_t blocks = 0, pieces = 0, lent_bytes = 0;
  for (const auto& [id, block] : tracked) {
    ++blocks;
    pieces += block->live.ranges().size();
  }
  if (lent != nullptr) {
    lent_bytes = lent->live.live_bytes();
    pieces -= lent->live.ranges().size();
  }
  s.used_size -= held + lent_bytes;
  s.total_free += held + lent_bytes;
  s.allocations = s.allocations - blocks + pieces;
  return s;
}

// Runs on a later turn after GC, after a full free's detach (fast mode), or
// at teardown; also for a block whose buffer failed to register (it is in no
// map then). Fast mode: returns exactly what is still allocated (a leak).
// Safe mode: the one path back for the whole block, freed (held) bytes and
// never freed ones alike; after close() the chunks are gone and only the
// counts change. Only this block's buffer can free these bytes (frees through
// chunk views that touch them are refused), so the core must accept each.
void FinalizeTracked(napi_env env, void*, void* hint) {
  auto* block = static_cast<TrackedBlock*>(hint);
  ScalableState& state = *block->state;
  state.external->Add(env, block->uncounted);  // V8 no longer counts its buffer
  if (state.lent == block) state.lent = nullptr;
  auto it = state.tracked.find(block->id);
  if (it != state.tracked.end() && it->second == block) {
    const uint64_t live = block->live.live_bytes();
    state.in_finalizer = true;
    if (!state.fast) {
      state.held -= block->live.size() - live;
      if (!state.closed) state.core->Free(block->chunk, block->offset, block->live.size());
    } else {
      for (const FreeRange& r : block->live.ranges()) state.core->Free(block->chunk, block->offset + r.start, r.end - r.start);
    }
    state.in_finalizer = false;
    state.ForgetTracked(block);
    if (live != 0) {
      ++state.leaks;
      if (block->report) state.leaks_pending.push_back({live, block->group, std::move(block->stack)});
    }
  }
  if (block->weak != nullptr) napi_delete_reference(env, block->weak);
  delete block;
}

napi_value NewBlockBuffer(ScalableState& state, TrackedBlock* block, napi_finalize finalize) {
  const uint64_t length = block->live.size();
  napi_value ab = BlockArrayBuffer(state.env, block->region->data() + block->offset, length, block, finalize);
  if (ab == nullptr) return nullptr;
  // The chunk (or the safe-mode count) already shows these bytes to V8.
  block->uncounted = state.external->Take(state.env, static_cast<int64_t>(length));
  return ab;
}

void DetachBlockBuffer(ScalableState& state, TrackedBlock* block) {
  DetachReferenced(state.env, block->weak);
  state.external->Add(state.env, block->uncounted);
  block->uncounted = 0;
  block->detached_by_us = true;
}

BufferFate FateOf(ScalableState& state, TrackedBlock* block) {
  if (block->detached_by_us) return BufferFate::kLive;  // freed through us: ours to count
  napi_value ab = Deref(state.env, block->weak);
  if (ab == nullptr) return BufferFate::kCollected;
  bool detached = false;
  if (napi_is_detached_arraybuffer(state.env, ab, &detached) != napi_ok || detached) return BufferFate::kMoved;
  return BufferFate::kLive;
}

bool BlockOrphaned(ScalableState& state, TrackedBlock* block) { return FateOf(state, block) != BufferFate::kLive; }

}  // namespace poolmem::addon
