// ScalableAllocator's fast-mode hot paths, bound to the addon instance's
// allocator table (see bound_function.h and handle_table.h).
#include <algorithm>

#include "addon_data.h"
#include "bound_function.h"
#include "scalable_state.h"
#include "scratch.h"

namespace poolmem::addon {

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

// The fast-mode allocator whose handle id is in the scratch, or nullptr after throwing.
ScalableState* FastState(napi_env env, ScalablePath* path) {
  ScalableState* state = path == nullptr ? nullptr : path->table->Get((*path->scratch)[kSlotPool]);
  if (state == nullptr || !state->fast) {
    ThrowCoded(env, ErrorKind::kType, "ERR_INVALID_ARG_VALUE", "Not a fast-mode ScalableAllocator handle");
    return nullptr;
  }
  return state;
}

// Malloc and Borrow: () -> the chunk id (>= 0) with the offset in
// kSlotOffset, or kCapReached / kOsRefused. Reads kSlotPool and kSlotSize.
// Every slot is read before the core runs and the result written after (a
// new chunk makes an ArrayBuffer, which may collect garbage).
template <int64_t (ScalableAllocator::*Take)(uint64_t)>
napi_value FastTake(napi_env env, napi_callback_info cbinfo) {
  auto* path = BoundData<ScalablePath>(env, cbinfo);
  ScalableState* state = FastState(env, path);
  uint64_t size;
  if (state == nullptr || !ReadSlot(env, (*path->scratch)[kSlotSize], 1, &size)) return nullptr;
  const int64_t handle = size > kMaxChunkBytes ? kCapReached : (state->core.get()->*Take)(size);
  if (handle < 0) return Int32(env, static_cast<int32_t>(handle));
  (*path->scratch)[kSlotOffset] = static_cast<double>(HandleOffset(static_cast<uint64_t>(handle)));
  return Int32(env, static_cast<int32_t>(HandleChunk(static_cast<uint64_t>(handle))));  // < kMaxChunks = 2^21
}

// A free through a chunk view: never of a tracked block's bytes.
int32_t FreeHandleRange(ScalableState& state, uint64_t chunk, uint64_t offset, uint64_t size) {
  // A released chunk's memory is all free: freeing it again is a double free.
  if (chunk >= kMaxChunks || state.core->chunk(static_cast<uint32_t>(chunk)) == nullptr) {
    return static_cast<int32_t>(FreeStatus::kDoubleFree);
  }
  if (state.CoversTracked(chunk, offset, size)) return kCoversTracked;
  return static_cast<int32_t>(state.core->Free(static_cast<uint32_t>(chunk), offset, size));
}

// () -> FreeStatus | kCoversTracked for kSlotPool, kSlotChunkHandle and kSlotSize.
napi_value FastFree(napi_env env, napi_callback_info cbinfo) {
  auto* path = BoundData<ScalablePath>(env, cbinfo);
  ScalableState* state = FastState(env, path);
  uint64_t handle, size;
  if (state == nullptr || !ReadSlot(env, (*path->scratch)[kSlotChunkHandle], 0, &handle) ||
      !ReadSlot(env, (*path->scratch)[kSlotSize], 0, &size)) {
    return nullptr;
  }
  return Int32(env, FreeHandleRange(*state, HandleChunk(handle), HandleOffset(handle), size));
}

// () -> failed frees of the first kSlotCount pairs (at most
// FreeBatch::kEntries) in the shared batch [handle0, size0, handle1, ...],
// for kSlotPool.
napi_value FastFreeBatch(napi_env env, napi_callback_info cbinfo) {
  auto* path = BoundData<ScalablePath>(env, cbinfo);
  ScalableState* state = FastState(env, path);
  uint64_t count;
  if (state == nullptr || !ReadSlot(env, (*path->scratch)[kSlotCount], 0, &count)) return nullptr;
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
    if (static_cast<double>(h) != handle || static_cast<double>(n) != size) {
      ++failed;
      continue;
    }
    // A retired chunk's memory was transferred away: freed by nobody, by design.
    if (state->core->retired(static_cast<uint32_t>(HandleChunk(h)))) continue;  // h < 2^53: the id < 2^21
    if (FreeHandleRange(*state, HandleChunk(h), HandleOffset(h), n) != static_cast<int32_t>(FreeStatus::kOk)) ++failed;
  }
  return Int32(env, static_cast<int32_t>(std::min<uint64_t>(failed, INT32_MAX)));
}

}  // namespace

bool ExportScalableFastPath(napi_env env, napi_value exports) {
  AddonData* data = AddonData::Of(env);
  if (data == nullptr) return false;
  auto path = std::make_shared<ScalablePath>();
  path->table = data->scalables;
  return SetNamed(env, exports, "scalableScratch", ScratchArray(env, path->scratch)) &&
         SetNamed(env, exports, "scalableBatch", SharedFloat64Array(env, path->batch)) &&
         SetNamed(env, exports, "scalableMalloc",
                  BindFunction(env, "scalableMalloc", FastTake<&ScalableAllocator::Malloc>, path)) &&
         SetNamed(env, exports, "scalableFree", BindFunction(env, "scalableFree", FastFree, path)) &&
         SetNamed(env, exports, "scalableBorrow",
                  BindFunction(env, "scalableBorrow", FastTake<&ScalableAllocator::Borrow>, path)) &&
         SetNamed(env, exports, "scalableFreeBatch", BindFunction(env, "scalableFreeBatch", FastFreeBatch, path));
}

}  // namespace poolmem::addon
