// libFuzzer target for ProcessAllocator (alloc()/free()'s core) over small
// first-fit arenas (4 KiB to 16 KiB, a spare limit of none, one arena or
// more), two owners (threads), up to 400 operations: allocations of 1 byte
// to three arenas (above half an arena: an arena of its own), whole frees,
// partial frees of any sub-range, frees from inside one block into the next,
// invalid frees (double, out of range, unknown or released arena, the other
// owner's block or the spare), and an owner giving everything back
// (ReturnAll). The model keeps, per arena in creation order, its owner, every
// byte's block and every granule's reservation. Checks after every
// operation: the exact arena and offset first fit predicts among the
// owner's arenas and the spare (or a new arena exactly when none fits),
// 16-byte alignment, each free's result (kDoubleFree unless every byte is
// live in an arena of the caller's, arenas released or spared exactly when
// their last granule goes, the old spare's id), failed frees change nothing,
// a granule is free exactly when none of its bytes is live, canaries intact,
// GetStats() equals the model's, Validate().
#include <cstring>
#include <vector>

#include "fuzz_check.h"
#include "pools/process_allocator.h"

namespace poolmem::fuzz {
namespace {

using Block = ProcessAllocator::Block;
using FreeResult = ProcessAllocator::FreeResult;
constexpr uint64_t kGranule = ProcessAllocator::kAlign;
constexpr uint64_t kPage = 4096;

using Owner = ProcessAllocator::Owner;
constexpr Owner kOwners[] = {1, 2};

struct ModelArena {
  uint64_t id;
  uint64_t size;
  Owner holder;                // whose blocks it holds (unless it is the spare)
  std::vector<uint8_t> owner;  // per byte: 0 not live, else the canary of its block
  std::vector<bool> reserved;  // per granule
  bool spare = false;

  uint64_t ReservedGranules() const {
    uint64_t n = 0;
    for (bool r : reserved) n += r;
    return n;
  }
  // The lowest run of `granules` free granules, or -1: first fit's answer.
  int64_t Fit(uint64_t granules) const {
    uint64_t run = 0;
    for (uint64_t g = 0; g < reserved.size(); ++g) {
      run = reserved[g] ? 0 : run + 1;
      if (run == granules) return static_cast<int64_t>((g + 1 - granules) * kGranule);
    }
    return -1;
  }
};

struct LiveBlock {
  uint64_t arena_id;
  uint64_t offset;
  uint64_t size;
  Owner holder;
};

class Driver {
 public:
  Driver(uint64_t arena_size, uint64_t max_spare)
      : a_(StrategyKind::kFirstFit, arena_size, max_spare), arena_size_(arena_size), max_spare_(max_spare) {}

  void Run(FuzzedDataProvider& in) {
    for (int op = 0; op < 400 && in.remaining_bytes() > 0; ++op) {
      switch (in.ConsumeIntegralInRange<int>(0, 9)) {
        case 0: case 1: case 2: AllocOp(in); break;
        case 3: case 4: if (!live_.empty()) FreeWhole(in); break;
        case 5: if (!live_.empty()) FreePart(in); break;
        case 6: if (!live_.empty()) FreeSpanning(in); break;
        case 7: if (!live_.empty()) ForeignFree(in); break;
        case 8: if (in.ConsumeIntegralInRange<int>(0, 7) == 0) ReturnAll(kOwners[in.ConsumeBool()]); break;
        default: InvalidFree(in); break;
      }
      Check();
    }
    while (!live_.empty()) {
      const LiveBlock b = live_.back();
      Free(b.arena_id, b.offset, b.size, b.holder);
    }
    Check();
    POOLMEM_FUZZ_CHECK(a_.GetStats().used_size == 0);
  }

 private:
  ModelArena* Find(uint64_t id) {
    for (ModelArena& m : arenas_) {
      if (m.id == id) return &m;
    }
    return nullptr;
  }

