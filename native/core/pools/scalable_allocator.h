// A growing set of chunks, each an Arena (one mapped region + one strategy):
// GoMem's ScalableMemoryAllocator with its bugs fixed. Every byte handed out is tracked and counted; frees are validated.
//
// Placement: first fit across chunks in id order, then the chunk's strategy.
// An index of chunks keyed by an upper bound of their largest free range
// (size minus requested bytes, tightened whenever a chunk fails a request) finds the first
// chunk that can fit in O(log chunks), without scanning every chunk. It is a
// MaxTree: a malloc's cut and its free's raise each write one leaf.
// Growth: the next chunk is twice the largest ordinary chunk held (chunkSize
// when none), doubled further until the request fits, capped at maxChunkSize.
// A request above maxChunkSize gets a dedicated chunk of its own size.
// Release (hysteresis): at most one fully free chunk is kept as a spare; when
// a second chunk becomes fully free the smaller of the two is released, so a
// malloc/free loop at a chunk boundary maps once and never unmaps. trim()
// releases the spare; recycle() frees everything and keeps only the largest.
// Retire: a chunk whose memory went where the allocator cannot follow (a
// caller transferred the chunk's ArrayBuffer) leaves at once, whatever it
// holds. Its mapping is not the allocator's to unmap any more (the region's
// other holders decide), and its id is not reused before Recycle(), so a
// stale handle into it is refused, never applied to another chunk.
// A handle is chunk_id * 2^32 + offset: chunks are at most 4 GiB and ids stay
// below 2^21, so the handle is an exact JS number.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "structures/allocation_index.h"
#include "pools/arena.h"
#include "structures/max_tree.h"

namespace poolmem {

inline constexpr uint64_t kMaxChunkBytes = uint64_t{1} << 32;
inline constexpr uint32_t kMaxChunks = uint32_t{1} << 21;
inline constexpr uint32_t kNoChunk = ~uint32_t{0};
// Negative Malloc/Borrow results.
inline constexpr int64_t kCapReached = -1;  // maxSize would be exceeded
inline constexpr int64_t kOsRefused = -2;   // mmap (or the listener) failed

// A block's handle: chunk id * kHandleStride + offset (offset < kMaxChunkBytes),
// below 2^53 so JS holds it exactly.
inline constexpr uint64_t kHandleStride = uint64_t{1} << 32;
static_assert(kMaxChunkBytes <= kHandleStride && (uint64_t{kMaxChunks} << 32) <= (uint64_t{1} << 53));
inline int64_t MakeHandle(uint32_t chunk, uint64_t offset) {
  return static_cast<int64_t>((uint64_t{chunk} << 32) | offset);
}
inline uint64_t HandleChunk(uint64_t handle) { return handle >> 32; }
inline uint64_t HandleOffset(uint64_t handle) { return handle & (kHandleStride - 1); }

struct ScalableOptions {
  uint64_t chunk_size = 64 * 1024;
  uint64_t max_chunk_size = 4 * 1024 * 1024;
  uint64_t max_size = UINT64_MAX;  // cap on reserved bytes (sum of chunk sizes)
  StrategyKind kind = StrategyKind::kTreap;
  StrategyOptions strategy;
  bool huge_pages = false;
};

struct ScalableStats {
  uint64_t chunks = 0;
  uint64_t size = 0;          // reserved: sum of chunk sizes
  uint64_t used_size = 0;     // allocated bytes; always total_malloc - total_free
  uint64_t free_size = 0;     // free bytes in all chunks, as the strategies count them
  uint64_t total_malloc = 0;  // bytes ever allocated (borrow is not counted)
  uint64_t total_free = 0;    // bytes ever freed (free, recycle, GC fallback)
  uint64_t allocations = 0;   // live allocations (AllocationIndex extents)
  uint64_t retired = 0;       // bytes live in chunks when they were retired (also in total_free)
};

// Told about chunk life so the addon can expose chunks to JS. OnChunkCreated
// returning false makes the allocation fail with kOsRefused.
class ChunkListener {
 public:
  virtual ~ChunkListener() = default;
  virtual bool OnChunkCreated(uint32_t id, const Arena& chunk) = 0;
  virtual void OnChunkReleased(uint32_t id, const Arena& chunk) = 0;
};

class ScalableAllocator {
 public:
  // nullptr when the options are inconsistent or the strategy rejects the sizes.
  static std::unique_ptr<ScalableAllocator> Create(const ScalableOptions& options);
  ~ScalableAllocator();

  void set_listener(ChunkListener* listener) { listener_ = listener; }

