// State shared by a ScalableAllocatorWrap, its bound hot-path functions and
// every tracked block.
// Fast mode: one external ArrayBuffer per chunk, written by native code into a
// JS array at the chunk's id when the chunk is created and detached when it is
// released; malloc/free/borrow are bound functions (one call each) that speak
// in handles (chunk id * 2^32 + offset).
// Tracked blocks own an ArrayBuffer each; its finalizer returns the bytes
// never freed, which is sound because every view of them (the Buffer,
// subarray(), slice()) keeps that ArrayBuffer alive.
// V8 sees the reserved bytes once: through the chunk ArrayBuffers (fast mode)
// or napi_adjust_external_memory (safe mode); per-allocation ArrayBuffers over
// chunk memory subtract their own bytes again.
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../core/live_ranges.h"
#include "../core/scalable_allocator.h"
#include "napi_helpers.h"

namespace poolmem::addon {

struct TrackedBlock;
struct BorrowHolder;

struct LeakRecord {
  uint64_t bytes;
  uint64_t group;     // RecyclableMemory group, 0 for a plain malloc
  std::string stack;  // paranoid mode only
};

// Shared by the wrap, the bound functions and every tracked block, so late
// finalizers in any order find it alive.
struct ScalableState final : ChunkListener {
  napi_env env = nullptr;
  std::unique_ptr<ScalableAllocator> core;
  bool fast = true;
  bool closed = false;
  bool in_finalizer = false;         // no JS-facing calls from GC finalizers
  napi_ref chunks = nullptr;         // fast mode: JS array, id -> chunk ArrayBuffer
  napi_ref id_key = nullptr;         // symbol each chunk ArrayBuffer holds its id under
  std::vector<napi_ref> chunk_refs;  // fast mode: by chunk id
  std::vector<std::pair<uint32_t, napi_ref>> pending_release;  // released inside a finalizer
  std::unordered_map<uint64_t, TrackedBlock*> tracked;         // live, not fully freed
  std::vector<LeakRecord> leaks_pending;
  napi_ref borrowed = nullptr;  // safe mode: the ArrayBuffer lent by the last borrow
  BorrowHolder* borrow_holder = nullptr;  // its finalizer's data, until that finalizer runs
  uint64_t leaks = 0;
  int64_t adjusted = 0;  // net bytes told to napi_adjust_external_memory

  bool OnChunkCreated(uint32_t id, const Arena& chunk) override;
  void OnChunkReleased(uint32_t id, const Arena& chunk) override;
  void FlushReleases();  // JS context only
  void EndBorrow();      // JS context only
  void Adjust(int64_t delta);
  ~ScalableState() override;
};

// The ArrayBuffer a safe-mode borrow lends: owned by its finalizer, which
// gives its bytes back to the adjustment unless EndBorrow already did.
struct BorrowHolder {
  std::shared_ptr<ScalableState> state;
  std::shared_ptr<MappedRegion> region;
  uint64_t size;
  bool recounted = false;
};

// One tracked allocation. Owned by its ArrayBuffer's finalizer.
struct TrackedBlock {
  std::shared_ptr<ScalableState> state;
  std::shared_ptr<MappedRegion> region;  // mapped while the ArrayBuffer lives
  uint64_t id;
  uint32_t chunk;
  uint64_t offset;
  LiveRanges live;
  uint64_t group;
  std::string stack;
  bool report;
  bool recounted = false;   // its bytes went back to the adjustment when we detached it
  napi_ref weak = nullptr;  // to the ArrayBuffer, for recycle() and close()
};

void FinalizeTracked(napi_env env, void* data, void* hint);
// An external ArrayBuffer over the block's bytes whose finalizer owns it;
// nullptr on failure (the block is deleted).
napi_value NewBlockBuffer(ScalableState& state, TrackedBlock* block, napi_finalize finalize);
// Detaches the block's ArrayBuffer if it is still alive. V8 stops counting
// its bytes at once, so the adjustment takes them back at once too (waiting
// for the finalizer would under-count until the next turn).
void DetachBlockBuffer(ScalableState& state, TrackedBlock* block);
// True when the block's ArrayBuffer was detached by someone else (transferred:
// ArrayBuffer#transfer moves the memory, and this block's finalizer, to a new
// ArrayBuffer) or is already collected with its finalizer still pending. Its
// bytes may still be reachable: freed by nobody, they go back only through
// the finalizer, which runs once no ArrayBuffer holds the memory.
bool BlockOrphaned(ScalableState& state, TrackedBlock* block);
// Module-level hot path, one function each per addon instance (see handle_table.h),
// its numbers in scalableScratch = [id, offset, size] (scratch.h):
//   scalableMalloc() / scalableBorrow(): [id, -, size] -> chunk id, offset in
//     scratch[1] | -1 (maxSize) | -2 (OS)
//   scalableFree(): [id, chunk * 2^32 + offset, size] -> FreeStatus
//   scalableFreeBatch(): [id, -, count] -> failed frees of the first count
//     (<= 256) pairs in scalableBatch = Float64Array [handle, size, ...]
void ExportScalableFastPath(Napi::Env env, Napi::Object exports);

}  // namespace poolmem::addon
