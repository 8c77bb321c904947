// JS handle for a core ScalableAllocator: the native half of
// lib/scalable_allocator.js.
// Methods that are not hot; the hot paths are bound functions from
// scalable_state.h. Tracked allocations (safe mode, and those leak detection
// samples) get an ArrayBuffer of their own; a fully freed sample's is
// detached, a safe-mode one is poisoned and held until collected.
#pragma once

#include <memory>

#include "addon_data.h"
#include "native_class.h"
#include "scalable_state.h"

namespace poolmem::addon {

class ScalableAllocatorWrap {
 public:
  static constexpr int kClassId = kScalableAllocatorClass;
  static constexpr size_t kArgs = 1;
  static constexpr const char* kName = "ScalableAllocatorHandle";
  // new ({ chunkSize, maxChunkSize, maxSize (0: none), strategyKind, minBlock,
  //        alignment?, safe, hugePages, chunks: the array native code writes
  //        chunk ArrayBuffers into, at their ids })
  bool Init(napi_env env, const Args<kArgs>& args);
  ~ScalableAllocatorWrap();

 private:
  napi_value Id(napi_env env, const Args<0>& args);  // -> handle id for the fast path
  // (size, stack | undefined, group, report, blockId) -> ArrayBuffer | <0
  // (kCapReached, kOsRefused, kChunkTransferred). The
  // JS half numbers the blocks (no array per call to hand the id back).
  napi_value MallocTracked(napi_env env, const Args<5>& args);
  napi_value FreeTracked(napi_env env, const Args<3>& args);  // (blockId, offset, size) -> FreeStatus
  napi_value BorrowSafe(napi_env env, const Args<1>& args);   // (size) -> ArrayBuffer | <0; held until the next call
  napi_value Trim(napi_env env, const Args<0>& args);         // -> bytes released
  napi_value Recycle(napi_env env, const Args<0>& args);
  napi_value Close(napi_env env, const Args<0>& args);
  // (chunkId) -> whether a chunk left: its ArrayBuffer was transferred away
  // (ScalableAllocator::Retire). Its JS slot is cleared like a released one's.
  napi_value RetireChunk(napi_env env, const Args<1>& args);
  // -> [chunks, size, usedSize, freeSize, totalMalloc, totalFree, allocations, leaks, retired, heldSize]
  napi_value Stats(napi_env env, const Args<0>& args);
  napi_value TakeLeaks(napi_env env, const Args<0>& args);    // -> undefined | [[bytes, group, stack]]
  napi_value Chunks(napi_env env, const Args<0>& args);       // -> [[id, size, freeSize]] (tests)
  napi_value Validate(napi_env env, const Args<0>& args);

  std::shared_ptr<ScalableState> state_;
  std::shared_ptr<HandleTable<ScalableState>> table_;
  double id_ = 0;

 public:
  static constexpr napi_property_descriptor kMethods[] = {
      Method<&ScalableAllocatorWrap::Id>("id"),
      Method<&ScalableAllocatorWrap::MallocTracked>("mallocTracked"),
      Method<&ScalableAllocatorWrap::FreeTracked>("freeTracked"),
      Method<&ScalableAllocatorWrap::BorrowSafe>("borrowSafe"),
      Method<&ScalableAllocatorWrap::Trim>("trim"),
      Method<&ScalableAllocatorWrap::Recycle>("recycle"),
      Method<&ScalableAllocatorWrap::Close>("close"),
      Method<&ScalableAllocatorWrap::RetireChunk>("retireChunk"),
      Method<&ScalableAllocatorWrap::Stats>("stats"),
      Method<&ScalableAllocatorWrap::TakeLeaks>("takeLeaks"),
      Method<&ScalableAllocatorWrap::Chunks>("chunks"),
      Method<&ScalableAllocatorWrap::Validate>("validate"),
  };
};

}  // namespace poolmem::addon
