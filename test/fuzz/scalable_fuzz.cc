// libFuzzer target for ScalableAllocator over every strategy: small chunks
// (chunkSize 256..4096, maxChunkSize up to 8x that, a maxSize cap on half the
// inputs), up to 400 operations (malloc of 1 byte to 4 x maxChunkSize; whole,
// front, tail and middle frees; frees from inside one allocation into the
// next; double, overlapping, out-of-range and released-chunk frees; borrow;
// trim; recycle; retiring a chunk with whatever it holds, then stale frees
// into it; a listener that refuses the next chunk) against the interval
// model in scalable_model.h. Checks after every operation: the exact handle
// first fit across chunks predicts, every free's status, rejected frees
// change nothing, canaries intact, stats() and each chunk's free ranges equal
// the model's, at most one empty chunk and it is the spare (the smaller of
// two goes, never the borrowed one; the cap fails nothing while a spare is
// kept), only empty chunks are released (but for a retired one), a retired
// id is not reused before recycle, Validate().
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "strategies/buddy_allocator.h"
#include "strategies/first_fit_allocator.h"
#include "fuzz_check.h"
#include "pools/scalable_allocator.h"
#include "scalable_model.h"

namespace poolmem::fuzz {
namespace {

constexpr int kMaxOps = 400;
// No malloc or borrow once this much is reserved: a run stays a few MiB at most.
constexpr uint64_t kBudget = 512 * 1024;

uint32_t ChunkOf(int64_t handle) { return static_cast<uint32_t>(static_cast<uint64_t>(handle) >> 32); }
uint64_t OffsetOf(int64_t handle) { return static_cast<uint64_t>(handle) & 0xFFFFFFFFull; }

uint64_t GranuleOf(const ScalableOptions& o) {
  const uint64_t m = o.strategy.min_block;
  const uint64_t a = o.strategy.alignment;
  switch (o.kind) {
    case StrategyKind::kBuddy:
      return std::max(m != 0 ? m : BuddyAllocator::kDefaultMinBlock, a);
    case StrategyKind::kFirstFit:
      return std::max(m != 0 ? m : FirstFitAllocator::kDefaultGranule, a);
    default:
      return a;
  }
}

bool SameStats(const ScalableStats& a, const ScalableStats& b) {
  return a.chunks == b.chunks && a.size == b.size && a.used_size == b.used_size && a.free_size == b.free_size &&
         a.total_malloc == b.total_malloc && a.total_free == b.total_free && a.allocations == b.allocations;
}

class Driver : public ChunkListener {
 public:
  explicit Driver(ScalableAllocator& a) : a_(a), options_(a.options()), granule_(GranuleOf(options_)) {
    a_.set_listener(this);
  }
  ~Driver() override { a_.set_listener(nullptr); }

  void Run(FuzzedDataProvider& in) {
    Check();
    for (int op = 0; op < kMaxOps && in.remaining_bytes() > 0; ++op) {
      created_.clear();
      released_ = 0;
      refused_ = 0;
      switch (in.ConsumeIntegralInRange<int>(0, 15)) {
        case 0:
        case 1:
        case 2:
        case 3:
          MallocOp(in);
          break;
        case 4:
        case 5:
          if (model_.extents() > 0) FreeWhole(in);
          break;
        case 6:
          if (model_.extents() > 0) FreePart(in);
          break;
        case 7:
          if (model_.extents() > 0) FreeSpanning(in);
          break;
        case 8:
          if (model_.extents() > 0) FreeOverlapping(in);
          break;
        case 9:
          FreeAgain(in);
          break;
        case 10:
          FreeAnywhere(in);
          break;
        case 11:
          BorrowOp(in);
          break;
        case 12:
          TrimOp();
          break;
        case 13:
          if (in.ConsumeIntegralInRange<int>(0, 3) == 0) RecycleOp();
          break;
        case 14:
          if (in.ConsumeIntegralInRange<int>(0, 1) == 0) RetireOp(in);
          break;
        default:
          refuse_ = true;  // until the next chunk is asked for
          break;
      }
      Check();
    }
    // Everything freed and trimmed: nothing may stay reserved.
    while (model_.extents() > 0) {
      const ScalableModel::Extent e = model_.Nth(0);
      FreeChecked(e.chunk, e.start, e.end - e.start);
    }
    Check();
    released_ = 0;
    TrimOp();
    POOLMEM_FUZZ_CHECK(a_.stats().chunks == 0 && a_.stats().size == 0);
    Check();
  }