  void AllocOp(FuzzedDataProvider& in) {
    const Owner holder = kOwners[in.ConsumeBool()];
    const uint64_t size = in.ConsumeIntegralInRange<uint64_t>(1, 3 * arena_size_);
    const uint64_t granules = (size + kGranule - 1) / kGranule;
    ModelArena* expected = nullptr;
    int64_t expected_offset = -1;
    for (ModelArena& m : arenas_) {
      if ((m.holder == holder || m.spare) && (expected_offset = m.Fit(granules)) >= 0) {
        expected = &m;
        break;
      }
    }
    Block b;
    POOLMEM_FUZZ_CHECK(a_.Allocate(size, &b, holder) == ProcessAllocator::AllocStatus::kOk);
    POOLMEM_FUZZ_CHECK(b.offset % kGranule == 0);
    ModelArena* m = Find(b.arena_id);
    if (expected != nullptr) {
      POOLMEM_FUZZ_CHECK(m == expected && b.offset == static_cast<uint64_t>(expected_offset));
    } else {
      POOLMEM_FUZZ_CHECK(m == nullptr);
      const uint64_t need = granules * kGranule;
      const uint64_t arena = need > arena_size_ / 2 ? (need + kPage - 1) / kPage * kPage : arena_size_;
      POOLMEM_FUZZ_CHECK(a_.Region(b.arena_id)->size() == arena);
      arenas_.push_back(
          {b.arena_id, arena, holder, std::vector<uint8_t>(arena, 0), std::vector<bool>(arena / kGranule, false)});
      m = &arenas_.back();
    }
    m->spare = false;
    m->holder = holder;  // a claimed spare changes hands
    const uint8_t canary = static_cast<uint8_t>(1 + (next_canary_++ % 255));
    for (uint64_t g = b.offset / kGranule; g < b.offset / kGranule + granules; ++g) m->reserved[g] = true;
    std::memset(m->owner.data() + b.offset, canary, size);
    std::memset(a_.Region(b.arena_id)->data() + b.offset, canary, size);
    live_.push_back({b.arena_id, b.offset, size, holder});
  }

  void FreeWhole(FuzzedDataProvider& in) {
    const LiveBlock b = live_[in.ConsumeIntegralInRange<size_t>(0, live_.size() - 1)];
    Free(b.arena_id, b.offset, b.size, b.holder);
  }

  // A live block (or part of it) freed by the other owner: refused.
  void ForeignFree(FuzzedDataProvider& in) {
    const LiveBlock b = live_[in.ConsumeIntegralInRange<size_t>(0, live_.size() - 1)];
    const uint64_t from = in.ConsumeIntegralInRange<uint64_t>(0, b.size - 1);
    Free(b.arena_id, b.offset + from, b.size - from, b.holder == kOwners[0] ? kOwners[1] : kOwners[0]);
  }

  // The owner goes away: its arenas (not the spare) are dropped whole.
  void ReturnAll(Owner holder) {
    uint64_t expected = 0;
    std::vector<uint64_t> gone;
    for (const ModelArena& m : arenas_) {
      if (m.holder == holder && !m.spare) {
        expected += m.ReservedGranules() * kGranule;
        gone.push_back(m.id);
      }
    }
    POOLMEM_FUZZ_CHECK(a_.ReturnAll(holder) == expected);
    for (uint64_t id : gone) {
      Drop(id);
      POOLMEM_FUZZ_CHECK(a_.Region(id) == nullptr);
    }
    std::vector<LiveBlock> next;
    for (const LiveBlock& b : live_) {
      if (b.holder != holder) next.push_back(b);
    }
    live_ = std::move(next);
  }

  void FreePart(FuzzedDataProvider& in) {
    const LiveBlock b = live_[in.ConsumeIntegralInRange<size_t>(0, live_.size() - 1)];
    const uint64_t from = in.ConsumeIntegralInRange<uint64_t>(0, b.size - 1);
    const uint64_t to = in.ConsumeIntegralInRange<uint64_t>(from + 1, b.size);
    Free(b.arena_id, b.offset + from, to - from, b.holder);
  }

  // From inside one block past its end (into a neighbour, or free bytes).
  void FreeSpanning(FuzzedDataProvider& in) {
    const LiveBlock b = live_[in.ConsumeIntegralInRange<size_t>(0, live_.size() - 1)];
    const uint64_t from = in.ConsumeIntegralInRange<uint64_t>(0, b.size - 1);
    Free(b.arena_id, b.offset + from, b.size - from + in.ConsumeIntegralInRange<uint64_t>(1, 64), b.holder);
  }

  void InvalidFree(FuzzedDataProvider& in) {
    const Owner holder = kOwners[in.ConsumeBool()];
    switch (in.ConsumeIntegralInRange<int>(0, 2)) {
      case 0:  // an id that was never an arena's, or one released already
        Free(in.ConsumeBool() || released_.empty() ? in.ConsumeIntegral<uint32_t>() : released_.back(), 0, 16, holder);
        break;
      case 1:
        if (!arenas_.empty()) {
          const ModelArena& m = arenas_[in.ConsumeIntegralInRange<size_t>(0, arenas_.size() - 1)];
          Free(m.id, m.size - in.ConsumeIntegralInRange<uint64_t>(0, 8), 16, holder);  // past the end
        }
        break;
      default:
        if (!arenas_.empty()) {  // anywhere: live, free or half of each, either owner's
          const ModelArena& m = arenas_[in.ConsumeIntegralInRange<size_t>(0, arenas_.size() - 1)];
          const uint64_t offset = in.ConsumeIntegralInRange<uint64_t>(0, m.size - 1);
          Free(m.id, offset, in.ConsumeIntegralInRange<uint64_t>(0, m.size - offset), holder);
        }
        break;
    }
  }

