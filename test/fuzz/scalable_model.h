// The interval model scalable_fuzz.cc checks a ScalableAllocator against:
// which chunks exist (by id, with their size and granule) and which byte
// ranges of each are live, as extents keyed by handle (chunk << 32 | start).
// Extents never merge: a malloc adds one, a middle free splits one in two,
// a free spanning several trims or drops each, so their number is what
// stats().allocations must say. Invariant: extents are disjoint and lie in
// chunks the model holds. Intervals, not a flag per byte, so that a model
// of many chunks costs O(live extents) per check, not O(reserved bytes).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <vector>

#include "strategies/range_strategy.h"
#include "pools/scalable_allocator.h"

namespace poolmem::fuzz {

class ScalableModel {
 public:
  struct Extent {
    uint32_t chunk;
    uint64_t start;
    uint64_t end;
    uint8_t tag;  // canary byte written over [start, end) in the chunk
  };

  // ---- chunks -------------------------------------------------------------
  // granule: the strategy's rounding (1 for the byte-exact ones); a granule
  // is reserved exactly when it holds a live byte, and only the first
  // floor(size / granule) granules are ever handed out.
  void AddChunk(uint32_t id, uint64_t size, uint64_t granule) { chunks_[id] = {size, granule}; }
  void RemoveChunk(uint32_t id) { chunks_.erase(id); }
  bool HasChunk(uint32_t id) const { return chunks_.count(id) != 0; }
  uint64_t ChunkSize(uint32_t id) const { return chunks_.at(id).size; }
  uint64_t ChunkCount() const { return chunks_.size(); }
  uint64_t Reserved() const {
    uint64_t total = 0;
    for (const auto& [id, c] : chunks_) total += c.size;
    return total;
  }
  // Ids in ascending order: the order ScalableAllocator's first fit visits.
  std::vector<uint32_t> ChunkIds() const {
    std::vector<uint32_t> ids;
    for (const auto& [id, c] : chunks_) ids.push_back(id);
    return ids;
  }
  bool ChunkEmpty(uint32_t id) const {
    const auto it = extents_.lower_bound(Key(id, 0));
    return it == extents_.end() || it->second.chunk != id;
  }

  // ---- frees --------------------------------------------------------------
  // What Free(chunk, offset, n) must answer: kOk iff every byte is live.
  FreeStatus Expect(uint32_t chunk, uint64_t offset, uint64_t n) const {
    const auto c = chunks_.find(chunk);
    if (c == chunks_.end()) return FreeStatus::kOutOfRange;
    const uint64_t size = c->second.size;
    if (n == 0) return offset <= size ? FreeStatus::kOk : FreeStatus::kOutOfRange;
    if (offset > size || n > size - offset) return FreeStatus::kOutOfRange;
    return Covered(chunk, offset, offset + n) ? FreeStatus::kOk : FreeStatus::kDoubleFree;
  }

  // Frees [offset, end) of chunk, all of it live: calls f(extent, from, to)
  // on each part that goes (to check its canary) before the books change.
  template <class F> void Free(uint32_t chunk, uint64_t offset, uint64_t end, F&& f) {
    std::vector<Extent> hit;
    for (auto it = First(chunk, offset); it != extents_.end() && it->second.chunk == chunk && it->second.start < end;
         ++it) {
      if (it->second.end > offset) hit.push_back(it->second);
    }
    for (const Extent& e : hit) {
      const uint64_t from = e.start > offset ? e.start : offset;
      const uint64_t to = e.end < end ? e.end : end;
      f(e, from, to);
      live_ -= to - from;
      total_free_ += to - from;
      extents_.erase(Key(chunk, e.start));
      if (e.start < offset) Insert({chunk, e.start, offset, e.tag});
      if (end < e.end) Insert({chunk, end, e.end, e.tag});
    }
  }
  // Retire: the chunk goes with whatever is live in it, counted as freed and retired.
  void Retire(uint32_t id) {
    for (auto it = First(id, 0); it != extents_.end() && it->second.chunk == id; it = extents_.erase(it)) {
      const uint64_t n = it->second.end - it->second.start;
      live_ -= n;
      total_free_ += n;
      retired_ += n;
    }
    chunks_.erase(id);
  }
  // Recycle: everything live is freed; the chunks stay until released.
  void FreeAll() {
    total_free_ += live_;
    live_ = 0;
    extents_.clear();
  }

