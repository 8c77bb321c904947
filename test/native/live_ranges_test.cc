// LiveRanges: whole, front, tail and middle releases, double and out-of-range
// releases that change nothing, and live_bytes() against a byte-level model
// under seeded churn (safe mode's held-byte accounting reads it).
#include "structures/live_ranges.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace poolmem {
namespace {

TEST(LiveRanges, ReleasesAnySubRangeOnce) {
  LiveRanges live(100);
  EXPECT_EQ(live.live_bytes(), 100u);
  EXPECT_EQ(live.Release(40, 10), FreeStatus::kOk);  // middle: two pieces
  EXPECT_EQ(live.ranges().size(), 2u);
  EXPECT_EQ(live.live_bytes(), 90u);
  EXPECT_EQ(live.Release(45, 10), FreeStatus::kDoubleFree);  // overlaps the released range
  EXPECT_EQ(live.Release(0, 40), FreeStatus::kOk);           // a whole piece
  EXPECT_EQ(live.Release(90, 10), FreeStatus::kOk);          // a tail
  EXPECT_EQ(live.live_bytes(), 40u);
  EXPECT_EQ(live.Release(95, 10), FreeStatus::kOutOfRange);
  EXPECT_EQ(live.live_bytes(), 40u);
  EXPECT_EQ(live.Release(50, 40), FreeStatus::kOk);
  EXPECT_TRUE(live.empty());
  EXPECT_EQ(live.live_bytes(), 0u);
  EXPECT_EQ(live.size(), 100u);
  EXPECT_EQ(live.Release(0, 1), FreeStatus::kDoubleFree);
}

TEST(LiveRanges, LiveBytesMatchesAByteModel) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    const uint64_t size = 1 + rng() % 300;
    LiveRanges live(size);
    std::vector<bool> model(size, true);
    for (int step = 0; step < 50; ++step) {
      const uint64_t offset = rng() % size, length = 1 + rng() % (size - offset);
      bool all_live = true;
      for (uint64_t i = offset; i < offset + length; ++i) all_live = all_live && model[i];
      const FreeStatus status = live.Release(offset, length);
      ASSERT_EQ(status, all_live ? FreeStatus::kOk : FreeStatus::kDoubleFree);
      if (all_live) {
        for (uint64_t i = offset; i < offset + length; ++i) model[i] = false;
      }
      uint64_t expected = 0;
      for (bool b : model) expected += b ? 1 : 0;
      ASSERT_EQ(live.live_bytes(), expected);
    }
  }
}

}  // namespace
}  // namespace poolmem
