// JS handle for one BytePool slab: the native half of lib/byte_pool.js.
// A slab is one mapped region with one external ArrayBuffer over all of it
// (`chunk()`); JS carves fixed-size slots from it and never calls in on the
// get/put hot path. `view()` makes a separate ArrayBuffer over one slot for
// leak-tracked PooledBuffers, so a FinalizationRegistry can watch the memory's
// real owner. Every ArrayBuffer keeps the region mapped until its finalizer
// runs; close() detaches them all so outstanding views read length 0.
#pragma once

#include <napi.h>

#include <memory>
#include <unordered_set>

#include "../core/os_memory.h"
#include "napi_helpers.h"

namespace poolmem::addon {

struct SlabView;

// Shared by the wrap and every view's finalizer, so they can run in any order.
// `uncounted`: bytes of live per-slot views taken off V8's external memory
// count (the chunk ArrayBuffer counts them already). V8 stops counting a
// collected view before its finalizer gives the bytes back, and from Node 24
// aborts the process if the count would go below zero; keeping `uncounted` at
// most the chunk's size while the chunk counts, and at 0 after close(), keeps
// this slab's share of the count non-negative at every instant.
struct SlabState {
  std::shared_ptr<MappedRegion> region;
  std::unordered_set<SlabView*> views;  // live per-slot ArrayBuffers
  uint64_t uncounted = 0;
  bool closed = false;
};

class SlabWrap : public Napi::ObjectWrap<SlabWrap> {
 public:
  static constexpr int kClassId = kSlabClass;
  static Napi::Function Define(Napi::Env env);
  // new (size, hugePages); throws ERR_POOLMEM_OUT_OF_MEMORY when the kernel refuses.
  explicit SlabWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value Chunk(const Napi::CallbackInfo& info);  // -> ArrayBuffer | undefined after close
  Napi::Value View(const Napi::CallbackInfo& info);   // (offset, length) -> ArrayBuffer
  Napi::Value Views(const Napi::CallbackInfo& info);  // -> live per-slot ArrayBuffers (tests)
  Napi::Value Close(const Napi::CallbackInfo& info);  // detaches the chunk and every view

  std::shared_ptr<SlabState> state_;
  Napi::Reference<Napi::ArrayBuffer> chunk_;
};

}  // namespace poolmem::addon
