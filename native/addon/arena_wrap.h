// JS handle for a core Arena: the native half of lib/arena.js.
// Fast mode exposes one external ArrayBuffer over the whole region (`chunk()`),
// and JS makes views into it. Safe mode makes one external ArrayBuffer per
// allocation, detached when fully freed; its finalizer returns what was never
// freed. Every ArrayBuffer keeps the region mapped until its finalizer runs.
#pragma once

#include <napi.h>

#include <memory>
#include <unordered_map>

#include "../core/arena.h"
#include "../core/live_ranges.h"
#include "addon_data.h"
#include "napi_helpers.h"

namespace poolmem::addon {

struct SafeBlock;

// Shared by the wrap and every safe block, so late finalizers (GC, process
// exit, worker teardown) in any order find the arena alive.
struct ArenaState {
  std::unique_ptr<Arena> arena;
  std::unordered_map<uint64_t, SafeBlock*> safe_blocks;  // live, not fully freed
  bool fast = false;       // fast mode: JS makes views into the chunk
  uint64_t next_id = 1;
  uint64_t reclaimed = 0;  // safe blocks returned by the GC fallback
};

class ArenaWrap : public Napi::ObjectWrap<ArenaWrap> {
 public:
  static constexpr int kClassId = kArenaClass;
  static Napi::Function Define(Napi::Env env);
  // Module-level hot path, one function each per addon instance, passing
  // numbers through arenaScratch = Float64Array [id, offset, size] (scratch.h):
  //   arenaAllocate() -> 0 with the offset in scratch.offset, or -1 (no fit)
  //   arenaFree() -> FreeStatus
  static void ExportFastPath(Napi::Env env, Napi::Object exports);
  // new (size, strategyKind, minBlock, safe, hugePages)
  explicit ArenaWrap(const Napi::CallbackInfo& info);
  ~ArenaWrap() override;

 private:
  Napi::Value Chunk(const Napi::CallbackInfo& info);         // -> ArrayBuffer | undefined
  Napi::Value Id(const Napi::CallbackInfo& info);            // -> handle id for the fast path
  Napi::Value AllocateSafe(const Napi::CallbackInfo& info);  // (size) -> [ArrayBuffer, id] | null
  Napi::Value FreeSafe(const Napi::CallbackInfo& info);      // (id, offset, size) -> FreeStatus
  Napi::Value Size(const Napi::CallbackInfo& info);
  Napi::Value FreeSize(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  // ArenaPool (issue #5): everything free again, outstanding views detached;
  // -> the new chunk ArrayBuffer (fast mode) | undefined.
  Napi::Value Reset(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);         // -> [liveSafeBlocks, reclaimed, hugePages]
  Napi::Value Validate(const Napi::CallbackInfo& info);

  std::shared_ptr<ArenaState> state_;
  std::shared_ptr<HandleTable<ArenaState>> table_;
  double id_ = 0;
  Napi::Reference<Napi::ArrayBuffer> chunk_;  // fast mode only
};

}  // namespace poolmem::addon
