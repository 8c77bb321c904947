// The native half of lib/process_allocator.js (alloc/free): module-level
// functions over ProcessAllocator::Global(), shared by every addon instance
// (worker thread) of the process. Each instance makes its own external
// ArrayBuffer per arena it touches (`processChunk`), holding a share of the
// arena's region, so an arena dropped by its last free is unmapped once every
// instance's ArrayBuffer over it is finalized (or detached by `processRelease`).
// Each instance frees only the bytes it holds (its ProcessLedger), and what it
// still holds goes back when it is torn down.
#pragma once

#include <node_api.h>

namespace poolmem::addon {

class ProcessAllocatorWrap {
 public:
  // processScratch: the hot paths' arguments and results (scratch.h)
  // processAlloc() -> kAllocOk with kSlotArena and kSlotOffset set for
  //   kSlotSize, or kNoFit (no memory)
  // processFree() -> ProcessAllocator::FreeResult for kSlotArena, kSlotOffset
  //   and kSlotSize; kSpareReleased leaves the unmapped spare's id in
  //   kSlotReleasedArena
  // processChunk(arenaId) -> ArrayBuffer over the arena | undefined
  // processRelease(arrayBuffer) -> detaches a chunk ArrayBuffer made by processChunk
  // processAllocSafe(size) -> [ArrayBuffer, id] | null: safe mode, a block
  //   with an ArrayBuffer of its own (safe_block.h)
  // processFreeSafe(id, offset, size) -> FreeStatus: poisons and holds those bytes
  // processStats() -> [arenas, size, usedSize, spareSize, heldSize (this
  //   instance's safe blocks)]; processValidate() -> boolean
  static bool Export(napi_env env, napi_value exports);  // false on failure
};

}  // namespace poolmem::addon