  // ---- listener: the model learns of chunks as they come and go -------------
  bool OnChunkCreated(uint32_t id, const Arena& chunk) override {
    POOLMEM_FUZZ_CHECK(!model_.HasChunk(id) && chunk.region() != nullptr && !Retired(id));
    if (refuse_) {
      refuse_ = false;
      ++refused_;
      return false;
    }
    model_.AddChunk(id, chunk.size(), granule_);
    created_.push_back(id);
    return true;
  }
  void OnChunkReleased(uint32_t id, const Arena& chunk) override {
    if (id == retiring_) {  // goes whatever it holds; the model learns after
      POOLMEM_FUZZ_CHECK(model_.HasChunk(id) && model_.ChunkSize(id) == chunk.size());
      released_ += chunk.size();
      return;
    }
    // Only a chunk with no live byte may go.
    POOLMEM_FUZZ_CHECK(model_.HasChunk(id) && model_.ChunkEmpty(id) && model_.ChunkSize(id) == chunk.size());
    model_.RemoveChunk(id);
    released_ += chunk.size();
    last_released_ = id;
    if (borrowed_ == id) borrowed_ = kNoChunk;
  }

 private:
  // ---- malloc and borrow --------------------------------------------------------
  uint64_t RequestSize(FuzzedDataProvider& in) {
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
      case 0:
        return in.ConsumeIntegralInRange<uint64_t>(1, 64);
      case 1:
        return in.ConsumeIntegralInRange<uint64_t>(1, options_.chunk_size);
      case 2:
        return in.ConsumeIntegralInRange<uint64_t>(1, options_.max_chunk_size);
      default:
        return in.ConsumeIntegralInRange<uint64_t>(1, 4 * options_.max_chunk_size);
    }
  }

  // First fit across chunks: the lowest id whose strategy fits n, where it
  // would put it; -1 when a chunk has to grow. (Each strategy's Find is
  // checked against its own reference model by the strategy targets.)
  int64_t Predict(uint64_t n) const {
    for (uint32_t id : model_.ChunkIds()) {
      const int64_t offset = a_.chunk(id)->strategy().Find(n);
      if (offset >= 0) return MakeHandle(id, static_cast<uint64_t>(offset));
    }
    return -1;
  }

  // Malloc and Borrow place alike: in the chunk Predict names, else in one
  // chunk grown for it, else they fail having grown nothing.
  void CheckPlacement(uint64_t n, int64_t want, int64_t got) {
    if (got >= 0) POOLMEM_FUZZ_CHECK(model_.CanPlace(ChunkOf(got), OffsetOf(got), n));
    if (want >= 0) {
      POOLMEM_FUZZ_CHECK(got == want && created_.empty() && released_ == 0 && refused_ == 0);
      return;
    }
    if (got >= 0) {
      POOLMEM_FUZZ_CHECK(created_.size() == 1 && created_[0] == ChunkOf(got) && refused_ == 0);
      return;
    }
    POOLMEM_FUZZ_CHECK(created_.empty());
    if (got == kOsRefused) {
      POOLMEM_FUZZ_CHECK(refused_ == 1);
      return;
    }
    // The cap fails a request only once the spare is gone.
    POOLMEM_FUZZ_CHECK(got == kCapReached && refused_ == 0 && a_.spare() == kNoChunk);
    // Byte-exact strategies never round a chunk up: the cap is the only reason.
    if (granule_ == 1) POOLMEM_FUZZ_CHECK(n > options_.max_size || model_.Reserved() > options_.max_size - n);
  }

  void Book(int64_t handle, uint64_t n) {
    const auto tag = static_cast<uint8_t>(++tags_ | 1);
    model_.Malloc(ChunkOf(handle), OffsetOf(handle), n, tag);
    std::memset(Bytes(ChunkOf(handle)) + OffsetOf(handle), tag, n);
  }

  void MallocOp(FuzzedDataProvider& in) {
    const uint64_t n = RequestSize(in);
    if (model_.Reserved() > kBudget) return;
    const int64_t want = Predict(n);
    borrowed_ = kNoChunk;  // a borrow lasts until the next malloc or borrow
    const int64_t got = a_.Malloc(n);
    CheckPlacement(n, want, got);
    if (got >= 0) Book(got, n);
  }

