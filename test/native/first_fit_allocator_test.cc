// FirstFitAllocator: mem's worked examples
// with the alignment mem lacks, first fit against best fit, splitting,
// merging, partial frees, bad frees, options, and the model test.
#include "strategies/first_fit_allocator.h"

#include <gtest/gtest.h>

#include "strategy_model.h"

namespace poolmem {
namespace {

using testing::BlocksOf;

TEST(FirstFitAllocator, MemsSequenceWithSixteenByteAlignment) {
  // mem: payloads at 32, 65, 98, 154 (misaligned). Here: 16-byte granules.
  FirstFitAllocator f(4096, 16);
  EXPECT_EQ(f.Allocate(1), 0);
  EXPECT_EQ(f.Allocate(1), 16);
  EXPECT_EQ(f.Allocate(24), 32);
  EXPECT_EQ(f.Allocate(8), 64);
  EXPECT_EQ(f.FreeSize(), 4096u - 80);
  // mem 2.4.5: freeing 16 then 0 merges them; freeing the last live block
  // leaves one free range.
  ASSERT_EQ(f.Free(16, 1), FreeStatus::kOk);
  EXPECT_EQ(f.RangeCount(), 2u);
  ASSERT_EQ(f.Free(0, 1), FreeStatus::kOk);
  EXPECT_EQ(f.RangeCount(), 2u);
  EXPECT_EQ(BlocksOf(f)[0].end, 32u);
  ASSERT_EQ(f.Free(64, 8), FreeStatus::kOk);
  ASSERT_EQ(f.Free(32, 24), FreeStatus::kOk);
  EXPECT_EQ(f.RangeCount(), 1u);
  EXPECT_EQ(f.FreeSize(), 4096u);
}

TEST(FirstFitAllocator, TakesTheLowestFitNotTheBest) {
  FirstFitAllocator f(4096, 16);
  ASSERT_EQ(f.Allocate(3000), 0);
  ASSERT_EQ(f.Allocate(64), 3008);
  ASSERT_EQ(f.Free(0, 3000), FreeStatus::kOk);  // free: [0,3008) and [3072,4096)
  EXPECT_EQ(f.Find(500), 0);                    // best fit would pick 3072
  EXPECT_EQ(f.Allocate(500), 0);
  EXPECT_EQ(f.Find(2600), kNoFit);     // 2496 bytes left low, 1024 high
  EXPECT_EQ(f.Allocate(1024), 512);    // the low range again
  EXPECT_EQ(f.Allocate(1500), kNoFit);  // 1472 low, 1024 high
  EXPECT_EQ(f.Allocate(1024), 1536);    // still the low range first
  EXPECT_EQ(f.Allocate(1024), 3072);
}

TEST(FirstFitAllocator, SplitsOnlyWhenTheRestHoldsABlock) {
  // mem splits when the rest holds a 32-byte header; here when it holds a
  // granule, so a request takes at most 15 bytes more than it asked for.
  FirstFitAllocator f(100, 16);  // 6 granules; the last 4 bytes are never used
  EXPECT_EQ(f.FreeSize(), 96u);
  EXPECT_EQ(f.Allocate(81), 0);  // 6 granules, no remainder
  EXPECT_EQ(f.FreeSize(), 0u);
  EXPECT_EQ(f.Allocate(1), kNoFit);
  ASSERT_EQ(f.Free(0, 81), FreeStatus::kOk);
  EXPECT_EQ(f.Allocate(80), 0);  // 5 granules: one left
  EXPECT_EQ(f.FreeSize(), 16u);
  EXPECT_EQ(f.Allocate(16), 80);
  EXPECT_EQ(f.Free(96, 4), FreeStatus::kDoubleFree);  // the unusable tail
}

TEST(FirstFitAllocator, FreeMergesBothNeighbours) {
  FirstFitAllocator f(16 * 10, 16);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(f.Allocate(16), i * 16);
  for (int i : {1, 3, 5, 7}) ASSERT_EQ(f.Free(static_cast<uint64_t>(i) * 16, 16), FreeStatus::kOk);
  EXPECT_EQ(f.RangeCount(), 4u);
  ASSERT_EQ(f.Free(2 * 16, 16), FreeStatus::kOk);  // joins 1 and 3
  EXPECT_EQ(f.RangeCount(), 3u);
  ASSERT_EQ(f.Free(6 * 16, 16), FreeStatus::kOk);  // joins 5 and 7
  ASSERT_EQ(f.Free(4 * 16, 16), FreeStatus::kOk);  // joins [1,4) and [5,8)
  EXPECT_EQ(f.RangeCount(), 1u);
  EXPECT_EQ(BlocksOf(f)[0].start, 16u);
  EXPECT_EQ(BlocksOf(f)[0].end, 128u);
  ASSERT_EQ(f.Free(9 * 16, 16), FreeStatus::kOk);  // an isolated range after it
  ASSERT_EQ(f.Free(0, 16), FreeStatus::kOk);        // before it
  EXPECT_EQ(f.RangeCount(), 2u);
  EXPECT_TRUE(f.Validate());
}

TEST(FirstFitAllocator, PartialFreesReturnWholeGranules) {
  FirstFitAllocator f(1024, 16);
  ASSERT_EQ(f.Allocate(100), 0);  // 7 granules
  EXPECT_EQ(f.FreeSize(), 1024u - 112);
  ASSERT_EQ(f.Free(20, 60), FreeStatus::kOk);  // middle: granules 2..4 return
  EXPECT_EQ(f.FreeSize(), 1024u - 112 + 48);
  EXPECT_EQ(f.Allocate(48), 32);  // first fit finds the hole
  EXPECT_EQ(f.Free(16, 8), FreeStatus::kDoubleFree);  // [20,24) is free
  ASSERT_EQ(f.Free(16, 4), FreeStatus::kOk);
  ASSERT_EQ(f.Free(80, 20), FreeStatus::kOk);
  ASSERT_EQ(f.Free(0, 16), FreeStatus::kOk);
  ASSERT_EQ(f.Free(32, 48), FreeStatus::kOk);
  EXPECT_EQ(f.FreeSize(), 1024u);
}

TEST(FirstFitAllocator, RejectsBadFreesWithoutChangingState) {
  FirstFitAllocator f(256, 16);
  ASSERT_EQ(f.Allocate(40), 0);
  EXPECT_EQ(f.Free(40, 8), FreeStatus::kDoubleFree);   // slack of the last granule
  EXPECT_EQ(f.Free(0, 48), FreeStatus::kDoubleFree);
  EXPECT_EQ(f.Free(64, 8), FreeStatus::kDoubleFree);   // free space
  EXPECT_EQ(f.Free(250, 10), FreeStatus::kOutOfRange);
  EXPECT_EQ(f.Free(UINT64_MAX, 2), FreeStatus::kOutOfRange);
  EXPECT_EQ(f.Free(3, 0), FreeStatus::kOk);
  EXPECT_EQ(f.FreeSize(), 256u - 48);
  EXPECT_TRUE(f.Validate());
  ASSERT_EQ(f.Free(0, 40), FreeStatus::kOk);
  EXPECT_EQ(f.FreeSize(), 256u);
}

TEST(FirstFitAllocator, LargerGranules) {
  FirstFitAllocator f(4096, 256);
  EXPECT_EQ(f.Allocate(1), 0);
  EXPECT_EQ(f.Allocate(257), 256);
  EXPECT_EQ(f.Allocate(1), 768);
  EXPECT_EQ(f.FreeSize(), 4096u - 1024);
  EXPECT_FALSE(FirstFitAllocator::Supports(4096, 8));
  EXPECT_FALSE(FirstFitAllocator::Supports(4096, 24));
  EXPECT_EQ(MakeRangeStrategy(StrategyKind::kFirstFit, 4096, StrategyOptions{8}), nullptr);
  auto s = MakeRangeStrategy(StrategyKind::kFirstFit, 4096, StrategyOptions{});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->Allocate(1), 0);
  EXPECT_EQ(s->Allocate(1), 16);
}

TEST(FirstFitAllocator, ManyBlocksStayConsistent) {
  FirstFitAllocator f(1 << 20, 16);
  for (int i = 0; i < 8192; ++i) ASSERT_EQ(f.Allocate(100), i * 112);
  for (int i = 0; i < 8192; i += 2) ASSERT_EQ(f.Free(static_cast<uint64_t>(i) * 112, 100), FreeStatus::kOk);
  EXPECT_EQ(f.RangeCount(), 4097u);
  EXPECT_TRUE(f.Validate());
  for (int i = 1; i < 8192; i += 2) ASSERT_EQ(f.Free(static_cast<uint64_t>(i) * 112, 100), FreeStatus::kOk);
  EXPECT_EQ(f.RangeCount(), 1u);
  EXPECT_EQ(f.FreeSize(), uint64_t{1} << 20);
}

TEST(FirstFitAllocator, FindsTheFitPastThousandsOfSmallHoles) {
  // 2,048 two-granule holes lie before the tail: the index must skip them
  // all and still pick the lowest range that fits.
  FirstFitAllocator f(1 << 20, 16);
  for (int i = 0; i < 4096; ++i) ASSERT_EQ(f.Allocate(32), i * 32);
  for (int i = 0; i < 4096; i += 2) ASSERT_EQ(f.Free(static_cast<uint64_t>(i) * 32, 32), FreeStatus::kOk);
  EXPECT_EQ(f.Allocate(48), 4096 * 32);
  EXPECT_EQ(f.Allocate(32), 0);                // a hole still takes what fits in it
  ASSERT_EQ(f.Free(32, 32), FreeStatus::kOk);  // joins the hole after it: [32, 96)
  EXPECT_EQ(f.Find(96), 4096 * 32 + 48);
  EXPECT_EQ(f.Allocate(64), 32);
  ASSERT_EQ(f.Free(3 * 32, 32), FreeStatus::kOk);  // [96, 160): the lowest range of 4 granules
  EXPECT_EQ(f.Allocate(50), 96);
  EXPECT_TRUE(f.Validate());
}

TEST(FirstFitAllocator, ShrunkRangesStopMatchingLargerRequests) {
  // A range cut by allocations leaves its old length as a bound above it;
  // a request that no longer fits there must go on to the next range.
  FirstFitAllocator f(1 << 20, 16);
  ASSERT_EQ(f.Allocate(1600), 0);      // 100 granules
  ASSERT_EQ(f.Allocate(16), 1600);     // keeps [0, 1600) apart from the tail
  ASSERT_EQ(f.Free(0, 1600), FreeStatus::kOk);
  for (int i = 0; i < 9; ++i) ASSERT_EQ(f.Allocate(160), i * 160);  // 10 granules left low
  EXPECT_EQ(f.Find(800), 1616);
  EXPECT_EQ(f.Allocate(800), 1616);
  EXPECT_EQ(f.Allocate(160), 1440);    // the low rest still fits exactly
  EXPECT_EQ(f.Allocate(1), 2416);
  EXPECT_EQ(f.Allocate(uint64_t{1} << 20), kNoFit);
  EXPECT_TRUE(f.Validate());
}

struct FirstFitCase {
  uint64_t size;
  uint64_t granule;
  uint64_t seed;
};

class FirstFitModel : public ::testing::TestWithParam<FirstFitCase> {};

TEST_P(FirstFitModel, MatchesTheFirstFitModel) {
  const FirstFitCase c = GetParam();
  FirstFitAllocator f(c.size, c.granule);
  testing::RunRandomModel(f, c.seed, 3000, 600, testing::FitRule::kFirstFit, c.granule);
}

INSTANTIATE_TEST_SUITE_P(Cases, FirstFitModel,
                         ::testing::Values(FirstFitCase{8192, 16, 1}, FirstFitCase{8192, 16, 2},
                                           FirstFitCase{8192, 16, 3}, FirstFitCase{8192, 16, 42},
                                           FirstFitCase{5000, 16, 5}, FirstFitCase{8192, 64, 6},
                                           FirstFitCase{2048, 16, 7}));

}  // namespace
}  // namespace poolmem
