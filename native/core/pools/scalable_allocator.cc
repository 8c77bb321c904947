// ScalableAllocator: chunk bookkeeping, the chunk index, growth and the
// release policy. The strategies do the work inside a chunk.
#include "pools/scalable_allocator.h"

#include <algorithm>

#include "debug.h"

namespace poolmem {

namespace {
constexpr uint64_t kPage = 4096;

bool IsPowerOfTwo(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

uint64_t NextPowerOfTwo(uint64_t v) {
  uint64_t p = 1;
  while (p < v) p <<= 1;
  return p;
}
}  // namespace

std::unique_ptr<ScalableAllocator> ScalableAllocator::Create(const ScalableOptions& options) {
  if (options.chunk_size == 0 || options.max_chunk_size < options.chunk_size ||
      options.max_chunk_size > kMaxChunkBytes || options.max_size == 0) {
    return nullptr;
  }
  if (!MakeRangeStrategy(options.kind, options.chunk_size, options.strategy)) return nullptr;
  return std::unique_ptr<ScalableAllocator>(new ScalableAllocator(options));
}

ScalableAllocator::~ScalableAllocator() = default;

// ---- allocation ---------------------------------------------------------------

int64_t ScalableAllocator::Malloc(uint64_t size) {
  POOLMEM_ASSERT(size >= 1 && size <= kMaxChunkBytes);
  borrowed_ = kNoChunk;  // a borrow lasts until the next malloc or borrow
  int64_t handle = Place(size, true);
  if (handle < 0) handle = MallocInNewChunk(size);
  POOLMEM_ASSERT_EXPENSIVE(Validate());
  return handle;
}

int64_t ScalableAllocator::MallocInNewChunk(uint64_t size) {
  const int64_t grown = Grow(size);
  if (grown < 0) return grown;
  const uint32_t id = static_cast<uint32_t>(grown);
  const int64_t offset = slots_[id].arena->Allocate(size);
  if (offset < 0) {  // a strategy that cannot use its whole range at once
    OnFullyFree(id);
    return kOsRefused;
  }
  return Reserved(id, static_cast<uint64_t>(offset), size);
}

int64_t ScalableAllocator::Borrow(uint64_t size) {
  POOLMEM_ASSERT(size >= 1 && size <= kMaxChunkBytes);
  borrowed_ = kNoChunk;
  int64_t handle = Place(size, false);
  if (handle < 0) {
    const int64_t grown = Grow(size);
    if (grown < 0) return grown;
    const uint32_t id = static_cast<uint32_t>(grown);
    const int64_t offset = slots_[id].arena->strategy().Find(size);
    POOLMEM_ASSERT(offset >= 0);
    borrowed_ = id;
    OnFullyFree(id);  // a grown chunk nobody uses yet is a spare candidate
    handle = MakeHandle(id, static_cast<uint64_t>(offset));
  }
  borrowed_ = static_cast<uint32_t>(static_cast<uint64_t>(handle) >> 32);
  POOLMEM_ASSERT_EXPENSIVE(Validate());
  return handle;
}

inline int64_t ScalableAllocator::Place(uint64_t size, bool reserve) {
  for (;;) {
    const uint32_t id = FirstAtLeast(size);
    if (id == kNoChunk) return -1;
    Slot& slot = slots_[id];
    const int64_t offset = reserve ? slot.strategy->Allocate(size) : slot.strategy->Find(size);
    if (offset >= 0) {
      return reserve ? Reserved(id, static_cast<uint64_t>(offset), size) : MakeHandle(id, static_cast<uint64_t>(offset));
    }
    // Fragmented: nothing of this size fits until something here is freed.
    slot.fail_min = std::min(slot.fail_min, size);
    UpdateKey(id);
  }
}

inline int64_t ScalableAllocator::Reserved(uint32_t id, uint64_t offset, uint64_t size) {
  total_malloc_ += size;
  slots_[id].used += size;
  allocations_.Add(id, offset, size);
  if (spare_ == id) spare_ = kNoChunk;
  UpdateKey(id);
  return MakeHandle(id, offset);
}

uint64_t ScalableAllocator::GrowthSize(uint64_t size) const {
  if (size > options_.max_chunk_size) return size;
  uint64_t largest = 0;
  for (const Slot& s : slots_) {
    if (s.arena && !s.dedicated) largest = std::max(largest, s.arena->size());
  }
  uint64_t next = largest == 0 ? options_.chunk_size : std::min(largest * 2, options_.max_chunk_size);
  while (next < size) next = std::min(next * 2, options_.max_chunk_size);
  return next;
}

int64_t ScalableAllocator::Grow(uint64_t size) {
  uint64_t want = GrowthSize(size);
  const uint64_t cap = options_.max_size;
  if (NoRoom(want)) {
    ReleaseSpare();  // before the cap refuses anything
    if (NoRoom(size)) return kCapReached;
    // Room for the request but not for a full growth step: a smaller chunk.
    if (want > cap - reserved_) want = std::max(size, (cap - reserved_) / kPage * kPage);
  }
  std::unique_ptr<Arena> arena = Arena::Create(want, options_.kind, options_.strategy, options_.huge_pages);
  if (!arena && !IsPowerOfTwo(want)) {
    // Strategies that only take powers of two (buddy) get the next one, cap permitting.
    const uint64_t rounded = NextPowerOfTwo(want);
    if (rounded <= kMaxChunkBytes && !NoRoom(rounded)) {
      want = rounded;
      arena = Arena::Create(want, options_.kind, options_.strategy, options_.huge_pages);
    }
  }
  if (!arena) return kOsRefused;
  // A strategy that rounds (buddy's aligned power-of-two blocks, first-fit's
  // granules) may not fit a request as large as the chunk itself: take the
  // next power of two until it does, so a failed growth leaves nothing behind.
  while (arena->strategy().Find(size) < 0) {
    const uint64_t bigger = want % kPage != 0 ? (want / kPage + 1) * kPage : NextPowerOfTwo(want + 1);
    if (NoRoom(bigger)) ReleaseSpare();  // as above; it may make the room
    if (bigger > kMaxChunkBytes || NoRoom(bigger)) return kCapReached;
    want = bigger;
    arena = Arena::Create(want, options_.kind, options_.strategy, options_.huge_pages);
    if (!arena) return kOsRefused;
  }

  uint32_t id = 0;
  while (id < slots_.size() && (slots_[id].arena || slots_[id].retired)) ++id;
  if (id >= kMaxChunks) return kOsRefused;
  if (id == slots_.size()) slots_.emplace_back();
  if (slots_.size() > index_.leaves()) {
    index_.Reset(2 * index_.leaves());
    for (uint32_t i = 0; i < slots_.size(); ++i) index_.Set(i, Key(slots_[i]));
  }
  Slot& slot = slots_[id];
  slot.arena = std::move(arena);
  slot.strategy = &slot.arena->strategy();
  slot.size = slot.arena->size();
  slot.usable = slot.arena->usable_size();
  slot.used = 0;
  slot.fail_min = UINT64_MAX;
  slot.dedicated = size > options_.max_chunk_size;
  if (listener_ && !listener_->OnChunkCreated(id, *slot.arena)) {
    slot = Slot{};
    return kOsRefused;
  }
  reserved_ += slot.arena->size();
  ++chunks_;
  UpdateKey(id);
  return id;
}

// ---- free, trim, recycle ------------------------------------------------------

FreeStatus ScalableAllocator::Free(uint32_t id, uint64_t offset, uint64_t size) {
  if (id >= slots_.size() || !slots_[id].arena) return FreeStatus::kOutOfRange;
  Slot& slot = slots_[id];
  if (size == 0) return offset <= slot.arena->size() ? FreeStatus::kOk : FreeStatus::kOutOfRange;
  const FreeStatus status = slot.strategy->Free(offset, size);
  if (status != FreeStatus::kOk) return status;
  const uint64_t removed = allocations_.Remove(id, offset, size);
  slot.used -= removed;
  total_free_ += removed;
  slot.fail_min = UINT64_MAX;
  UpdateKey(id);
  if (FullyFree(id)) OnFullyFree(id);
  POOLMEM_ASSERT_EXPENSIVE(Validate());
  return FreeStatus::kOk;
}

uint64_t ScalableAllocator::Trim() {
  uint64_t released = 0;
  for (uint32_t id = 0; id < slots_.size(); ++id) {
    if (slots_[id].arena && FullyFree(id)) {
      released += slots_[id].arena->size();
      Release(id);
    }
  }
  POOLMEM_ASSERT_EXPENSIVE(Validate());
  return released;
}

void ScalableAllocator::Recycle(const std::vector<uint32_t>& pinned) {
  borrowed_ = kNoChunk;
  spare_ = kNoChunk;
  uint32_t keep = kNoChunk;
  for (uint32_t id = 0; id < slots_.size(); ++id) {
    Slot& slot = slots_[id];
    slot.retired = false;  // every handle is void now: retired ids may be reused
    if (!slot.arena) continue;
    slot.arena->strategy().Reset(slot.size);
    slot.used = 0;
    slot.fail_min = UINT64_MAX;
    if (std::find(pinned.begin(), pinned.end(), id) != pinned.end()) continue;
    if (keep == kNoChunk || slot.arena->size() > slots_[keep].arena->size()) keep = id;
  }
  total_free_ = total_malloc_;
  allocations_.Clear();
  for (uint32_t id = 0; id < slots_.size(); ++id) {
    if (slots_[id].arena && id != keep) Release(id);
  }
  if (keep != kNoChunk) {
    spare_ = keep;
    UpdateKey(keep);
  }
  POOLMEM_ASSERT_EXPENSIVE(Validate());
}

// A chunk's memory left the allocator's control: whatever is live in it is
// freed by nobody (counted as freed, and as retired), and nothing is placed
// in it again. Dropping the arena lets go of the allocator's share of the
// region; whoever else holds it (the chunk's ArrayBuffer, now transferred,
// tracked blocks) keeps it mapped.
bool ScalableAllocator::Retire(uint32_t id) {
  if (id >= slots_.size() || !slots_[id].arena) return false;
  const uint64_t removed = allocations_.RemoveChunk(id);
  POOLMEM_ASSERT(removed == slots_[id].used);
  total_free_ += removed;
  retired_ += removed;
  Drop(id);
  slots_[id].retired = true;
  POOLMEM_ASSERT_EXPENSIVE(Validate());
  return true;
}

// ---- release policy -------------------------------------------------------------

// Against `usable`, not the size: a chunk of 1000 bytes on 16-byte granules
// never has its last 8 free, and was never released.
inline bool ScalableAllocator::FullyFree(uint32_t id) const {
  const Slot& s = slots_[id];
  return s.used == 0 && s.strategy->FreeSize() == s.usable;
}

inline void ScalableAllocator::OnFullyFree(uint32_t id) {
  if (spare_ == kNoChunk || spare_ == id) {
    spare_ = id;
  } else {
    KeepOneSpare(id);
  }
}

// Two fully free chunks: keep the larger (the older spare on ties), release
// the other, unless it holds the current borrow.
void ScalableAllocator::KeepOneSpare(uint32_t id) {
  uint32_t keep = spare_, drop = id;
  if (slots_[id].arena->size() > slots_[spare_].arena->size()) std::swap(keep, drop);
  if (drop == borrowed_) std::swap(keep, drop);
  Release(drop);
  spare_ = keep;
}

inline bool ScalableAllocator::NoRoom(uint64_t bytes) const {
  return bytes > options_.max_size || reserved_ > options_.max_size - bytes;
}

void ScalableAllocator::ReleaseSpare() {
  if (spare_ != kNoChunk && spare_ != borrowed_) Release(spare_);
}

void ScalableAllocator::Release(uint32_t id) {
  POOLMEM_ASSERT(slots_[id].arena && FullyFree(id));
  Drop(id);
}

void ScalableAllocator::Drop(uint32_t id) {
  Slot& slot = slots_[id];
  if (listener_) listener_->OnChunkReleased(id, *slot.arena);
  reserved_ -= slot.arena->size();
  --chunks_;
  if (spare_ == id) spare_ = kNoChunk;
  if (borrowed_ == id) borrowed_ = kNoChunk;
  slot = Slot{};
  UpdateKey(id);
}

// ---- chunk index ------------------------------------------------------------------

// size - used bounds the largest free range from above even when a strategy
// rounds requests up (buddy): it then has less free space, never more.
inline uint64_t ScalableAllocator::Key(const Slot& s) const {
  if (!s.arena) return 0;
  return std::min(s.size - s.used, s.fail_min - 1);
}

inline void ScalableAllocator::UpdateKey(uint32_t id) { index_.Set(id, Key(slots_[id])); }

inline uint32_t ScalableAllocator::FirstAtLeast(uint64_t size) const {
  const uint64_t leaf = index_.FirstAtLeast(size);
  return leaf == index_.kNone ? kNoChunk : static_cast<uint32_t>(leaf);
}

// ---- stats and validation -----------------------------------------------------------

ScalableStats ScalableAllocator::stats() const {
  ScalableStats s;
  s.chunks = chunks_;
  s.size = reserved_;
  s.used_size = total_malloc_ - total_free_;
  for (const Slot& slot : slots_) {
    if (slot.arena) s.free_size += slot.arena->free_size();
  }
  s.total_malloc = total_malloc_;
  s.total_free = total_free_;
  s.allocations = allocations_.count();
  s.retired = retired_;
  return s;
}

bool ScalableAllocator::Validate() const {
  uint64_t chunks = 0, reserved = 0, fully_free = 0, strategy_used = 0, slot_used = 0;
  for (uint32_t id = 0; id < slots_.size(); ++id) {
    const Slot& s = slots_[id];
    if (index_.Get(id) != Key(s)) return false;
    if (s.retired && s.arena) return false;
    if (!s.arena) continue;
    ++chunks;
    reserved += s.arena->size();
    if (s.size != s.arena->size() || s.usable > s.size || s.used > s.size - s.arena->free_size()) return false;
    slot_used += s.used;
    if (s.arena->size() > kMaxChunkBytes) return false;
    if (!s.arena->region() || s.arena->region()->size() != s.arena->size()) return false;
    if (!s.arena->strategy().Validate()) return false;
    strategy_used += s.arena->used_size();
    if (FullyFree(id)) {
      ++fully_free;
      if (spare_ != id) return false;
    }
    // The key bounds what fits: no request above it can be placed here. (Not
    // "no free range is longer": buddy may fail a request whose length some
    // free range has, when no aligned block of that order is free; fitting is
    // still monotone in size for every strategy, which is what the index uses.)
    if (Key(s) < s.arena->size() && s.arena->strategy().Find(Key(s) + 1) >= 0) return false;
  }
  for (uint64_t id = slots_.size(); id < index_.leaves(); ++id) {
    if (index_.Get(id) != 0) return false;
  }
  if (!index_.Consistent()) return false;
  if (spare_ != kNoChunk && (spare_ >= slots_.size() || !slots_[spare_].arena)) return false;
  if (!allocations_.Validate() || !ExtentsAreAllocated()) return false;
  const uint64_t used = total_malloc_ - total_free_;
  return chunks == chunks_ && reserved == reserved_ && slot_used == used && fully_free <= 1 && used <= strategy_used &&
         used == allocations_.LiveBytes() && total_free_ <= total_malloc_ && retired_ <= total_free_ &&
         (chunks == 0 || reserved <= options_.max_size);
}

// Every live extent lies in a chunk that exists and covers no free byte.
bool ScalableAllocator::ExtentsAreAllocated() const {
  std::vector<std::vector<FreeRange>> free(slots_.size());
  for (uint32_t id = 0; id < slots_.size(); ++id) {
    if (slots_[id].arena) slots_[id].strategy->Blocks(&free[id]);
  }
  bool ok = true;
  allocations_.ForEach([&](uint32_t chunk, uint64_t start, uint64_t end) {
    if (chunk >= slots_.size() || !slots_[chunk].arena || end > slots_[chunk].size) {
      ok = false;
      return;
    }
    // The first free range ending after `start` must begin at or after `end`.
    const std::vector<FreeRange>& ranges = free[chunk];
    const auto it = std::upper_bound(ranges.begin(), ranges.end(), start,
                                     [](uint64_t v, const FreeRange& r) { return v < r.end; });
    if (it != ranges.end() && it->start < end) ok = false;
  });
  return ok;
}

}  // namespace poolmem
