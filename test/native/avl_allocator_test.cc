// AvlAllocator: GoMem's allocator cases (shared with the treap), the AVL
// shape under sorted and reverse workloads, bad frees, and the model test.
#include "strategies/avl_allocator.h"

#include <gtest/gtest.h>

#include "best_fit_cases.h"
#include "strategy_model.h"

namespace poolmem {
namespace {

using testing::BlocksOf;

TEST(AvlAllocator, CarvesFromTheLowEndOfTheBestFit) {
  AvlAllocator a(1000);
  EXPECT_EQ(a.Allocate(100), 0);
  EXPECT_EQ(a.Allocate(200), 100);
  EXPECT_EQ(a.FreeSize(), 700u);
  ASSERT_EQ(a.Free(0, 100), FreeStatus::kOk);
  EXPECT_EQ(a.Find(50), 0);     // [0,100) is smaller than [300,1000)
  EXPECT_EQ(a.Find(101), 300);
  EXPECT_TRUE(a.Validate());
}

TEST(AvlAllocator, RejectsBadFreesWithoutChangingState) {
  AvlAllocator a(100);
  ASSERT_EQ(a.Allocate(50), 0);
  EXPECT_EQ(a.Free(50, 10), FreeStatus::kDoubleFree);
  EXPECT_EQ(a.Free(40, 20), FreeStatus::kDoubleFree);
  EXPECT_EQ(a.Free(90, 20), FreeStatus::kOutOfRange);
  EXPECT_EQ(a.Free(UINT64_MAX, 2), FreeStatus::kOutOfRange);
  EXPECT_EQ(a.Free(101, 0), FreeStatus::kOutOfRange);
  EXPECT_EQ(a.Free(10, 0), FreeStatus::kOk);
  const auto blocks = BlocksOf(a);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].start, 50u);
  EXPECT_EQ(a.FreeSize(), 50u);
  EXPECT_EQ(a.Allocate(0), kNoFit);
}

TEST(AvlAllocator, StaysBalancedUnderSortedAndReverseFrees) {
  // Sorted inserts are the AVL worst case for rotations; Validate checks
  // every height and balance factor.
  AvlAllocator a(1 << 20);
  for (int i = 0; i < 4096; ++i) ASSERT_EQ(a.Allocate(256), i * 256);
  for (int i = 0; i < 4096; i += 2) ASSERT_EQ(a.Free(static_cast<uint64_t>(i) * 256, 256), FreeStatus::kOk);
  EXPECT_EQ(a.RangeCount(), 2048u);
  EXPECT_TRUE(a.Validate());
  for (int i = 4095; i > 0; i -= 2) ASSERT_EQ(a.Free(static_cast<uint64_t>(i) * 256, 256), FreeStatus::kOk);
  EXPECT_EQ(a.RangeCount(), 1u);
  EXPECT_EQ(a.FreeSize(), uint64_t{1} << 20);
  EXPECT_TRUE(a.Validate());
}

TEST(AvlAllocator, GrowingRangesMoveInTheSizeTreeOnlyWhenTheyMustPass) {
  // Free ranges of lengths 10, 20, 30; growing the 10 past 20 must move it.
  AvlAllocator a(200);
  ASSERT_EQ(a.Allocate(200), 0);
  ASSERT_EQ(a.Free(0, 10), FreeStatus::kOk);     // [0,10)
  ASSERT_EQ(a.Free(50, 20), FreeStatus::kOk);    // [50,70)
  ASSERT_EQ(a.Free(100, 30), FreeStatus::kOk);   // [100,130)
  ASSERT_EQ(a.Free(10, 15), FreeStatus::kOk);    // [0,25): now the middle size
  EXPECT_TRUE(a.Validate());
  EXPECT_EQ(a.Find(21), 0);
  ASSERT_EQ(a.Free(25, 25), FreeStatus::kOk);    // [0,70): joins both sides, now the largest
  EXPECT_TRUE(a.Validate());
  EXPECT_EQ(a.Find(31), 0);
  EXPECT_EQ(a.Find(30), 100);
}

class AvlModel : public ::testing::TestWithParam<uint64_t> {};

TEST_P(AvlModel, MatchesExactBestFitModel) {
  AvlAllocator a(8192);
  testing::RunRandomModel(a, GetParam(), 3000, 512, testing::FitRule::kBestFit);
}

TEST_P(AvlModel, MatchesWithTinyRanges) {
  AvlAllocator a(512);
  testing::RunRandomModel(a, GetParam(), 3000, 16, testing::FitRule::kBestFit);
}

INSTANTIATE_TEST_SUITE_P(Seeds, AvlModel, ::testing::Values(1, 2, 3, 42, 1234));

}  // namespace
namespace testing {
INSTANTIATE_TYPED_TEST_SUITE_P(Avl, BestFitCases, AvlAllocator);
}  // namespace testing
}  // namespace poolmem
