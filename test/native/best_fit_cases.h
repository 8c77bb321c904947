// GoMem's allocator tests and observed cases as
// a typed suite for the byte-exact best-fit strategies (treap, avl): the
// intended behaviour, with twotree's best-fit answers where the builds
// differ, and validated frees where GoMem corrupts its state.
// Instantiate with INSTANTIATE_TYPED_TEST_SUITE_P(Name, BestFitCases, Type).
#pragma once

#include <gtest/gtest.h>

#include <vector>

#include "strategy_model.h"

namespace poolmem::testing {

template <class T>
class BestFitCases : public ::testing::Test {};
TYPED_TEST_SUITE_P(BestFitCases);

inline void ExpectRanges(const RangeStrategy& s, const std::vector<FreeRange>& want) {
  const std::vector<FreeRange> got = BlocksOf(s);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].start, want[i].start) << "range " << i;
    EXPECT_EQ(got[i].end, want[i].end) << "range " << i;
  }
}

// 4.1 TestAllocator, with 6's follow-up assertions.
TYPED_TEST_P(BestFitCases, GoMemTestAllocator) {
  TypeParam a(1000);
  EXPECT_EQ(a.Allocate(100), 0);
  EXPECT_EQ(a.Allocate(200), 100);
  ASSERT_EQ(a.Free(0, 299), FreeStatus::kOk);
  EXPECT_EQ(a.FreeSize(), 999u);
  ExpectRanges(a, {{0, 299}, {300, 1000}});
  ASSERT_EQ(a.Free(299, 1), FreeStatus::kOk);
  ExpectRanges(a, {{0, 1000}});
  EXPECT_EQ(a.Allocate(50), 0);
  ASSERT_EQ(a.Free(0, 50), FreeStatus::kOk);
  EXPECT_EQ(a.Allocate(1000), 0);  // the whole arena
  ExpectRanges(a, {});
  EXPECT_EQ(a.Allocate(1), kNoFit);
  EXPECT_EQ(a.Find(1), kNoFit);
}

// 4.1 TestAllocatorUseData: the recorded history, with 6's observed results.
TYPED_TEST_P(BestFitCases, GoMemHistoryReplay) {
  TypeParam a(65535);
  struct Step { bool malloc; uint64_t offset, size; };
  const Step history[] = {
      {true, 0, 16384},   {false, 139, 16245}, {false, 0, 50},     {false, 50, 31},   {false, 81, 9},
      {false, 90, 26},    {false, 116, 21},    {false, 137, 2},    {true, 0, 16384},  {false, 277, 16107},
      {true, 0, 16384},   {false, 432, 16229}, {false, 0, 277},    {false, 277, 58},  {false, 335, 60},
      {false, 395, 9},    {false, 404, 26},    {true, 0, 16384},   {false, 557, 16259}, {false, 430, 2},
  };
  std::vector<int64_t> mallocs;
  for (const Step& s : history) {
    if (s.malloc) {
      mallocs.push_back(a.Allocate(s.size));
    } else {
      ASSERT_EQ(a.Free(s.offset, s.size), FreeStatus::kOk) << s.offset;
    }
  }
  EXPECT_EQ(mallocs, (std::vector<int64_t>{0, 0, 277, 432}));
  ExpectRanges(a, {{0, 432}, {557, 65535}});
  EXPECT_EQ(a.FreeSize(), 65410u);
  EXPECT_TRUE(a.Validate());
}

// 6, the first case where the builds differ: twotree's best fit is intended.
TYPED_TEST_P(BestFitCases, GoMemFitsTheSingleTreeMisses) {
  for (bool small_first : {false, true}) {
    TypeParam a(1000);
    EXPECT_EQ(a.Allocate(500), 0);
    EXPECT_EQ(a.Allocate(100), 500);
    EXPECT_EQ(a.Allocate(10), 600);
    EXPECT_EQ(a.Allocate(390), 610);
    if (small_first) ASSERT_EQ(a.Free(600, 10), FreeStatus::kOk);
    ASSERT_EQ(a.Free(0, 500), FreeStatus::kOk);
    if (!small_first) ASSERT_EQ(a.Free(600, 10), FreeStatus::kOk);
    EXPECT_EQ(a.Find(100), 0);
    EXPECT_EQ(a.Find(10), 600);
    EXPECT_EQ(a.Find(5), 600);
    EXPECT_EQ(a.Allocate(100), 0);
    ExpectRanges(a, {{100, 500}, {600, 610}});
    EXPECT_EQ(a.Allocate(10), 600);
  }
}

