// ScalableState: chunk ArrayBuffers (the ChunkListener side), external-memory
// accounting, tracked blocks and their GC fallback, and the fast-mode hot
// paths bound to the state (see bound_function.h).
#include "scalable_state.h"

#include <algorithm>

#include "addon_data.h"
#include "bound_function.h"
#include "scratch.h"

namespace poolmem::addon {

namespace {

void FinalizeRegion(napi_env, void*, void* hint) {
  delete static_cast<std::shared_ptr<MappedRegion>*>(hint);  // unmaps when this was the last holder
}

}  // namespace

// ---- chunks -------------------------------------------------------------------

bool ScalableState::OnChunkCreated(uint32_t id, const Arena& chunk) {
  const uint64_t size = chunk.size();
  if (!fast) {
    Adjust(static_cast<int64_t>(size));  // no ArrayBuffer shows these bytes to V8
    return true;
  }
  FlushReleases();  // an id is reused only after its old ArrayBuffer is gone
  napi_value ab, array, key, id_value;
  auto* holder = new std::shared_ptr<MappedRegion>(chunk.region());
  if (napi_create_external_arraybuffer(env, chunk.region()->data(), static_cast<size_t>(size),
                                       FinalizeRegion, holder, &ab) != napi_ok) {
    delete holder;
    return false;
  }
  napi_create_uint32(env, id, &id_value);
  napi_get_reference_value(env, id_key, &key);
  napi_get_reference_value(env, chunks, &array);
  napi_property_descriptor desc{nullptr, key, nullptr, nullptr, nullptr, id_value, napi_default, nullptr};
  napi_ref ref = nullptr;
  if (napi_define_properties(env, ab, 1, &desc) != napi_ok || napi_set_element(env, array, id, ab) != napi_ok ||
      napi_create_reference(env, ab, 1, &ref) != napi_ok) {
    napi_detach_arraybuffer(env, ab);
    return false;
  }
  if (chunk_refs.size() <= id) chunk_refs.resize(id + 1, nullptr);
  chunk_refs[id] = ref;
  return true;
}

void ScalableState::OnChunkReleased(uint32_t id, const Arena& chunk) {
  if (!fast) {
    Adjust(-static_cast<int64_t>(chunk.size()));
    return;
  }
  napi_ref ref = chunk_refs[id];
  chunk_refs[id] = nullptr;
  pending_release.emplace_back(id, ref);
  if (!in_finalizer) FlushReleases();
}

// Detaches released chunks (stale views read length 0; the region is
// unmapped when the ArrayBuffer's finalizer drops it) and clears their slots.
void ScalableState::FlushReleases() {
  if (pending_release.empty()) return;
  napi_value array = nullptr, undefined;
  napi_get_undefined(env, &undefined);
  if (chunks != nullptr) napi_get_reference_value(env, chunks, &array);
  for (auto& [id, ref] : pending_release) {
    napi_value ab = nullptr;
    napi_get_reference_value(env, ref, &ab);
    if (ab != nullptr) napi_detach_arraybuffer(env, ab);
    napi_delete_reference(env, ref);
    if (array != nullptr && (id >= chunk_refs.size() || chunk_refs[id] == nullptr)) {
      napi_set_element(env, array, id, undefined);
    }
  }
  pending_release.clear();
}

void ScalableState::EndBorrow() {
  if (borrowed == nullptr) return;
  napi_value ab = nullptr;
  napi_get_reference_value(env, borrowed, &ab);
  if (ab != nullptr && borrow_holder != nullptr) {
    napi_detach_arraybuffer(env, ab);  // V8 stops counting it now: so does the adjustment
    Adjust(static_cast<int64_t>(borrow_holder->size));
    borrow_holder->recounted = true;
  }
  napi_delete_reference(env, borrowed);
  borrowed = nullptr;
  borrow_holder = nullptr;
}

void ScalableState::Adjust(int64_t delta) {
  int64_t unused;
  napi_adjust_external_memory(env, delta, &unused);
  adjusted += delta;
}

ScalableState::~ScalableState() {
  // Runs inside the last holder's finalizer: only basic-env calls here.
  for (napi_ref ref : chunk_refs) {
    if (ref != nullptr) napi_delete_reference(env, ref);
  }
  for (auto& [id, ref] : pending_release) napi_delete_reference(env, ref);
  if (borrowed != nullptr) napi_delete_reference(env, borrowed);
  if (chunks != nullptr) napi_delete_reference(env, chunks);
  if (id_key != nullptr) napi_delete_reference(env, id_key);
  if (adjusted != 0) {
    int64_t unused;
    napi_adjust_external_memory(env, -adjusted, &unused);
  }
}

// ---- tracked blocks -------------------------------------------------------------

// Runs on a later turn after GC, after a full free's detach, or at teardown.
void FinalizeTracked(napi_env env, void*, void* hint) {
  auto* block = static_cast<TrackedBlock*>(hint);
  ScalableState& state = *block->state;
  auto it = state.tracked.find(block->id);
  if (it != state.tracked.end()) {
    // Unreachable and never freed in full: return exactly what is still allocated.
    state.in_finalizer = true;
    uint64_t bytes = 0;
    for (const FreeRange& r : block->live.ranges()) {
      state.core->Free(block->chunk, block->offset + r.start, r.end - r.start);
      bytes += r.end - r.start;
    }
    state.in_finalizer = false;
    state.tracked.erase(it);
    ++state.leaks;
    if (block->report) state.leaks_pending.push_back({bytes, block->group, std::move(block->stack)});
  }
  if (!block->recounted) state.Adjust(static_cast<int64_t>(block->live.size()));  // undo the creation-time subtraction
  napi_delete_reference(env, block->weak);
  delete block;
}

// An external ArrayBuffer over [offset, offset + size) of chunk `chunk`; owns
// `block` through its finalizer. nullptr on failure (block deleted).
napi_value NewBlockBuffer(ScalableState& state, TrackedBlock* block, napi_finalize finalize) {
  const Arena* chunk = state.core->chunk(block->chunk);
  napi_value ab = nullptr;
  if (napi_create_external_arraybuffer(state.env, chunk->region()->data() + block->offset,
                                       static_cast<size_t>(block->live.size()), finalize, block, &ab) != napi_ok) {
    delete block;
    return nullptr;
  }
  napi_create_reference(state.env, ab, 0, &block->weak);
  state.Adjust(-static_cast<int64_t>(block->live.size()));  // the chunk already counts these bytes
  return ab;
}

void DetachBlockBuffer(ScalableState& state, TrackedBlock* block) {
  napi_value ab = nullptr;
  napi_get_reference_value(state.env, block->weak, &ab);
  if (ab == nullptr || block->recounted) return;
  napi_detach_arraybuffer(state.env, ab);
  state.Adjust(static_cast<int64_t>(block->live.size()));
  block->recounted = true;
}

bool BlockOrphaned(ScalableState& state, TrackedBlock* block) {
  if (block->recounted) return false;  // we detached it ourselves
  napi_value ab = nullptr;
  if (napi_get_reference_value(state.env, block->weak, &ab) != napi_ok || ab == nullptr) return true;
  bool detached = false;
  return napi_is_detached_arraybuffer(state.env, ab, &detached) != napi_ok || detached;
}

// ---- fast-mode hot paths ----------------------------------------------------------

namespace {

// (handle, size) pairs for scalableFreeBatch, shared with JS like the scratch:
// passing a Float64Array argument instead costs ~33 ns more per call
// (napi_get_cb_info with arguments plus the typed-array checks, measured).
struct FreeBatch {
  static constexpr uint64_t kEntries = 256;
  double entries[2 * kEntries] = {};
};

// Bound to the addon instance's ScalablePath: its scratch, its free batch and its allocator table.
struct ScalablePath {
  std::shared_ptr<Scratch> scratch = std::make_shared<Scratch>();
  std::shared_ptr<FreeBatch> batch = std::make_shared<FreeBatch>();
  std::shared_ptr<HandleTable<ScalableState>> table;
};

napi_value Int32(napi_env env, int32_t v) {
  napi_value out;
  napi_create_int32(env, v, &out);
  return out;
}

// The fast-mode allocator whose handle id is in the scratch, or nullptr after throwing.
ScalableState* FastState(napi_env env, ScalablePath* path) {
  ScalableState* state = path == nullptr ? nullptr : path->table->Get(path->scratch->id);
  if (state == nullptr || !state->fast) {
    ThrowCoded(env, ErrorKind::kType, "ERR_INVALID_ARG_VALUE", "Not a fast-mode ScalableAllocator handle");
    return nullptr;
  }
  return state;
}

// Malloc and Borrow: () -> the chunk id (>= 0) with the offset in
// scratch.offset, or kCapReached / kOsRefused. Reads scratch.id and
// scratch.size. Every slot is read before the core runs (a new chunk's
// napi_set_element may reach JS) and the result written after.
template <int64_t (ScalableAllocator::*Take)(uint64_t)>
napi_value FastTake(napi_env env, napi_callback_info cbinfo) {
  auto* path = BoundData<ScalablePath>(env, cbinfo);
  ScalableState* state = FastState(env, path);
  uint64_t size;
  if (state == nullptr || !ReadSlot(env, path->scratch->size, 1, &size)) return nullptr;
  const int64_t handle = size > kMaxChunkBytes ? kCapReached : (state->core.get()->*Take)(size);
  if (handle < 0) return Int32(env, static_cast<int32_t>(handle));
  path->scratch->offset = static_cast<double>(static_cast<uint64_t>(handle) & 0xFFFFFFFFull);
  return Int32(env, static_cast<int32_t>(static_cast<uint64_t>(handle) >> 32));  // < kMaxChunks = 2^21
}

FreeStatus FreeHandleRange(ScalableState& state, uint64_t chunk, uint64_t offset, uint64_t size) {
  // A released chunk's memory is all free: freeing it again is a double free.
  if (chunk >= kMaxChunks || state.core->chunk(static_cast<uint32_t>(chunk)) == nullptr) {
    return FreeStatus::kDoubleFree;
  }
  return state.core->Free(static_cast<uint32_t>(chunk), offset, size);
}

// () -> FreeStatus for scratch [id, handle, size]; handle = chunk * 2^32 + offset.
napi_value FastFree(napi_env env, napi_callback_info cbinfo) {
  auto* path = BoundData<ScalablePath>(env, cbinfo);
  ScalableState* state = FastState(env, path);
  uint64_t handle, size;
  if (state == nullptr || !ReadSlot(env, path->scratch->offset, 0, &handle) ||
      !ReadSlot(env, path->scratch->size, 0, &size)) {
    return nullptr;
  }
  return Int32(env, static_cast<int32_t>(FreeHandleRange(*state, handle >> 32, handle & 0xFFFFFFFFull, size)));
}

// () -> failed frees of the first `count` = scratch.size pairs (at most
// FreeBatch::kEntries) in the shared batch [handle0, size0, handle1, ...],
// for scratch.id.
napi_value FastFreeBatch(napi_env env, napi_callback_info cbinfo) {
  auto* path = BoundData<ScalablePath>(env, cbinfo);
  ScalableState* state = FastState(env, path);
  uint64_t count;
  if (state == nullptr || !ReadSlot(env, path->scratch->size, 0, &count)) return nullptr;
  count = std::min(count, FreeBatch::kEntries);
  const double* entries = path->batch->entries;
  uint64_t failed = 0;
  for (uint64_t i = 0; i < count; ++i) {
    const double handle = entries[2 * i], size = entries[2 * i + 1];
    if (!(handle >= 0 && handle < 9007199254740992.0 && size >= 0 && size <= 9007199254740991.0)) {
      ++failed;
      continue;
    }
    const uint64_t h = static_cast<uint64_t>(handle), n = static_cast<uint64_t>(size);
    // A fraction would be truncated onto some other range: never free that.
    if (static_cast<double>(h) != handle || static_cast<double>(n) != size ||
        FreeHandleRange(*state, h >> 32, h & 0xFFFFFFFFull, n) != FreeStatus::kOk) {
      ++failed;
    }
  }
  return Int32(env, static_cast<int32_t>(std::min<uint64_t>(failed, INT32_MAX)));
}

}  // namespace

void ExportScalableFastPath(Napi::Env env, Napi::Object exports) {
  auto path = std::make_shared<ScalablePath>();
  path->table = AddonData::Of(env)->scalables;
  exports.Set("scalableScratch", ScratchArray(env, path->scratch));
  exports.Set("scalableBatch", SharedFloat64Array(env, path->batch));
  exports.Set("scalableMalloc", BindFunction(env, "scalableMalloc", FastTake<&ScalableAllocator::Malloc>, path));
  exports.Set("scalableFree", BindFunction(env, "scalableFree", FastFree, path));
  exports.Set("scalableBorrow", BindFunction(env, "scalableBorrow", FastTake<&ScalableAllocator::Borrow>, path));
  exports.Set("scalableFreeBatch", BindFunction(env, "scalableFreeBatch", FastFreeBatch, path));
}

}  // namespace poolmem::addon
