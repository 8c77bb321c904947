// JS handle for a core Arena: the native half of lib/arena.js.
// Fast mode exposes one external ArrayBuffer over the whole region (`chunk()`),
// and JS makes views into it. Safe mode makes one external ArrayBuffer per
// allocation; free() poisons the bytes and holds them, and only that buffer's
// finalizer gives the block back (docs/design.md, Safe mode). Every
// ArrayBuffer keeps the region mapped until its finalizer runs.
#pragma once

#include <memory>
#include <unordered_map>

#include "../core/pools/arena.h"
#include "../core/structures/live_ranges.h"
#include "addon_data.h"
#include "native_class.h"
#include "safe_block.h"

namespace poolmem::addon {

// Shared by the wrap and every safe block (safe_block.h), so late
// finalizers (GC, process exit, worker teardown) in any order find the arena alive.
struct ArenaState : SafeBlocks {
  std::unique_ptr<Arena> arena;
  bool fast = false;       // fast mode: JS makes views into the chunk
  // A safe block's buffer is finalized: its bytes are the block's alone, and
  // a safe arena frees only through its blocks (the fast path refuses it).
  void GiveBack(const SafeBlock& block) override;
};

class ArenaWrap {
 public:
  static constexpr int kClassId = kArenaClass;
  static constexpr size_t kArgs = 1;
  static constexpr const char* kName = "ArenaHandle";
  // Module-level hot path, one function each per addon instance, passing
  // numbers through the arenaScratch slots (scratch.h):
  //   arenaAllocate(): kSlotPool, kSlotSize -> kAllocOk with kSlotOffset set, or kNoFit
  //   arenaFree(): kSlotPool, kSlotOffset, kSlotSize -> FreeStatus
  static bool ExportFastPath(napi_env env, napi_value exports);
  // new ({ size, strategyKind, minBlock, alignment?, safe, hugePages })
  bool Init(napi_env env, const Args<kArgs>& args);
  ~ArenaWrap();

 private:
  napi_value Chunk(napi_env env, const Args<0>& args);         // -> ArrayBuffer | undefined
  napi_value Id(napi_env env, const Args<0>& args);            // -> handle id for the fast path
  napi_value AllocateSafe(napi_env env, const Args<1>& args);  // (size) -> [ArrayBuffer, id] | null
  napi_value FreeSafe(napi_env env, const Args<3>& args);      // (id, offset, size) -> FreeStatus
  napi_value Size(napi_env env, const Args<0>& args);
  napi_value FreeSize(napi_env env, const Args<0>& args);
  napi_value HeldSize(napi_env env, const Args<0>& args);     // -> bytes freed, held until GC
  napi_value UsableSize(napi_env env, const Args<0>& args);   // -> size less the tail no strategy hands out
  napi_value Close(napi_env env, const Args<0>& args);
  // ArenaPool: everything free again, outstanding views detached;
  // -> the new chunk ArrayBuffer (fast mode) | undefined.
  napi_value Reset(napi_env env, const Args<0>& args);
  napi_value Stats(napi_env env, const Args<0>& args);         // -> [liveSafeBlocks, reclaimed, hugePages]
  napi_value Validate(napi_env env, const Args<0>& args);

  // A fresh chunk ArrayBuffer over the whole region, held in chunk_; false on failure.
  bool NewChunk(napi_env env);

  std::shared_ptr<ArenaState> state_;
  std::shared_ptr<HandleTable<ArenaState>> table_;
  double id_ = 0;
  napi_env env_ = nullptr;
  napi_ref chunk_ = nullptr;  // fast mode only: strong

 public:
  static constexpr napi_property_descriptor kMethods[] = {
      Method<&ArenaWrap::Chunk>("chunk"),               Method<&ArenaWrap::Id>("id"),
      Method<&ArenaWrap::AllocateSafe>("allocateSafe"), Method<&ArenaWrap::FreeSafe>("freeSafe"),
      Method<&ArenaWrap::Size>("size"),                 Method<&ArenaWrap::FreeSize>("freeSize"),
      Method<&ArenaWrap::HeldSize>("heldSize"),         Method<&ArenaWrap::UsableSize>("usableSize"),
      Method<&ArenaWrap::Close>("close"),               Method<&ArenaWrap::Reset>("reset"),
      Method<&ArenaWrap::Stats>("stats"),               Method<&ArenaWrap::Validate>("validate"),
  };
};

}  // namespace poolmem::addon
