// JS handle for a core ScalableAllocator: the native half of
// lib/scalable_allocator.js.
// Methods that are not hot; the hot paths are bound functions from
// scalable_state.h. Tracked allocations (safe mode, and those leak detection
// samples) get an ArrayBuffer of their own, detached when fully freed.
#pragma once

#include <napi.h>

#include <memory>

#include "addon_data.h"
#include "scalable_state.h"

namespace poolmem::addon {

class ScalableAllocatorWrap : public Napi::ObjectWrap<ScalableAllocatorWrap> {
 public:
  static constexpr int kClassId = kScalableAllocatorClass;
  static Napi::Function Define(Napi::Env env);
  // new (chunkSize, maxChunkSize, maxSize (0: none), strategyKind, minBlock,
  //      safe, hugePages, chunksArray, idSymbol)
  explicit ScalableAllocatorWrap(const Napi::CallbackInfo& info);
  ~ScalableAllocatorWrap() override;

 private:
  Napi::Value Id(const Napi::CallbackInfo& info);  // -> handle id for the fast path
  // (size, stack | undefined, group, report, blockId) -> ArrayBuffer | <0. The
  // JS half numbers the blocks (no array per call to hand the id back).
  Napi::Value MallocTracked(const Napi::CallbackInfo& info);
  Napi::Value FreeTracked(const Napi::CallbackInfo& info);  // (blockId, offset, size) -> FreeStatus
  Napi::Value BorrowSafe(const Napi::CallbackInfo& info);   // (size) -> ArrayBuffer | <0
  Napi::Value Trim(const Napi::CallbackInfo& info);         // -> bytes released
  Napi::Value Recycle(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  // -> [chunks, size, usedSize, freeSize, totalMalloc, totalFree, allocations, leaks]
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value TakeLeaks(const Napi::CallbackInfo& info);    // -> undefined | [[bytes, group, stack]]
  Napi::Value Chunks(const Napi::CallbackInfo& info);       // -> [[id, size, freeSize]] (tests)
  Napi::Value Validate(const Napi::CallbackInfo& info);

  std::shared_ptr<ScalableState> state_;
  std::shared_ptr<HandleTable<ScalableState>> table_;
  double id_ = 0;
};

}  // namespace poolmem::addon