  // A borrow reserves nothing; the next malloc of the same size returns it.
  void BorrowOp(FuzzedDataProvider& in) {
    const uint64_t n = RequestSize(in);
    if (model_.Reserved() > kBudget) return;
    const int64_t want = Predict(n);
    borrowed_ = kNoChunk;
    const int64_t got = a_.Borrow(n);
    CheckPlacement(n, want, got);
    if (got >= 0) borrowed_ = ChunkOf(got);
    if (got < 0 || !in.ConsumeBool()) return;
    Check();
    created_.clear();
    released_ = 0;
    borrowed_ = kNoChunk;
    POOLMEM_FUZZ_CHECK(a_.Malloc(n) == got && created_.empty() && released_ == 0);
    Book(got, n);
  }

  // ---- frees ------------------------------------------------------------------
  // The model judges first. A free it accepts is booked (canaries checked)
  // before the call, since the call may release the chunk; a free it rejects
  // must change nothing.
  void FreeChecked(uint32_t chunk, uint64_t offset, uint64_t n) {
    const FreeStatus want = model_.Expect(chunk, offset, n);
    const ScalableStats before = a_.stats();
    const uint64_t released = released_;
    const uint32_t borrowed = borrowed_;
    if (want == FreeStatus::kOk && n > 0) {
      const uint8_t* bytes = Bytes(chunk);
      model_.Free(chunk, offset, offset + n, [&](const ScalableModel::Extent& e, uint64_t from, uint64_t to) {
        for (uint64_t i = from; i < to; ++i) POOLMEM_FUZZ_CHECK(bytes[i] == e.tag);
      });
      freed_[freed_next_++ % freed_.size()] = {chunk, offset, n};
    }
    POOLMEM_FUZZ_CHECK(a_.Free(chunk, offset, n) == want);
    if (want != FreeStatus::kOk || n == 0) POOLMEM_FUZZ_CHECK(released_ == released && SameStats(before, a_.stats()));
    if (released_ != released) CheckSpareKept(chunk, released_ - released, borrowed);
  }

  // A free left two chunks empty and one went: the smaller (on a tie the one
  // just emptied, not the older spare), never the chunk of the last borrow.
  void CheckSpareKept(uint32_t emptied, uint64_t released, uint32_t borrowed) const {
    const uint32_t kept = a_.spare();
    POOLMEM_FUZZ_CHECK(kept != kNoChunk && last_released_ != borrowed);
    if (kept == borrowed) return;
    const uint64_t size = model_.ChunkSize(kept);
    POOLMEM_FUZZ_CHECK(size > released || (size == released && last_released_ == emptied));
  }

  ScalableModel::Extent PickExtent(FuzzedDataProvider& in) const {
    return model_.Nth(in.ConsumeIntegralInRange<uint64_t>(0, model_.extents() - 1));
  }

  void FreeWhole(FuzzedDataProvider& in) {
    const ScalableModel::Extent e = PickExtent(in);
    FreeChecked(e.chunk, e.start, e.end - e.start);
    if (in.ConsumeBool()) FreeChecked(e.chunk, e.start, e.end - e.start);  // double (or released chunk)
  }

  void FreePart(FuzzedDataProvider& in) {
    const ScalableModel::Extent e = PickExtent(in);
    const uint64_t len = e.end - e.start;
    if (len < 3) return FreeChecked(e.chunk, e.start, len);
    const uint64_t a = in.ConsumeIntegralInRange<uint64_t>(1, len - 2);
    const uint64_t c = in.ConsumeIntegralInRange<uint64_t>(a + 1, len - 1);
    switch (in.ConsumeIntegralInRange<int>(0, 2)) {
      case 0:
        return FreeChecked(e.chunk, e.start, a);  // front trim
      case 1:
        return FreeChecked(e.chunk, e.start + a, len - a);  // tail trim
      default:
        return FreeChecked(e.chunk, e.start + a, c - a);  // middle: splits it
    }
  }

  // From inside one extent into the next in its chunk: trims both when they
  // are adjacent, is a double free across the gap when not.
  void FreeSpanning(FuzzedDataProvider& in) {
    const ScalableModel::Extent e = PickExtent(in);
    const ScalableModel::Extent* next = model_.Next(e);
    if (next == nullptr) return FreeChecked(e.chunk, e.start, e.end - e.start);
    const uint64_t from = e.start + in.ConsumeIntegralInRange<uint64_t>(0, e.end - e.start - 1);
    const uint64_t to = next->start + in.ConsumeIntegralInRange<uint64_t>(1, next->end - next->start);
    FreeChecked(e.chunk, from, to - from);
  }

