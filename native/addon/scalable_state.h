// State shared by a ScalableAllocatorWrap, its bound hot-path functions and
// every tracked block.
// Fast mode: one external ArrayBuffer per chunk, written by native code into a
// JS array at the chunk's id when the chunk is created and detached when it is
// released; malloc/free/borrow are bound functions (one call each) that speak
// in handles (chunk id * 2^32 + offset).
// Tracked blocks own an ArrayBuffer each; its finalizer returns the bytes
// never freed, which is sound because every view of them (the Buffer,
// subarray(), slice()) keeps that ArrayBuffer alive, and because no other
// path may free them: a free through a chunk view that covers any byte of a
// tracked block is refused (kCoversTracked). In safe mode every allocation
// (and every borrow) is a tracked block, and free() only poisons its bytes
// and holds them: the finalizer is the one path by which a block goes back
// (docs/design.md, Safe mode).
// V8 sees the reserved bytes once: through the chunk ArrayBuffers (fast mode)
// or the instance's ExternalMemory (safe mode); per-allocation ArrayBuffers
// over chunk memory take their bytes off that count when there is some to
// take (external_memory.h).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../core/structures/live_ranges.h"
#include "../core/pools/scalable_allocator.h"
#include "external_memory.h"
#include "napi_helpers.h"

namespace poolmem::addon {

struct TrackedBlock;

// A free status beyond the core's FreeStatus: the range covers bytes of a
// tracked block, which only that block's own ArrayBuffer may free.
inline constexpr int32_t kCoversTracked = 3;
// mallocTracked's answer when the chunk it landed in was transferred away
// (ArrayBuffer#transfer of the chunk's ArrayBuffer): nothing was handed out;
// the bytes stay allocated, so the chunk is not released before the JS half
// retires it (retireChunk, which counts them as retired) and asks again.
inline constexpr int32_t kChunkTransferred = -3;

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
  std::shared_ptr<ExternalMemory> external;  // the addon instance's count
  bool fast = true;
  bool closed = false;
  bool in_finalizer = false;         // no JS-facing calls from GC finalizers
  napi_ref chunks = nullptr;         // fast mode: JS array, id -> chunk ArrayBuffer
  std::vector<napi_ref> chunk_refs;  // fast mode: by chunk id
  std::vector<std::pair<uint32_t, napi_ref>> pending_release;  // released inside a finalizer
  std::unordered_map<uint64_t, TrackedBlock*> tracked;         // live, not fully freed, by block id
  // Every live range of every tracked block, chunk << 32 | start -> end (chunk
  // offsets). Live ranges of different blocks never overlap (a block can sit
  // in bytes another one freed), so the one range starting before a free's
  // end is the only one that can touch it.
  std::map<uint64_t, uint64_t> tracked_live;
  std::vector<LeakRecord> leaks_pending;
  TrackedBlock* lent = nullptr;  // safe mode: the last borrow's block, freed by the next call
  uint64_t next_lent_id = uint64_t{1} << 62;  // borrow blocks' ids: above any id the JS half uses
  uint64_t held = 0;  // safe mode: freed bytes waiting for their buffer's finalizer
  uint64_t borrowed_bytes = 0;  // safe mode: bytes ever lent (the core counts them as mallocs)
  uint64_t leaks = 0;
  int64_t reserved_counted = 0;  // safe mode: chunk bytes this state added to `external`

  bool OnChunkCreated(uint32_t id, const Arena& chunk) override;
  void OnChunkReleased(uint32_t id, const Arena& chunk) override;
  void FlushReleases();  // JS context only
  // Fast mode: whether chunk id's ArrayBuffer was detached by someone else
  // (transferred). JS context only; false when it cannot tell.
  bool ChunkTransferred(uint32_t id) const;
  void EndBorrow();      // JS context only; safe mode: frees the lent block as free() does
  // Safe mode: poisons [offset, offset + size) of the block (already released
  // from its live ranges) unless told not to, and counts it held until the
  // block's finalizer.
  void HoldTracked(TrackedBlock* block, uint64_t offset, uint64_t size, bool poison = true);
  // Safe mode recycle() and close(): every block's live bytes freed as by
  // free(), except a moved buffer's (freed by nobody); a collected buffer's
  // are counted held but never poisoned (FateOf).
  void HoldAllTracked();
  // The core's stats as the JS half reports them: in safe mode, held bytes
  // count as freed (apart from used and free) and lent ones not at all.
  ScalableStats Reported() const;
  // Whether [offset, offset + size) of the chunk touches a tracked block.
  bool CoversTracked(uint64_t chunk, uint64_t offset, uint64_t size) const;
  void AddTracked(TrackedBlock* block);
  void ForgetTracked(TrackedBlock* block);  // out of both maps; the caller handles its buffer
  // Releases [offset, offset + size) of the block's own bytes, keeping tracked_live exact.
  FreeStatus ReleaseTracked(TrackedBlock* block, uint64_t offset, uint64_t size);
  ~ScalableState() override;
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
  int64_t uncounted = 0;    // bytes taken off the external-memory count for its buffer
  bool detached_by_us = false;  // DetachBlockBuffer ran: not an orphan
  napi_ref weak = nullptr;  // to the ArrayBuffer, for recycle() and close()
};

void FinalizeTracked(napi_env env, void* data, void* hint);
// An external ArrayBuffer over the block's bytes whose finalizer owns it;
// nullptr on failure (then the block is deleted, here or by that finalizer,
// and is in no map).
napi_value NewBlockBuffer(ScalableState& state, TrackedBlock* block, napi_finalize finalize);
// Detaches the block's ArrayBuffer if it is still alive. V8 stops counting
// its bytes at once, so the count gets them back at once too (waiting for
// the finalizer would under-count until the next turn).
void DetachBlockBuffer(ScalableState& state, TrackedBlock* block);
// What became of the block's ArrayBuffer: alive (or detached by us), moved
// (detached by someone else: ArrayBuffer#transfer moves the memory, and this
// block's finalizer, to a new ArrayBuffer), or collected. A collected one's
// finalizer may be pending, or it may have been the detached ArrayBuffer a
// transfer left behind, its memory alive in the moved one: nothing here tells
// them apart, so its bytes are never poisoned.
enum class BufferFate { kLive, kMoved, kCollected };
BufferFate FateOf(ScalableState& state, TrackedBlock* block);
// Moved or collected: the bytes may still be reachable. Freed by nobody, they
// go back only through the finalizer, which runs once no ArrayBuffer holds
// the memory.
bool BlockOrphaned(ScalableState& state, TrackedBlock* block);
// Module-level hot path, one function each per addon instance (see handle_table.h),
// its numbers in the scalableScratch slots (scratch.h):
//   scalableMalloc() / scalableBorrow(): kSlotPool, kSlotSize -> chunk id,
//     offset in kSlotOffset | kCapReached | kOsRefused
//   scalableFree(): kSlotPool, kSlotChunkHandle, kSlotSize -> FreeStatus | kCoversTracked
//   scalableFreeBatch(): kSlotPool, kSlotCount -> failed frees of the first
//     count (<= 256) pairs in scalableBatch = Float64Array [handle, size, ...];
//     a pair in a retired chunk is not a failure (its bytes are freed by nobody)
bool ExportScalableFastPath(napi_env env, napi_value exports);

}  // namespace poolmem::addon
