// The shared randomized model test for every RangeStrategy, on top of the
// brute-force ReferenceModel (strategy_reference.h). RunRandomModel drives a
// strategy with seeded random allocate / whole free / head, tail and middle
// partial frees / frees spanning two blocks / invalid frees, writes a canary
// into a shadow memory for every live block and checks, after every step:
// the exact offset the fit rule predicts, no overlap, every failed free
// changes nothing, blocks() equals the model's free ranges (sorted and
// merged), freeSize is exact and Validate() holds.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "strategies/range_strategy.h"
#include "strategy_reference.h"

namespace poolmem::testing {

struct LiveBlock {
  uint64_t offset;
  uint64_t size;
  uint8_t canary;
};

inline std::vector<FreeRange> BlocksOf(const RangeStrategy& s) {
  std::vector<FreeRange> out;
  s.Blocks(&out);
  return out;
}

// Checks blocks(), free size and Validate() against the model.
inline void ExpectMatchesModel(const RangeStrategy& s, const ReferenceModel& model) {
  const std::vector<FreeRange> got = BlocksOf(s);
  const std::vector<FreeRange> want = model.Ranges();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].start, want[i].start) << "range " << i;
    ASSERT_EQ(got[i].end, want[i].end) << "range " << i;
  }
  ASSERT_EQ(s.FreeSize(), model.FreeSize());
  ASSERT_TRUE(s.Validate());
}

// granule: 1 for the byte-exact strategies, else the strategy's rounding.
inline void RunRandomModel(RangeStrategy& s, uint64_t seed, int steps, uint64_t max_request, FitRule rule,
                           uint64_t granule = 1) {
  const uint64_t size = s.Size();
  ReferenceModel model(size, granule);
  std::vector<uint8_t> memory(size, 0);
  std::vector<LiveBlock> live;
  std::mt19937_64 rng(seed);
  auto uniform = [&](uint64_t lo, uint64_t hi) { return std::uniform_int_distribution<uint64_t>(lo, hi)(rng); };
  auto verify_canary = [&](const LiveBlock& b, uint64_t from, uint64_t to) {
    for (uint64_t i = from; i < to; ++i) ASSERT_EQ(memory[b.offset + i], b.canary) << "corrupted at " << b.offset + i;
  };
  auto free_ok = [&](uint64_t offset, uint64_t n) {
    ASSERT_EQ(s.Free(offset, n), FreeStatus::kOk) << "free [" << offset << ", " << offset + n << ")";
    model.Mark(offset, n, false);
  };
  ExpectMatchesModel(s, model);

  for (int step = 0; step < steps; ++step) {
    const uint64_t choice = uniform(0, 19);
    if (live.empty() || choice < 9) {
      // Mostly small requests, some up to max_request.
      const uint64_t want = uniform(0, 3) == 0 ? uniform(1, max_request) : uniform(1, std::max<uint64_t>(1, max_request / 8));
      const int64_t expected = model.Expected(rule, want);
      const int64_t found = s.Find(want);
      const int64_t got = s.Allocate(want);
      ASSERT_EQ(found, got) << "Find and Allocate disagree at step " << step;
      if (rule != FitRule::kAnyFit) {
        ASSERT_EQ(got, expected) << "wrong place for " << want << " bytes at step " << step;
      } else if (got == kNoFit) {
        ASSERT_EQ(expected, kNoFit) << "a fit was missed at step " << step;
      }
      if (got != kNoFit) {
        const uint64_t off = static_cast<uint64_t>(got);
        ASSERT_LE(off + want, size);
        ASSERT_TRUE(model.CanPlace(off, want)) << "overlaps a live block at step " << step;
        model.Mark(off, want, true);
        const auto canary = static_cast<uint8_t>(uniform(1, 255));
        for (uint64_t i = 0; i < want; ++i) memory[off + i] = canary;
        live.push_back({off, want, canary});
      }
    } else if (choice < 14) {
      // Whole free, then the same free again must fail and change nothing.
      const size_t idx = uniform(0, live.size() - 1);
      const LiveBlock b = live[idx];
      verify_canary(b, 0, b.size);
      free_ok(b.offset, b.size);
      ASSERT_EQ(s.Free(b.offset, b.size), FreeStatus::kDoubleFree);
      live[idx] = live.back();
      live.pop_back();
    } else if (choice < 17) {
      // Partial free: head, tail or middle.
      const size_t idx = uniform(0, live.size() - 1);
      const LiveBlock b = live[idx];
      if (b.size < 3) continue;
      const uint64_t cut_a = uniform(1, b.size - 2), cut_b = uniform(cut_a + 1, b.size - 1);
      const uint64_t kind = uniform(0, 2);
      if (kind == 0) {  // head [0, cut_a)
        verify_canary(b, 0, cut_a);
        free_ok(b.offset, cut_a);
        live[idx] = {b.offset + cut_a, b.size - cut_a, b.canary};
      } else if (kind == 1) {  // tail [cut_a, size)
        verify_canary(b, cut_a, b.size);
        free_ok(b.offset + cut_a, b.size - cut_a);
        live[idx].size = cut_a;
      } else {  // middle [cut_a, cut_b)
        verify_canary(b, cut_a, cut_b);
        free_ok(b.offset + cut_a, cut_b - cut_a);
        live[idx].size = cut_a;
        live.push_back({b.offset + cut_b, b.size - cut_b, b.canary});
      }
    } else if (choice < 18) {
      // One free spanning two byte-adjacent live blocks, when there are any.
      for (size_t i = 0; i < live.size(); ++i) {
        size_t j = 0;
        while (j < live.size() && live[j].offset != live[i].offset + live[i].size) ++j;
        if (j == live.size()) continue;
        const LiveBlock a = live[i], b = live[j];
        verify_canary(a, 0, a.size);
        verify_canary(b, 0, b.size);
        free_ok(a.offset, a.size + b.size);
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(std::max(i, j)));
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(std::min(i, j)));
        break;
      }
    } else {
      // A random range: when it is not wholly live, the strategy must refuse
      // it with the model's status and change nothing.
      const uint64_t offset = uniform(0, size + 8);
      const uint64_t n = uniform(0, 3) == 0 ? uniform(0, size + 16) : uniform(1, 64);
      const FreeStatus want = model.ExpectedFree(offset, n);
      if (want != FreeStatus::kOk) ASSERT_EQ(s.Free(offset, n), want) << "[" << offset << ", +" << n << ")";
    }
    ExpectMatchesModel(s, model);
    if (::testing::Test::HasFatalFailure()) return;
  }
  for (const LiveBlock& b : live) {
    verify_canary(b, 0, b.size);
    free_ok(b.offset, b.size);
  }
  ExpectMatchesModel(s, model);
  ASSERT_EQ(s.FreeSize(), model.granules() * granule);
}

}  // namespace poolmem::testing