  // A handle (>= 0) or kCapReached / kOsRefused. 1 <= size <= kMaxChunkBytes.
  int64_t Malloc(uint64_t size);
  // Where Malloc(size) would place `size` bytes, without reserving them (it
  // may grow a chunk). The range stays free: the next Malloc may return it.
  int64_t Borrow(uint64_t size);
  // Frees [offset, offset + size) of chunk `id`; any allocated sub-range.
  FreeStatus Free(uint32_t id, uint64_t offset, uint64_t size);
  // Releases every fully free chunk; returns the bytes released.
  uint64_t Trim();
  // Frees everything handed out; keeps the largest chunk as the spare. Chunks
  // in `pinned` hold bytes something outside the allocator may still reach:
  // they are released, never kept for reuse.
  void Recycle(const std::vector<uint32_t>& pinned = {});
  // Retires chunk `id` (see the header): never placed into again, its live
  // bytes counted as freed and as retired, its extents dropped; the listener
  // hears OnChunkReleased. Its id stays unused until Recycle(); Free() there
  // returns kOutOfRange. False (and no change) when there is no such chunk.
  bool Retire(uint32_t id);
  bool retired(uint32_t id) const { return id < slots_.size() && slots_[id].retired; }

  // The chunk with this id, or nullptr.
  const Arena* chunk(uint32_t id) const { return id < slots_.size() ? slots_[id].arena.get() : nullptr; }
  uint32_t chunk_slots() const { return static_cast<uint32_t>(slots_.size()); }  // ids are below this
  ScalableStats stats() const;
  uint32_t spare() const { return spare_; }
  const ScalableOptions& options() const { return options_; }
  // Full invariant walk over every chunk, the index and the counters.
  bool Validate() const;

 private:
  struct Slot {
    std::unique_ptr<Arena> arena;  // null: free slot
    RangeStrategy* strategy = nullptr;  // arena's, cached: one load less per malloc and free
    uint64_t size = 0;               // the chunk's size (cached: no virtual call on hot paths)
    uint64_t usable = 0;             // free bytes when empty: less a tail below one granule (buddy, first-fit)
    uint64_t used = 0;               // requested bytes live in this chunk
    uint64_t fail_min = UINT64_MAX;  // smallest request that failed since the last free
    bool dedicated = false;          // above maxChunkSize
    bool retired = false;            // no arena: the id waits for Recycle()
  };

  explicit ScalableAllocator(const ScalableOptions& options) : options_(options) {}

  // ---- placement ----------------------------------------------------------
  // Handle of `size` bytes in an existing chunk (allocate or only find), or -1.
  [[gnu::always_inline]] int64_t Place(uint64_t size, bool reserve);
  // Books [offset, offset + size) of chunk `id` as allocated; its handle.
  [[gnu::always_inline]] int64_t Reserved(uint32_t id, uint64_t offset, uint64_t size);
  int64_t MallocInNewChunk(uint64_t size);  // Malloc when no chunk has room
  int64_t Grow(uint64_t size);  // new chunk id, or kCapReached / kOsRefused
  uint64_t GrowthSize(uint64_t size) const;

  // ---- chunk index (MaxTree over slot ids) ---------------------------------
  // Inlined into Malloc and Free (each is a few instructions, called on every
  // one of them: about 4 ns per pair as calls, measured in bench/native).
  [[gnu::always_inline]] uint64_t Key(const Slot& s) const;
  [[gnu::always_inline]] void UpdateKey(uint32_t id);
  [[gnu::always_inline]] uint32_t FirstAtLeast(uint64_t size) const;  // lowest id whose key >= size, or kNoChunk

  // ---- release policy -----------------------------------------------------
  [[gnu::always_inline]] void OnFullyFree(uint32_t id);  // id becomes the spare, or releases one
  void KeepOneSpare(uint32_t id);  // id and the spare are both fully free
  // A request over maxSize first releases the spare (not the borrowed chunk).
  bool NoRoom(uint64_t bytes) const;  // reserving `bytes` more would pass maxSize
  void ReleaseSpare();
  void Release(uint32_t id);
  void Drop(uint32_t id);  // Release and Retire: the chunk leaves; its slot empties
  [[gnu::always_inline]] bool FullyFree(uint32_t id) const;

  bool ExtentsAreAllocated() const;  // for Validate

  ScalableOptions options_;
  ChunkListener* listener_ = nullptr;
  std::vector<Slot> slots_;
  BasicMaxTree<uint64_t> index_;  // leaf per slot id: Key(slot); 0 past the last slot
  uint32_t spare_ = kNoChunk;     // the one fully free chunk kept, if any
  uint32_t borrowed_ = kNoChunk;  // chunk of the last Borrow; not released by free
  uint64_t chunks_ = 0;
  uint64_t reserved_ = 0;
  uint64_t total_malloc_ = 0;  // used bytes are total_malloc_ - total_free_
  uint64_t total_free_ = 0;
  uint64_t retired_ = 0;  // bytes retired chunks held (part of total_free_)
  AllocationIndex allocations_;
};

}  // namespace poolmem
