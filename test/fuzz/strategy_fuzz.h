// The libFuzzer driver every strategy's target shares: the input is decoded
// with FuzzedDataProvider into an arena size, an option and up to 400
// operations (allocate, whole free, head/tail/middle partial free, a free
// spanning two adjacent blocks, an invalid free), run against the strategy
// and the brute-force ReferenceModel. Any disagreement traps. Checks after
// every operation: the exact offset the fit rule predicts, alignment, in
// bounds, no overlap with a live block (CanPlace), tag bytes of every block
// intact at free, failed frees answer the model's status and change
// nothing, blocks() and freeSize equal the model's, Validate() holds.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "fuzz_check.h"
#include "strategies/range_strategy.h"
#include "strategy_reference.h"

namespace poolmem::fuzz {

struct Block {
  uint64_t offset;
  uint64_t size;
  uint8_t tag;
};

class Driver {
 public:
  Driver(RangeStrategy& s, testing::FitRule rule, uint64_t granule)
      : s_(s), rule_(rule), model_(s.Size(), granule), memory_(s.Size(), 0) {}

  void Run(FuzzedDataProvider& in) {
    Check();
    for (int op = 0; op < 400 && in.remaining_bytes() > 0; ++op) {
      switch (in.ConsumeIntegralInRange<int>(0, 7)) {
        case 0:
        case 1:
        case 2:
          AllocateOp(in);
          break;
        case 3:
        case 4:
          if (!live_.empty()) FreeWhole(in.ConsumeIntegralInRange<size_t>(0, live_.size() - 1));
          break;
        case 5:
          if (!live_.empty()) FreePart(in);
          break;
        case 6:
          if (!live_.empty()) FreeSpanning(in.ConsumeIntegralInRange<size_t>(0, live_.size() - 1));
          break;
        default:
          InvalidFree(in);
          break;
      }
      Check();
    }
    while (!live_.empty()) FreeWhole(live_.size() - 1);
    Check();
    POOLMEM_FUZZ_CHECK(s_.FreeSize() == model_.granules() * model_.granule());
  }

 private:
  void AllocateOp(FuzzedDataProvider& in) {
    const uint64_t limit = s_.Size() + 32;
    const uint64_t n = in.ConsumeBool() ? in.ConsumeIntegralInRange<uint64_t>(1, 64)
                                        : in.ConsumeIntegralInRange<uint64_t>(1, limit);
    const int64_t expected = model_.Expected(rule_, n);
    const int64_t found = s_.Find(n);
    const int64_t got = s_.Allocate(n);
    POOLMEM_FUZZ_CHECK(found == got);
    if (rule_ == testing::FitRule::kAnyFit) {
      POOLMEM_FUZZ_CHECK((got == kNoFit) == (expected == kNoFit));
    } else {
      POOLMEM_FUZZ_CHECK(got == expected);
    }
    if (got == kNoFit) return;
    const uint64_t off = static_cast<uint64_t>(got);
    POOLMEM_FUZZ_CHECK(off + n <= s_.Size());
    POOLMEM_FUZZ_CHECK(model_.CanPlace(off, n));  // aligned, every granule free
    model_.Mark(off, n, true);
    const auto tag = static_cast<uint8_t>(++tags_ | 1);
    for (uint64_t i = 0; i < n; ++i) memory_[off + i] = tag;
    live_.push_back({off, n, tag});
  }

  void VerifyTag(const Block& b, uint64_t from, uint64_t to) {
    for (uint64_t i = from; i < to; ++i) POOLMEM_FUZZ_CHECK(memory_[b.offset + i] == b.tag);
  }

  void FreeOk(uint64_t offset, uint64_t n) {
    POOLMEM_FUZZ_CHECK(s_.Free(offset, n) == FreeStatus::kOk);
    model_.Mark(offset, n, false);
    for (uint64_t i = offset; i < offset + n; ++i) memory_[i] = 0;
  }

  void FreeWhole(size_t idx) {
    const Block b = live_[idx];
    VerifyTag(b, 0, b.size);
    FreeOk(b.offset, b.size);
    POOLMEM_FUZZ_CHECK(s_.Free(b.offset, b.size) == FreeStatus::kDoubleFree);
    live_[idx] = live_.back();
    live_.pop_back();
  }

