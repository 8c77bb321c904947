// TreapAllocator: concrete cases (including the fits GoMem's single tree
// misses), validation of bad frees, and the seeded model test.
#include "strategies/treap_allocator.h"

#include <gtest/gtest.h>

#include "best_fit_cases.h"
#include "strategy_model.h"

namespace poolmem {
namespace {

using testing::BlocksOf;

TEST(TreapAllocator, CarvesFromTheLowEnd) {
  TreapAllocator t(1000);
  EXPECT_EQ(t.Allocate(100), 0);
  EXPECT_EQ(t.Allocate(200), 100);
  EXPECT_EQ(t.FreeSize(), 700u);
  ASSERT_EQ(BlocksOf(t).size(), 1u);
  EXPECT_EQ(BlocksOf(t)[0].start, 300u);
  EXPECT_TRUE(t.Validate());
}

TEST(TreapAllocator, ZeroSizedRequestsFindNothing) {
  TreapAllocator t(16);
  EXPECT_EQ(t.Allocate(0), kNoFit);
  EXPECT_EQ(t.Find(0), kNoFit);
  EXPECT_EQ(t.FreeSize(), 16u);
}

TEST(TreapAllocator, FindsTheFitGoMemsSingleTreeMisses) {
  // GoMem's case: free [0,500) and [600,610); GoMem's Find(100) is -1.
  TreapAllocator t(610);
  ASSERT_EQ(t.Allocate(610), 0);
  ASSERT_EQ(t.Free(600, 10), FreeStatus::kOk);
  ASSERT_EQ(t.Free(0, 500), FreeStatus::kOk);
  EXPECT_EQ(t.Find(100), 0);
  EXPECT_EQ(t.Allocate(100), 0);
}

TEST(TreapAllocator, BestFitWithTiesToTheLowestOffset) {
  // Free [100,200) [300,400) [500,600) [700,750): GoMem finds nothing for 60 and 100.
  TreapAllocator t(800);
  ASSERT_EQ(t.Allocate(800), 0);
  for (uint64_t s : {100, 300, 500}) ASSERT_EQ(t.Free(s, 100), FreeStatus::kOk);
  ASSERT_EQ(t.Free(700, 50), FreeStatus::kOk);
  EXPECT_EQ(t.Find(50), 700);   // the smallest range that fits
  EXPECT_EQ(t.Find(60), 100);   // three equal fits: the lowest offset
  EXPECT_EQ(t.Find(100), 100);
  EXPECT_EQ(t.Find(101), kNoFit);
}

TEST(TreapAllocator, MergesBothNeighboursOnFree) {
  TreapAllocator t(300);
  ASSERT_EQ(t.Allocate(100), 0);
  ASSERT_EQ(t.Allocate(100), 100);
  ASSERT_EQ(t.Allocate(100), 200);
  ASSERT_EQ(t.Free(0, 100), FreeStatus::kOk);
  ASSERT_EQ(t.Free(200, 100), FreeStatus::kOk);
  EXPECT_EQ(t.RangeCount(), 2u);
  ASSERT_EQ(t.Free(100, 100), FreeStatus::kOk);
  EXPECT_EQ(t.RangeCount(), 1u);
  EXPECT_EQ(t.Allocate(300), 0);
}

TEST(TreapAllocator, PartialFreesOfAnySubRange) {
  TreapAllocator t(100);
  ASSERT_EQ(t.Allocate(100), 0);
  ASSERT_EQ(t.Free(40, 20), FreeStatus::kOk);  // middle
  ASSERT_EQ(t.Free(0, 10), FreeStatus::kOk);   // head
  ASSERT_EQ(t.Free(90, 10), FreeStatus::kOk);  // tail
  const auto blocks = BlocksOf(t);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[1].start, 40u);
  EXPECT_EQ(blocks[1].end, 60u);
  EXPECT_EQ(t.FreeSize(), 40u);
}

TEST(TreapAllocator, RejectsBadFreesWithoutChangingState) {
  TreapAllocator t(100);
  ASSERT_EQ(t.Allocate(50), 0);
  const auto before = BlocksOf(t);
  EXPECT_EQ(t.Free(50, 10), FreeStatus::kDoubleFree);    // entirely free
  EXPECT_EQ(t.Free(40, 20), FreeStatus::kDoubleFree);    // overlaps free space
  EXPECT_EQ(t.Free(90, 20), FreeStatus::kOutOfRange);    // past the end
  EXPECT_EQ(t.Free(UINT64_MAX, 2), FreeStatus::kOutOfRange);  // overflowing end
  EXPECT_EQ(t.Free(101, 0), FreeStatus::kOutOfRange);
  EXPECT_EQ(t.Free(10, 0), FreeStatus::kOk);             // zero bytes: nothing to do
  const auto after = BlocksOf(t);
  ASSERT_EQ(after.size(), before.size());
  EXPECT_EQ(after[0].start, before[0].start);
  EXPECT_EQ(t.FreeSize(), 50u);
  ASSERT_EQ(t.Free(0, 50), FreeStatus::kOk);
  EXPECT_EQ(t.Free(0, 50), FreeStatus::kDoubleFree);
}

TEST(TreapAllocator, EmptyAndReset) {
  TreapAllocator t(0);
  EXPECT_EQ(t.Allocate(1), kNoFit);
  EXPECT_TRUE(BlocksOf(t).empty());
  t.Reset(64);
  EXPECT_EQ(t.Allocate(64), 0);
  EXPECT_EQ(t.Allocate(1), kNoFit);
  EXPECT_TRUE(t.Validate());
}

TEST(TreapAllocator, FillingTheArenaAndFreeingIntoItAgain) {
  // The last free range going and the first one coming back take a short path.
  TreapAllocator t(1024);
  for (int round = 0; round < 3; ++round) {
    ASSERT_EQ(t.Allocate(1024), 0);
    EXPECT_EQ(t.RangeCount(), 0u);
    EXPECT_EQ(t.Free(1000, 100), FreeStatus::kOutOfRange);
    EXPECT_EQ(t.Free(512, 256), FreeStatus::kOk);  // into empty trees
    EXPECT_EQ(t.RangeCount(), 1u);
    EXPECT_EQ(t.Free(600, 10), FreeStatus::kDoubleFree);
    EXPECT_EQ(t.Free(0, 256), FreeStatus::kOk);    // a second range beside it
    EXPECT_EQ(t.Allocate(256), 0);                 // best fit, lowest start on ties
    EXPECT_EQ(t.Allocate(256), 512);               // the last range again
    EXPECT_EQ(t.RangeCount(), 0u);
    EXPECT_EQ(t.Allocate(1), kNoFit);
    EXPECT_EQ(t.Free(512, 256), FreeStatus::kOk);
    EXPECT_EQ(t.Free(0, 512), FreeStatus::kOk);    // joins [512, 768)
    EXPECT_EQ(t.Free(768, 256), FreeStatus::kOk);
    EXPECT_EQ(t.FreeSize(), 1024u);
    EXPECT_EQ(t.RangeCount(), 1u);
    ASSERT_TRUE(t.Validate());
  }
}

TEST(TreapAllocator, ManyRangesStayBalancedAndValid) {
  TreapAllocator t(1 << 20);
  for (int i = 0; i < 4096; ++i) ASSERT_EQ(t.Allocate(256), i * 256);
  for (int i = 0; i < 4096; i += 2) ASSERT_EQ(t.Free(static_cast<uint64_t>(i) * 256, 256), FreeStatus::kOk);
  EXPECT_EQ(t.RangeCount(), 2048u);
  EXPECT_TRUE(t.Validate());
  for (int i = 0; i < 2048; ++i) ASSERT_EQ(t.Allocate(256), i * 512);
  EXPECT_EQ(t.FreeSize(), 0u);
}

class TreapModel : public ::testing::TestWithParam<uint64_t> {};

TEST_P(TreapModel, MatchesExactBestFitModel) {
  TreapAllocator t(8192);
  testing::RunRandomModel(t, GetParam(), 3000, 512, testing::FitRule::kBestFit);
}

INSTANTIATE_TEST_SUITE_P(Seeds, TreapModel, ::testing::Values(1, 2, 3, 42, 1234));


TEST(TreapAllocator, MinimumSizedRangesAndManyMerges) {
  // Byte-sized ranges stress the in-place updates: every free merges.
  TreapAllocator t(4096);
  for (int i = 0; i < 4096; ++i) ASSERT_EQ(t.Allocate(1), i);
  for (int i = 0; i < 4096; i += 2) ASSERT_EQ(t.Free(static_cast<uint64_t>(i), 1), FreeStatus::kOk);
  for (int i = 1; i < 4096; i += 2) ASSERT_EQ(t.Free(static_cast<uint64_t>(i), 1), FreeStatus::kOk);
  EXPECT_EQ(t.RangeCount(), 1u);
  EXPECT_TRUE(t.Validate());
}

}  // namespace
namespace testing {
INSTANTIATE_TYPED_TEST_SUITE_P(Treap, BestFitCases, TreapAllocator);
}  // namespace testing
}  // namespace poolmem