  // Part of an extent and the bytes just past its end or before its start.
  void FreeOverlapping(FuzzedDataProvider& in) {
    const ScalableModel::Extent e = PickExtent(in);
    const uint64_t inside = in.ConsumeIntegralInRange<uint64_t>(0, e.end - e.start - 1);
    const uint64_t outside = in.ConsumeIntegralInRange<uint64_t>(1, 64);
    if (in.ConsumeBool() || e.start < outside) {
      FreeChecked(e.chunk, e.start + inside, e.end - e.start - inside + outside);
    } else {
      FreeChecked(e.chunk, e.start - outside, outside + inside + 1);
    }
  }

  // A range freed earlier, again or shifted: by now a double free, a free on
  // a released (or reused) chunk, or valid again after a malloc.
  void FreeAgain(FuzzedDataProvider& in) {
    Freed f = freed_[in.ConsumeIntegralInRange<size_t>(0, freed_.size() - 1)];
    if (f.n == 0) return;
    if (in.ConsumeBool()) f.offset += in.ConsumeIntegralInRange<uint64_t>(0, f.n - 1);
    FreeChecked(f.chunk, f.offset, f.n);
  }

  // Any chunk id (live, released or never made), any range, up to lengths
  // that overflow offset + n.
  void FreeAnywhere(FuzzedDataProvider& in) {
    const uint32_t chunk = in.ConsumeIntegralInRange<uint32_t>(0, a_.chunk_slots() + 1);
    const uint64_t offset = in.ConsumeIntegralInRange<uint64_t>(0, 4 * options_.max_chunk_size + 16);
    const uint64_t n = in.ConsumeBool() ? in.ConsumeIntegralInRange<uint64_t>(0, 256)
                                        : in.ConsumeIntegralInRange<uint64_t>(0, UINT64_MAX);
    FreeChecked(chunk, offset, n);
  }

  // ---- retire ---------------------------------------------------------------------
  // Any id (a chunk, a retired or released one, or none): a chunk goes with
  // everything in it, its canaries untouched; anything else changes nothing.
  void RetireOp(FuzzedDataProvider& in) {
    const uint32_t id = in.ConsumeIntegralInRange<uint32_t>(0, a_.chunk_slots());
    const bool exists = model_.HasChunk(id);
    const uint64_t size = exists ? model_.ChunkSize(id) : 0;
    if (exists) {
      for (uint64_t i = 0; i < model_.extents(); ++i) {
        const ScalableModel::Extent& e = model_.Nth(i);
        if (e.chunk != id) continue;
        const uint8_t* p = Bytes(id);
        for (uint64_t b = e.start; b < e.end; ++b) POOLMEM_FUZZ_CHECK(p[b] == e.tag);
      }
    }
    const ScalableStats before = a_.stats();
    retiring_ = id;
    const bool retired = a_.Retire(id);
    retiring_ = kNoChunk;
    POOLMEM_FUZZ_CHECK(retired == exists && released_ == size);
    if (!exists) {
      POOLMEM_FUZZ_CHECK(SameStats(before, a_.stats()));
      return;
    }
    model_.Retire(id);
    retired_ids_.push_back(id);
    if (borrowed_ == id) borrowed_ = kNoChunk;
    POOLMEM_FUZZ_CHECK(a_.retired(id) && a_.spare() != id);
  }
  bool Retired(uint32_t id) const { return std::count(retired_ids_.begin(), retired_ids_.end(), id) != 0; }

  // ---- trim and recycle -----------------------------------------------------------
  void TrimOp() {
    POOLMEM_FUZZ_CHECK(a_.Trim() == released_);
    for (uint32_t id : model_.ChunkIds()) POOLMEM_FUZZ_CHECK(!model_.ChunkEmpty(id));
  }

  // Everything is freed and only the largest chunk stays, as the spare.
  void RecycleOp() {
    uint64_t largest = 0;
    for (uint32_t id : model_.ChunkIds()) largest = std::max(largest, model_.ChunkSize(id));
    model_.FreeAll();
    borrowed_ = kNoChunk;
    a_.Recycle();
    retired_ids_.clear();  // every handle is void: the ids may come back
    POOLMEM_FUZZ_CHECK(model_.ChunkCount() == (largest != 0 ? 1u : 0u));
    if (largest != 0) {
      const uint32_t kept = model_.ChunkIds()[0];
      POOLMEM_FUZZ_CHECK(model_.ChunkSize(kept) == largest && a_.spare() == kept);
    }
  }