  void FreePart(FuzzedDataProvider& in) {
    const size_t idx = in.ConsumeIntegralInRange<size_t>(0, live_.size() - 1);
    const Block b = live_[idx];
    if (b.size < 3) return FreeWhole(idx);
    const uint64_t a = in.ConsumeIntegralInRange<uint64_t>(1, b.size - 2);
    const uint64_t c = in.ConsumeIntegralInRange<uint64_t>(a + 1, b.size - 1);
    switch (in.ConsumeIntegralInRange<int>(0, 2)) {
      case 0:  // head
        VerifyTag(b, 0, a);
        FreeOk(b.offset, a);
        live_[idx] = {b.offset + a, b.size - a, b.tag};
        break;
      case 1:  // tail
        VerifyTag(b, a, b.size);
        FreeOk(b.offset + a, b.size - a);
        live_[idx].size = a;
        break;
      default:  // middle
        VerifyTag(b, a, c);
        FreeOk(b.offset + a, c - a);
        live_[idx].size = a;
        live_.push_back({b.offset + c, b.size - c, b.tag});
        break;
    }
  }

  void FreeSpanning(size_t i) {
    for (size_t j = 0; j < live_.size(); ++j) {
      if (live_[j].offset != live_[i].offset + live_[i].size) continue;
      const Block a = live_[i], b = live_[j];
      VerifyTag(a, 0, a.size);
      VerifyTag(b, 0, b.size);
      FreeOk(a.offset, a.size + b.size);
      live_.erase(live_.begin() + static_cast<std::ptrdiff_t>(i > j ? i : j));
      live_.erase(live_.begin() + static_cast<std::ptrdiff_t>(i > j ? j : i));
      return;
    }
  }

  void InvalidFree(FuzzedDataProvider& in) {
    const uint64_t offset = in.ConsumeIntegralInRange<uint64_t>(0, s_.Size() + 16);
    const uint64_t n = in.ConsumeBool() ? in.ConsumeIntegralInRange<uint64_t>(0, 64)
                                        : in.ConsumeIntegralInRange<uint64_t>(0, UINT64_MAX);
    const FreeStatus want = model_.ExpectedFree(offset, n);
    if (want == FreeStatus::kOk) return;  // a valid free would desync the block list
    POOLMEM_FUZZ_CHECK(s_.Free(offset, n) == want);
  }

  void Check() {
    s_.Blocks(&blocks_);
    const std::vector<FreeRange> want = model_.Ranges();
    POOLMEM_FUZZ_CHECK(blocks_.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      POOLMEM_FUZZ_CHECK(blocks_[i].start == want[i].start && blocks_[i].end == want[i].end);
    }
    POOLMEM_FUZZ_CHECK(s_.FreeSize() == model_.FreeSize());
    POOLMEM_FUZZ_CHECK(s_.Validate());
  }

  RangeStrategy& s_;
  testing::FitRule rule_;
  testing::ReferenceModel model_;
  std::vector<uint8_t> memory_;
  std::vector<Block> live_;
  std::vector<FreeRange> blocks_;
  uint8_t tags_ = 0;
};

// One input: granule option, alignment and arena size first, then the operations.
inline int RunOne(const uint8_t* data, size_t size, StrategyKind kind, testing::FitRule rule, uint64_t max_size,
                  bool granular) {
  FuzzedDataProvider in(data, size);
  StrategyOptions options;
  uint64_t granule = 1;
  if (granular) {
    options.min_block = uint64_t{16} << in.ConsumeIntegralInRange<int>(0, 4);
    granule = options.min_block;
  }
  // Alignment 1 to 64: the byte-exact strategies round to it, the granular
  // ones take it as a floor on their granule.
  options.alignment = uint64_t{1} << in.ConsumeIntegralInRange<int>(0, 6);
  granule = std::max(granule, options.alignment);
  const uint64_t arena = in.ConsumeIntegralInRange<uint64_t>(0, max_size);
  std::unique_ptr<RangeStrategy> s = MakeRangeStrategy(kind, arena, options);
  POOLMEM_FUZZ_CHECK(s != nullptr);
  Driver(*s, rule, granule).Run(in);
  return 0;
}

}  // namespace poolmem::fuzz
