// A plain reference model for RangeStrategy tests: one byte of state per unit
// of the managed range, so every answer can be checked by brute force.
// RunRandomModel drives a strategy with seeded random allocate / partial free /
// free steps and checks it against the model after every step.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "range_strategy.h"

namespace poolmem::testing {

class ByteModel {
 public:
  explicit ByteModel(uint64_t size) : used_(size, 0) {}

  bool IsFree(uint64_t offset, uint64_t size) const {
    for (uint64_t i = offset; i < offset + size; ++i) if (used_[i]) return false;
    return true;
  }
  bool IsUsed(uint64_t offset, uint64_t size) const {
    for (uint64_t i = offset; i < offset + size; ++i) if (!used_[i]) return false;
    return true;
  }
  void Mark(uint64_t offset, uint64_t size, bool used) {
    for (uint64_t i = offset; i < offset + size; ++i) used_[i] = used;
  }
  uint64_t FreeSize() const {
    uint64_t n = 0;
    for (uint8_t u : used_) n += !u;
    return n;
  }
  std::vector<FreeRange> Ranges() const {
    std::vector<FreeRange> out;
    for (uint64_t i = 0; i < used_.size();) {
      if (used_[i]) { ++i; continue; }
      uint64_t j = i;
      while (j < used_.size() && !used_[j]) ++j;
      out.push_back({i, j});
      i = j;
    }
    return out;
  }
  // Exact best fit: smallest free range that fits, lowest start on ties.
  int64_t BestFit(uint64_t size) const {
    int64_t best = kNoFit;
    uint64_t best_len = UINT64_MAX;
    for (const FreeRange& r : Ranges()) {
      const uint64_t len = r.end - r.start;
      if (len >= size && len < best_len) { best = static_cast<int64_t>(r.start); best_len = len; }
    }
    return best;
  }

 private:
  std::vector<uint8_t> used_;
};

enum class FitRule { kBestFit, kAnyFit };

struct LiveBlock {
  uint64_t offset;
  uint64_t size;
  uint8_t canary;
};

// Checks blocks(), free size and Validate() against the model.
inline void ExpectMatchesModel(const RangeStrategy& s, const ByteModel& model) {
  std::vector<FreeRange> got;
  s.Blocks(&got);
  const std::vector<FreeRange> want = model.Ranges();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].start, want[i].start) << "range " << i;
    ASSERT_EQ(got[i].end, want[i].end) << "range " << i;
  }
  ASSERT_EQ(s.FreeSize(), model.FreeSize());
  ASSERT_TRUE(s.Validate());
}

// Seeded random walk over allocate / partial free / whole free, with canary
// bytes written into a shadow memory and verified at every free.
inline void RunRandomModel(RangeStrategy& s, uint64_t seed, int steps, uint64_t max_request,
                           FitRule rule) {
  const uint64_t size = s.Size();
  ByteModel model(size);
  std::vector<uint8_t> memory(size, 0);
  std::vector<LiveBlock> live;
  std::mt19937_64 rng(seed);
  auto uniform = [&](uint64_t lo, uint64_t hi) { return std::uniform_int_distribution<uint64_t>(lo, hi)(rng); };
  auto verify_canary = [&](const LiveBlock& b, uint64_t from, uint64_t to) {
    for (uint64_t i = from; i < to; ++i) ASSERT_EQ(memory[b.offset + i], b.canary) << "corrupted at " << b.offset + i;
  };

  for (int step = 0; step < steps; ++step) {
    const uint64_t choice = uniform(0, 9);
    if (live.empty() || choice < 5) {
      const uint64_t want = uniform(1, max_request);
      const int64_t expected = model.BestFit(want);
      const int64_t found = s.Find(want);
      const int64_t got = s.Allocate(want);
      ASSERT_EQ(found, got) << "Find and Allocate disagree at step " << step;
      if (rule == FitRule::kBestFit) ASSERT_EQ(got, expected) << "not best fit at step " << step;
      if (got == kNoFit) {
        // Any strategy may fail only when no free range could hold the request.
        if (rule == FitRule::kBestFit) ASSERT_EQ(expected, kNoFit);
      } else {
        const uint64_t off = static_cast<uint64_t>(got);
        ASSERT_LE(off + want, size);
        ASSERT_TRUE(model.IsFree(off, want)) << "overlaps a live block at step " << step;
        model.Mark(off, want, true);
        const auto canary = static_cast<uint8_t>(uniform(1, 255));
        for (uint64_t i = 0; i < want; ++i) memory[off + i] = canary;
        live.push_back({off, want, canary});
      }
    } else {
      const size_t idx = uniform(0, live.size() - 1);
      LiveBlock b = live[idx];
      if (choice < 8 || b.size == 1) {
        verify_canary(b, 0, b.size);
        ASSERT_EQ(s.Free(b.offset, b.size), FreeStatus::kOk);
        model.Mark(b.offset, b.size, false);
        ASSERT_EQ(s.Free(b.offset, b.size), FreeStatus::kDoubleFree);  // and nothing changed
        live[idx] = live.back();
        live.pop_back();
      } else {
        // Partial free: the upper half, keeping the lower half live.
        const uint64_t keep = b.size / 2;
        verify_canary(b, keep, b.size);
        ASSERT_EQ(s.Free(b.offset + keep, b.size - keep), FreeStatus::kOk);
        model.Mark(b.offset + keep, b.size - keep, false);
        live[idx].size = keep;
      }
    }
    ExpectMatchesModel(s, model);
    if (::testing::Test::HasFatalFailure()) return;
  }
  for (const LiveBlock& b : live) {
    verify_canary(b, 0, b.size);
    ASSERT_EQ(s.Free(b.offset, b.size), FreeStatus::kOk);
    model.Mark(b.offset, b.size, false);
  }
  ExpectMatchesModel(s, model);
  ASSERT_EQ(s.FreeSize(), size);
}

}  // namespace poolmem::testing
