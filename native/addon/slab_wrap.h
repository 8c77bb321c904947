// JS handle for one BytePool slab: the native half of lib/byte_pool.js.
// A slab is one mapped region with one external ArrayBuffer over all of it
// (`chunk()`); JS carves fixed-size slots from it and never calls in on the
// get/put hot path. `view()` makes a separate ArrayBuffer over one slot for
// leak-tracked PooledBuffers, so a FinalizationRegistry can watch the memory's
// real owner; safe mode gives every slot handed out such an ArrayBuffer.
// Every ArrayBuffer keeps the region mapped until its finalizer runs; close()
// detaches them all so outstanding views read length 0, except safe-mode
// ones, which it poisons instead (a socket write may still read them).
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_set>

#include "../core/os/os_memory.h"
#include "external_memory.h"
#include "native_class.h"

namespace poolmem::addon {

struct SlabView;

// Shared by the wrap and every view's finalizer, so they can run in any order.
struct SlabState {
  std::shared_ptr<MappedRegion> region;
  std::shared_ptr<ExternalMemory> external;  // the addon instance's count
  std::unordered_set<SlabView*> views;       // live per-slot ArrayBuffers
  std::unordered_set<uint64_t> safe_offsets; // slots a safe view's backing store still reaches
  bool closed = false;
};

class SlabWrap {
 public:
  static constexpr int kClassId = kSlabClass;
  static constexpr size_t kArgs = 1;
  static napi_value Define(napi_env env);
  // new ({ size, hugePages }); throws ERR_POOLMEM_OUT_OF_MEMORY when the kernel refuses.
  bool Init(napi_env env, const Args<kArgs>& args);
  ~SlabWrap();

 private:
  napi_value Chunk(napi_env env, const Args<0>& args);  // -> ArrayBuffer | undefined after close
  // (offset, length, safe = false) -> ArrayBuffer; a safe one is poisoned, not detached, by close().
  napi_value View(napi_env env, const Args<3>& args);
  napi_value Poison(napi_env env, const Args<2>& args);  // (offset, length): safe mode's free(); no-op after close
  // (offset) -> whether a safe view's memory at that slot is still reachable:
  // its backing store (which ArrayBuffer#transfer moves to a new ArrayBuffer)
  // has not been finalized yet.
  napi_value Reachable(napi_env env, const Args<1>& args);
  napi_value Views(napi_env env, const Args<0>& args);  // -> live per-slot ArrayBuffers (tests)
  // (offset) -> whether the memory of a per-slot ArrayBuffer made at `offset`
  // may still be reachable: its finalizer has not run. An ArrayBuffer a
  // caller transferred moved that memory, still alive, to a new ArrayBuffer;
  // the finalizer runs only once that one is gone too.
  napi_value Live(napi_env env, const Args<1>& args);
  napi_value Close(napi_env env, const Args<0>& args);  // detaches the chunk and every view

  std::shared_ptr<SlabState> state_;
  napi_env env_ = nullptr;
  napi_ref chunk_ = nullptr;  // strong, until close()
};

}  // namespace poolmem::addon