  // The model's answer for a free, applied to the model; then the real one.
  void Free(uint64_t id, uint64_t offset, uint64_t size, Owner holder) {
    ModelArena* m = Find(id);
    const size_t dropped = released_.size();
    FreeResult expected;
    uint64_t expected_released = 0;
    if (m == nullptr) {
      expected = FreeResult::kUnknownArena;
    } else if (offset >= m->size || size > m->size - offset) {
      expected = FreeResult::kOutOfRange;
    } else if (size > 0 && (m->holder != holder || m->spare)) {
      expected = FreeResult::kDoubleFree;  // not the caller's arena
    } else {
      bool all_live = true;
      for (uint64_t i = offset; i < offset + size; ++i) all_live = all_live && m->owner[i] != 0;
      // Every freed byte still holds its owner's canary.
      for (uint64_t i = offset; all_live && i < offset + size; ++i) {
        POOLMEM_FUZZ_CHECK(a_.Region(id)->data()[i] == m->owner[i]);
      }
      expected = all_live ? ApplyFree(*m, offset, size, &expected_released) : FreeResult::kDoubleFree;
    }
    uint64_t released = 0;
    POOLMEM_FUZZ_CHECK(a_.Free(id, offset, size, &released, holder) == expected);
    if (expected == FreeResult::kSpareReleased) POOLMEM_FUZZ_CHECK(released == expected_released);
    // The arenas the model dropped are gone now.
    for (size_t i = dropped; i < released_.size(); ++i) POOLMEM_FUZZ_CHECK(a_.Region(released_[i]) == nullptr);
  }

  FreeResult ApplyFree(ModelArena& m, uint64_t offset, uint64_t size, uint64_t* released) {
    if (size == 0) return FreeResult::kOk;
    std::memset(m.owner.data() + offset, 0, size);
    for (uint64_t g = offset / kGranule; g * kGranule < offset + size; ++g) {
      bool live = false;
      for (uint64_t i = g * kGranule; i < (g + 1) * kGranule && i < m.size; ++i) live = live || m.owner[i] != 0;
      if (!live) m.reserved[g] = false;
    }
    TrimLive(m.id, offset, size);
    if (m.ReservedGranules() != 0) return FreeResult::kOk;
    const uint64_t id = m.id;
    if (m.size > max_spare_) {
      Drop(id);
      return FreeResult::kArenaReleased;
    }
    ModelArena* old = nullptr;
    for (ModelArena& other : arenas_) {
      if (other.spare) old = &other;
    }
    Find(id)->spare = true;
    if (old == nullptr) return FreeResult::kArenaSpared;
    *released = old->id;
    Drop(old->id);
    return FreeResult::kSpareReleased;
  }

  // Live blocks lose the freed bytes (a block's list entry may split).
  void TrimLive(uint64_t id, uint64_t offset, uint64_t size) {
    std::vector<LiveBlock> next;
    for (const LiveBlock& b : live_) {
      if (b.arena_id != id || b.offset + b.size <= offset || offset + size <= b.offset) {
        next.push_back(b);
        continue;
      }
      if (b.offset < offset) next.push_back({id, b.offset, offset - b.offset, b.holder});
      if (offset + size < b.offset + b.size) {
        next.push_back({id, offset + size, b.offset + b.size - offset - size, b.holder});
      }
    }
    live_ = std::move(next);
  }

  void Drop(uint64_t id) {
    for (size_t i = 0; i < arenas_.size(); ++i) {
      if (arenas_[i].id == id) {
        arenas_.erase(arenas_.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
    released_.push_back(id);
  }

  void Check() {
    const ProcessAllocator::Stats s = a_.GetStats();
    uint64_t size = 0, used = 0, spare = 0;
    for (const ModelArena& m : arenas_) {
      size += m.size;
      used += m.ReservedGranules() * kGranule;
      if (m.spare) spare = m.size;
    }
    POOLMEM_FUZZ_CHECK(s.arenas == arenas_.size() && s.size == size && s.used_size == used && s.spare_size == spare);
    POOLMEM_FUZZ_CHECK(a_.Validate());
  }

  ProcessAllocator a_;
  const uint64_t arena_size_;
  const uint64_t max_spare_;
  std::vector<ModelArena> arenas_;  // creation order: the first-fit scan order
  std::vector<LiveBlock> live_;     // live byte ranges, each inside one block
  std::vector<uint64_t> released_;
  unsigned next_canary_ = 0;
};

}  // namespace
}  // namespace poolmem::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const uint64_t arena_size = poolmem::fuzz::kPage << in.ConsumeIntegralInRange<int>(0, 2);
  const uint64_t spare_choices[] = {0, arena_size, 4 * arena_size};
  poolmem::fuzz::Driver driver(arena_size, spare_choices[in.ConsumeIntegralInRange<int>(0, 2)]);
  driver.Run(in);
  return 0;
}