  // ---- mallocs ------------------------------------------------------------
  // Could [offset, offset + n) be reserved in chunk: granule-aligned, inside
  // the usable granules, no granule holding a live byte?
  bool CanPlace(uint32_t chunk, uint64_t offset, uint64_t n) const {
    const auto c = chunks_.find(chunk);
    if (c == chunks_.end() || n == 0) return false;
    const uint64_t g = c->second.granule;
    const uint64_t end = RoundUp(offset + n, g);
    if (offset % g != 0 || end > c->second.size / g * g) return false;
    for (auto it = First(chunk, offset); it != extents_.end() && it->second.chunk == chunk; ++it) {
      if (RoundDown(it->second.start, g) >= end) break;
      if (RoundUp(it->second.end, g) > offset) return false;
    }
    return true;
  }
  void Malloc(uint32_t chunk, uint64_t offset, uint64_t n, uint8_t tag) {
    Insert({chunk, offset, offset + n, tag});
    live_ += n;
    total_malloc_ += n;
  }

  // ---- what the allocator must report --------------------------------------
  // Free ranges of chunk as its strategy's Blocks() lists them: the usable
  // granules without a live byte, merged, ascending.
  std::vector<FreeRange> FreeRanges(uint32_t id) const {
    const Chunk& c = chunks_.at(id);
    const uint64_t g = c.granule, usable = c.size / g * g;
    std::vector<FreeRange> out;
    uint64_t at = 0;
    for (auto it = First(id, 0); it != extents_.end() && it->second.chunk == id; ++it) {
      const uint64_t start = RoundDown(it->second.start, g);
      if (start > at) out.push_back({at, start});
      at = std::max(at, RoundUp(it->second.end, g));
    }
    if (usable > at) out.push_back({at, usable});
    return out;
  }
  uint64_t live() const { return live_; }
  uint64_t total_malloc() const { return total_malloc_; }
  uint64_t total_free() const { return total_free_; }
  uint64_t retired() const { return retired_; }
  uint64_t extents() const { return extents_.size(); }
  const Extent& Nth(uint64_t i) const { return std::next(extents_.begin(), static_cast<std::ptrdiff_t>(i))->second; }
  // The extent right after e in its chunk, or nullptr.
  const Extent* Next(const Extent& e) const {
    const auto it = extents_.upper_bound(Key(e.chunk, e.start));
    return it != extents_.end() && it->second.chunk == e.chunk ? &it->second : nullptr;
  }

 private:
  struct Chunk {
    uint64_t size;
    uint64_t granule;
  };
  static uint64_t Key(uint32_t chunk, uint64_t offset) { return static_cast<uint64_t>(MakeHandle(chunk, offset)); }
  static uint64_t RoundDown(uint64_t v, uint64_t g) { return v / g * g; }
  static uint64_t RoundUp(uint64_t v, uint64_t g) { return (v + g - 1) / g * g; }

  void Insert(const Extent& e) { extents_[Key(e.chunk, e.start)] = e; }
  // The first extent of chunk that ends after offset (extents are disjoint,
  // so only the one before lower_bound can straddle offset).
  std::map<uint64_t, Extent>::const_iterator First(uint32_t chunk, uint64_t offset) const {
    auto it = extents_.lower_bound(Key(chunk, offset));
    if (it != extents_.begin()) {
      const auto prev = std::prev(it);
      if (prev->second.chunk == chunk && prev->second.end > offset) return prev;
    }
    return it;
  }
  // Is every byte of [offset, end) in some extent of chunk?
  bool Covered(uint32_t chunk, uint64_t offset, uint64_t end) const {
    uint64_t at = offset;
    for (auto it = First(chunk, offset); at < end; ++it) {
      if (it == extents_.end() || it->second.chunk != chunk || it->second.start > at) return false;
      at = it->second.end;
    }
    return true;
  }

  std::map<uint32_t, Chunk> chunks_;
  std::map<uint64_t, Extent> extents_;  // by handle of the start
  uint64_t live_ = 0;
  uint64_t total_malloc_ = 0;
  uint64_t total_free_ = 0;
  uint64_t retired_ = 0;
};

}  // namespace poolmem::fuzz
