// JS handle for one BytePool slab: the native half of lib/byte_pool.js.
// A slab is one mapped region with one external ArrayBuffer over all of it
// (`chunk()`); JS carves fixed-size slots from it and never calls in on the
// get/put hot path. `view()` makes a separate ArrayBuffer over one slot for
// leak-tracked PooledBuffers, so a FinalizationRegistry can watch the memory's
// real owner; safe mode gives every slot handed out such an ArrayBuffer.
// Every ArrayBuffer keeps the region mapped until its finalizer runs; close()
// detaches them all so outstanding views read length 0, except safe-mode
// ones, which it poisons instead (a socket write may still read them).
// A safe view names a SlabLedger: its finalizer (the backing store is gone,
// so nothing reaches the slot) appends the view's token there, and JS drains
// the ledger on its next get or put. No JS runs from a finalizer.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_set>
#include <vector>

#include "../core/os/os_memory.h"
#include "external_memory.h"
#include "native_class.h"

namespace poolmem::addon {

struct SlabView;

// Tokens of safe views whose finalizer has run, not yet drained. Shared by
// the ledger's wrap, its count's ArrayBuffer and every safe view, so they can
// be finalized in any order (worker teardown included).
struct LedgerState {
  uint32_t pending = 0;  // tokens.size(), read by JS through count()'s ArrayBuffer
  std::vector<uint32_t> tokens;
};

// SlabLedgerHandle: one per BytePool tier in safe mode.
class SlabLedgerWrap {
 public:
  static constexpr int kClassId = kSlabLedgerClass;
  static constexpr size_t kArgs = 0;
  static constexpr const char* kName = "SlabLedgerHandle";
  bool Init(napi_env env, const Args<kArgs>& args);
  const std::shared_ptr<LedgerState>& state() const { return state_; }

 private:
  // -> a 4-byte ArrayBuffer whose Uint32 is the count of undrained tokens:
  // JS checks it without a call.
  napi_value Count(napi_env env, const Args<0>& args);
  napi_value Drain(napi_env env, const Args<0>& args);  // -> the tokens, oldest first; empties the ledger

  std::shared_ptr<LedgerState> state_;

 public:
  static constexpr napi_property_descriptor kMethods[] = {
      Method<&SlabLedgerWrap::Count>("count"),
      Method<&SlabLedgerWrap::Drain>("drain"),
  };
};

// Shared by the wrap and every view's finalizer, so they can run in any order.
struct SlabState {
  std::shared_ptr<MappedRegion> region;
  std::shared_ptr<ExternalMemory> external;  // the addon instance's count
  std::unordered_set<SlabView*> views;       // live per-slot ArrayBuffers
  bool closed = false;
};

class SlabWrap {
 public:
  static constexpr int kClassId = kSlabClass;
  static constexpr size_t kArgs = 1;
  static constexpr const char* kName = "SlabHandle";
  // new ({ size, hugePages }); throws ERR_POOLMEM_OUT_OF_MEMORY when the kernel refuses.
  bool Init(napi_env env, const Args<kArgs>& args);
  ~SlabWrap();

 private:
  napi_value Chunk(napi_env env, const Args<0>& args);  // -> ArrayBuffer | undefined after close
  // (offset, length, ledger?, token?) -> ArrayBuffer. With a ledger it is a
  // safe view: poisoned, not detached, by close(); its finalizer appends
  // `token` (a uint32) to the ledger.
  napi_value View(napi_env env, const Args<4>& args);
  napi_value Poison(napi_env env, const Args<2>& args);  // (offset, length): safe mode's free(); no-op after close
  napi_value Views(napi_env env, const Args<0>& args);  // -> live per-slot ArrayBuffers (tests)
  // (offset) -> whether the memory of a per-slot ArrayBuffer made at `offset`
  // may still be reachable: its finalizer has not run. An ArrayBuffer a
  // caller transferred moved that memory, still alive, to a new ArrayBuffer;
  // the finalizer runs only once that one is gone too.
  napi_value Live(napi_env env, const Args<1>& args);
  napi_value Close(napi_env env, const Args<0>& args);  // detaches the chunk and every view

  std::shared_ptr<SlabState> state_;
  napi_env env_ = nullptr;
  // Strong until chunk() hands the chunk to JavaScript, weak from then on:
  // the pool's slab record holds it, and the chunk's stamp names that record,
  // so a strong reference here would close a cycle through a GC root and a
  // pool nobody closed would never be collected.
  napi_ref chunk_ = nullptr;
  bool chunk_taken_ = false;

 public:
  static constexpr napi_property_descriptor kMethods[] = {
      Method<&SlabWrap::Chunk>("chunk"),
      Method<&SlabWrap::View>("view"),
      Method<&SlabWrap::Poison>("poison"),
      Method<&SlabWrap::Views>("views"),
      Method<&SlabWrap::Live>("live"),
      Method<&SlabWrap::Close>("close"),
  };
};

}  // namespace poolmem::addon
