// ProcessAllocatorWrap: argument checks and ArrayBuffers around ProcessAllocator::Global().
#include "process_allocator_wrap.h"

#include <memory>

#include "../core/pools/process_allocator.h"
#include "../core/pools/process_ledger.h"
#include "addon_data.h"
#include "bound_function.h"
#include "napi_helpers.h"
#include "region_buffer.h"
#include "safe_block.h"
#include "scratch.h"

namespace poolmem::addon {

namespace {

// The hot paths' arguments and results travel through a Scratch (scratch.h):
// about 10 ns of a ~110 ns native pair (perf, Node 20).

// Safe-mode alloc() blocks of this addon instance (safe_block.h): a
// finalized block's bytes go back through the instance's ledger. After the
// instance has returned everything (ReturnAll at teardown) the arena is gone
// and the free finds nothing: nothing to give back then.
struct ProcessSafeBlocks : SafeBlocks {
  std::shared_ptr<ProcessLedger> ledger;
  void GiveBack(const SafeBlock& block) override {
    ledger->Free(block.where, block.offset, block.live.size(), nullptr);
  }
};

// Bound to the addon instance's hot paths: its scratch and its ledger.
struct ProcessPath {
  std::shared_ptr<Scratch> scratch = std::make_shared<Scratch>();
  std::shared_ptr<ProcessLedger> ledger;
  std::shared_ptr<ProcessSafeBlocks> safe = std::make_shared<ProcessSafeBlocks>();
};

// Hot path: () -> kAllocOk, with the block's arena id in kSlotArena and its
// offset in kSlotOffset, or kNoFit (no memory). Reads kSlotSize.
napi_value Alloc(napi_env env, napi_callback_info cbinfo) {
  auto* path = BoundData<ProcessPath>(env, cbinfo);
  Scratch* scratch = path == nullptr ? nullptr : path->scratch.get();
  uint64_t size;
  if (scratch == nullptr || !ReadSlot(env, (*scratch)[kSlotSize], 1, &size)) return nullptr;
  ProcessAllocator::Block block;
  const auto status = path->ledger->Allocate(size, &block);
  if (status != ProcessAllocator::AllocStatus::kOk) return Int32(env, static_cast<int32_t>(kNoFit));
  (*scratch)[kSlotArena] = static_cast<double>(block.arena_id);
  (*scratch)[kSlotOffset] = static_cast<double>(block.offset);
  return Int32(env, kAllocOk);
}

// Hot path: () -> FreeResult for kSlotArena, kSlotOffset and kSlotSize; for
// kSpareReleased the unmapped spare's id goes to kSlotReleasedArena. Only bytes
// this addon instance (thread) holds can be freed.
napi_value Free(napi_env env, napi_callback_info cbinfo) {
  auto* path = BoundData<ProcessPath>(env, cbinfo);
  Scratch* scratch = path == nullptr ? nullptr : path->scratch.get();
  uint64_t id, offset, size;
  if (scratch == nullptr || !ReadSlot(env, (*scratch)[kSlotArena], 0, &id) ||
      !ReadSlot(env, (*scratch)[kSlotOffset], 0, &offset) || !ReadSlot(env, (*scratch)[kSlotSize], 0, &size)) {
    return nullptr;
  }
  uint64_t released = 0;
  const auto result = path->ledger->Free(id, offset, size, &released);
  if (result == ProcessAllocator::FreeResult::kSpareReleased) (*scratch)[kSlotReleasedArena] = static_cast<double>(released);
  return Int32(env, static_cast<int32_t>(result));
}

// (size) -> [ArrayBuffer, id] over a block of its own (safe mode), or null
// when no memory could be mapped.
napi_value AllocSafe(napi_env env, napi_callback_info cbinfo) {
  Args<1> args;
  uint64_t size;
  if (!args.Read(env, cbinfo) || args.data == nullptr || !ReadSizeValue(env, args[0], 1, &size)) return nullptr;
  auto* path = static_cast<ProcessPath*>(args.data);
  ProcessAllocator::Block block;
  if (path->ledger->Allocate(size, &block) != ProcessAllocator::AllocStatus::kOk) return Null(env);
  std::shared_ptr<MappedRegion> region = ProcessAllocator::Global().Region(block.arena_id);
  napi_value pair = NewSafeBuffer(env, path->safe, region, block.offset, size, ProcessAllocator::RoundUp(size),
                                  block.arena_id);
  if (pair == nullptr) path->ledger->Free(block.arena_id, block.offset, size, nullptr);  // nobody got the buffer
  return pair;
}

// (id, offset, size) -> FreeStatus: free() of a safe block's bytes, poisoned
// and held until its buffer's finalizer gives the block back.
napi_value FreeSafe(napi_env env, napi_callback_info cbinfo) {
  Args<3> args;
  uint64_t id, offset, size;
  if (!args.Read(env, cbinfo) || args.data == nullptr || !ReadSizeValue(env, args[0], 0, &id) ||
      !ReadSizeValue(env, args[1], 0, &offset) || !ReadSizeValue(env, args[2], 0, &size)) {
    return nullptr;
  }
  auto* path = static_cast<ProcessPath*>(args.data);
  return Int32(env, static_cast<int32_t>(FreeSafeRange(env, *path->safe, id, offset, size)));
}

napi_value Chunk(napi_env env, napi_callback_info cbinfo) {
  Args<1> args;
  uint64_t id;
  if (!args.Read(env, cbinfo) || !ReadSizeValue(env, args[0], 0, &id)) return nullptr;
  std::shared_ptr<MappedRegion> region = ProcessAllocator::Global().Region(id);
  if (!region) return Undefined(env);
  napi_value ab = RegionArrayBuffer(env, region);  // the arena's mapping goes with its last holder
  return Tag(env, ab, kProcessChunkClass) ? ab : nullptr;
}

// Detaches only ArrayBuffers this file made: never Node's pool or a user's.
napi_value Release(napi_env env, napi_callback_info cbinfo) {
  Args<1> args;
  if (!args.Read(env, cbinfo)) return nullptr;
  bool ours = false;
  if (napi_check_object_type_tag(env, args[0], &ClassTag(kProcessChunkClass), &ours) != napi_ok) return nullptr;
  if (ours) Detach(env, args[0]);
  return Boolean(env, ours);
}

napi_value Stats(napi_env env, napi_callback_info cbinfo) {
  auto* path = BoundData<ProcessPath>(env, cbinfo);
  if (path == nullptr) return nullptr;
  const ProcessAllocator::Stats stats = ProcessAllocator::Global().GetStats();
  return ArrayOf(env, {Number(env, static_cast<double>(stats.arenas)), Number(env, static_cast<double>(stats.size)),
                       Number(env, static_cast<double>(stats.used_size)),
                       Number(env, static_cast<double>(stats.spare_size)),
                       Number(env, static_cast<double>(path->safe->held))});
}

napi_value Validate(napi_env env, napi_callback_info) {
  return Boolean(env, ProcessAllocator::Global().Validate());
}

}  // namespace

bool ProcessAllocatorWrap::Export(napi_env env, napi_value exports) {
  AddonData* data = AddonData::Of(env);
  if (data == nullptr) return false;
  auto path = std::make_shared<ProcessPath>();
  path->ledger = data->process_ledger;
  path->safe->ledger = data->process_ledger;
  path->safe->granule = ProcessAllocator::kAlign;
  return SetNamed(env, exports, "processScratch", ScratchArray(env, path->scratch)) &&
         SetNamed(env, exports, "processAlloc", BindFunction(env, "processAlloc", Alloc, path)) &&
         SetNamed(env, exports, "processFree", BindFunction(env, "processFree", Free, path)) &&
         SetNamed(env, exports, "processChunk", PlainFunction(env, "processChunk", Chunk)) &&
         SetNamed(env, exports, "processRelease", PlainFunction(env, "processRelease", Release)) &&
         SetNamed(env, exports, "processAllocSafe", BindFunction(env, "processAllocSafe", AllocSafe, path)) &&
         SetNamed(env, exports, "processFreeSafe", BindFunction(env, "processFreeSafe", FreeSafe, path)) &&
         SetNamed(env, exports, "processStats", BindFunction(env, "processStats", Stats, path)) &&
         SetNamed(env, exports, "processValidate", PlainFunction(env, "processValidate", Validate));
}

}  // namespace poolmem::addon