  // ---- checks after every operation -----------------------------------------------
  void Check() {
    const ScalableStats s = a_.stats();
    POOLMEM_FUZZ_CHECK(s.used_size == model_.live() && s.total_malloc == model_.total_malloc() &&
                       s.total_free == model_.total_free() && s.allocations == model_.extents() &&
                       s.retired == model_.retired());
    POOLMEM_FUZZ_CHECK(s.chunks == model_.ChunkCount() && s.size == model_.Reserved());
    POOLMEM_FUZZ_CHECK(s.chunks == 0 || s.size <= options_.max_size);
    uint64_t free_size = 0, empty = 0;
    for (uint32_t id : model_.ChunkIds()) {
      const Arena* chunk = a_.chunk(id);
      POOLMEM_FUZZ_CHECK(chunk != nullptr && chunk->size() == model_.ChunkSize(id));
      chunk->strategy().Blocks(&blocks_);
      const std::vector<FreeRange> want = model_.FreeRanges(id);
      POOLMEM_FUZZ_CHECK(blocks_.size() == want.size());
      uint64_t chunk_free = 0;
      for (size_t i = 0; i < want.size(); ++i) {
        POOLMEM_FUZZ_CHECK(blocks_[i].start == want[i].start && blocks_[i].end == want[i].end);
        chunk_free += want[i].end - want[i].start;
      }
      POOLMEM_FUZZ_CHECK(chunk->free_size() == chunk_free);
      free_size += chunk_free;
      if (model_.ChunkEmpty(id)) {
        ++empty;
        POOLMEM_FUZZ_CHECK(a_.spare() == id);  // hysteresis: the one empty chunk kept
      }
    }
    POOLMEM_FUZZ_CHECK(s.free_size == free_size && empty <= 1);
    POOLMEM_FUZZ_CHECK(a_.spare() == kNoChunk || (model_.HasChunk(a_.spare()) && model_.ChunkEmpty(a_.spare())));
    for (uint32_t id = 0; id < a_.chunk_slots(); ++id) {
      POOLMEM_FUZZ_CHECK((a_.chunk(id) != nullptr) == model_.HasChunk(id) && a_.retired(id) == Retired(id));
    }
    POOLMEM_FUZZ_CHECK(a_.Validate());
  }

  uint8_t* Bytes(uint32_t chunk) const { return a_.chunk(chunk)->region()->data(); }

  struct Freed {
    uint32_t chunk = 0;
    uint64_t offset = 0, n = 0;
  };

  ScalableAllocator& a_;
  const ScalableOptions options_;
  const uint64_t granule_;
  ScalableModel model_;
  std::vector<FreeRange> blocks_;
  std::vector<uint32_t> created_;   // chunks made during this operation
  uint64_t released_ = 0;           // bytes of chunks released during it
  int refused_ = 0;                 // chunk creations refused during it
  bool refuse_ = false;
  uint32_t last_released_ = kNoChunk;
  uint32_t borrowed_ = kNoChunk;    // chunk of the last borrow, as the allocator keeps it
  uint32_t retiring_ = kNoChunk;    // the chunk RetireOp is taking out
  std::vector<uint32_t> retired_ids_;  // since the last recycle
  uint8_t tags_ = 0;
  std::vector<Freed> freed_ = std::vector<Freed>(16);  // the last ranges freed
  size_t freed_next_ = 0;
};

}  // namespace
}  // namespace poolmem::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace poolmem;
  FuzzedDataProvider in(data, size);
  ScalableOptions o;
  o.kind = static_cast<StrategyKind>(in.ConsumeIntegralInRange<int>(0, 3));
  const bool granular = o.kind == StrategyKind::kBuddy || o.kind == StrategyKind::kFirstFit;
  if (granular && in.ConsumeBool()) o.strategy.min_block = uint64_t{16} << in.ConsumeIntegralInRange<int>(0, 4);
  o.strategy.alignment = uint64_t{1} << in.ConsumeIntegralInRange<int>(0, 6);
  o.chunk_size = in.ConsumeIntegralInRange<uint64_t>(256, 4096);
  o.max_chunk_size = in.ConsumeIntegralInRange<uint64_t>(o.chunk_size, 8 * o.chunk_size);
  if (in.ConsumeBool()) o.max_size = in.ConsumeIntegralInRange<uint64_t>(1, 16 * o.max_chunk_size);
  std::unique_ptr<ScalableAllocator> a = ScalableAllocator::Create(o);
  POOLMEM_FUZZ_CHECK(a != nullptr);
  poolmem::fuzz::Driver(*a).Run(in);
  return 0;
}