// 6, the ten-block case: best fit, ties to the lowest offset.
TYPED_TEST_P(BestFitCases, GoMemTenBlocks) {
  TypeParam a(1000);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(a.Allocate(100), i * 100);
  for (uint64_t s : {100, 300, 500}) ASSERT_EQ(a.Free(s, 100), FreeStatus::kOk);
  ASSERT_EQ(a.Free(700, 50), FreeStatus::kOk);
  EXPECT_EQ(a.Find(50), 700);
  EXPECT_EQ(a.Find(60), 100);
  EXPECT_EQ(a.Find(100), 100);
  EXPECT_EQ(a.Find(101), kNoFit);
  EXPECT_EQ(a.Allocate(50), 700);
  EXPECT_EQ(a.Allocate(60), 100);
  EXPECT_EQ(a.Allocate(100), 300);
  EXPECT_TRUE(a.Validate());
}

// 6 / 7.3-7.4: where GoMem corrupts its state, we refuse and change nothing.
TYPED_TEST_P(BestFitCases, GoMemCorruptingCallsAreRefused) {
  TypeParam a(1000);
  ASSERT_EQ(a.Allocate(100), 0);
  ASSERT_EQ(a.Free(0, 100), FreeStatus::kOk);
  EXPECT_EQ(a.Free(0, 100), FreeStatus::kDoubleFree);  // GoMem: [0,1000)[0,100), free 1100
  ExpectRanges(a, {{0, 1000}});
  EXPECT_EQ(a.Allocate(1000), 0);
  EXPECT_EQ(a.Allocate(100), kNoFit);  // twotree hands out 0 again

  TypeParam b(100);
  EXPECT_EQ(b.Free(200, 50), FreeStatus::kOutOfRange);  // GoMem adds [200,250)
  EXPECT_EQ(b.Allocate(0), kNoFit);                     // GoMem returns 0
  ExpectRanges(b, {{0, 100}});
  EXPECT_EQ(b.Allocate(120), kNoFit);
  ASSERT_EQ(b.Allocate(50), 0);
  EXPECT_EQ(b.Free(10, 0), FreeStatus::kOk);  // GoMem: panic or a [10,10) range
  ExpectRanges(b, {{50, 100}});

  TypeParam c(0);  // GoMem keeps a [0,0) range
  ExpectRanges(c, {});
  EXPECT_EQ(c.Find(1), kNoFit);
  EXPECT_EQ(c.Free(0, 10), FreeStatus::kOutOfRange);
}

// 6, Recycle and Init: Reset is Init; GoMem's Recycle (empty the free set) is
// not a RangeStrategy operation.
TYPED_TEST_P(BestFitCases, GoMemInit) {
  TypeParam a(1000);
  ASSERT_EQ(a.Allocate(10), 0);
  a.Reset(500);
  ExpectRanges(a, {{0, 500}});
  EXPECT_EQ(a.Size(), 500u);
  EXPECT_EQ(a.Allocate(100), 0);
}

TYPED_TEST_P(BestFitCases, ModelSeeds) {
  for (uint64_t seed : {1, 2, 3, 42, 1234}) {
    TypeParam a(8192);
    RunRandomModel(a, seed, 3000, 512, FitRule::kBestFit);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

REGISTER_TYPED_TEST_SUITE_P(BestFitCases, GoMemTestAllocator, GoMemHistoryReplay, GoMemFitsTheSingleTreeMisses,
                            GoMemTenBlocks, GoMemCorruptingCallsAreRefused, GoMemInit, ModelSeeds);

}  // namespace poolmem::testing
