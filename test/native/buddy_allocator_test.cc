// BuddyAllocator: GoMem's buddy cases, the overlap GoMem's non-power-of-two sizes cause,
// arena sizes that are not powers of two, partial frees at minBlock
// granularity, bad frees, options, and the model test.
#include "strategies/buddy_allocator.h"

#include <gtest/gtest.h>

#include "strategy_model.h"

namespace poolmem {
namespace {

using testing::BlocksOf;
constexpr uint64_t kUnit = 1024;

TEST(BuddyAllocator, GoMemUnitSequence) {
  BuddyAllocator b(1024 * kUnit, kUnit);
  EXPECT_EQ(b.Allocate(1 * kUnit), 0);
  EXPECT_EQ(b.Allocate(1 * kUnit), static_cast<int64_t>(1 * kUnit));
  EXPECT_EQ(b.Allocate(3 * kUnit), static_cast<int64_t>(4 * kUnit));  // aligned like a 4-unit block
  EXPECT_EQ(b.Allocate(2 * kUnit), static_cast<int64_t>(2 * kUnit));
  EXPECT_EQ(b.Allocate(0), kNoFit);
  EXPECT_EQ(b.Allocate(1025 * kUnit), kNoFit);
  EXPECT_EQ(b.Free(1 * kUnit, kUnit), FreeStatus::kOk);
  EXPECT_EQ(b.Free(1 * kUnit, kUnit), FreeStatus::kDoubleFree);
  EXPECT_EQ(b.Free(1024 * kUnit, kUnit), FreeStatus::kOutOfRange);
  // The 3-unit request left its fourth unit free: a 1-unit request takes it.
  EXPECT_EQ(b.Allocate(1 * kUnit), static_cast<int64_t>(1 * kUnit));
  EXPECT_EQ(b.Allocate(1 * kUnit), static_cast<int64_t>(7 * kUnit));
  for (uint64_t u : {0, 1, 2, 7}) ASSERT_EQ(b.Free(u * kUnit, (u == 2 ? 2 : 1) * kUnit), FreeStatus::kOk);
  ASSERT_EQ(b.Free(4 * kUnit, 3 * kUnit), FreeStatus::kOk);
  EXPECT_EQ(b.FreeSize(), 1024 * kUnit);
  EXPECT_EQ(b.Allocate(1024 * kUnit), 0);  // everything merged back
  EXPECT_EQ(b.Allocate(1), kNoFit);
  ASSERT_EQ(b.Free(0, 1024 * kUnit), FreeStatus::kOk);
  EXPECT_EQ(b.Free(0, 1024 * kUnit), FreeStatus::kDoubleFree);
  EXPECT_EQ(b.Free(77 * kUnit, 1), FreeStatus::kDoubleFree);
  // Alloc(1000) -> 0, Alloc(600) -> 1024: both round up to one unit.
  EXPECT_EQ(b.Allocate(1000), 0);
  EXPECT_EQ(b.Allocate(600), static_cast<int64_t>(kUnit));
  EXPECT_TRUE(b.Validate());
}

TEST(BuddyAllocator, SizesThatAreNotPowersOfTwoNeverOverlap) {
  // GoMem reserved 2 units for 3000 bytes, so the next block started inside it.
  BuddyAllocator b(64 * kUnit, kUnit);
  ASSERT_EQ(b.Allocate(3000), 0);
  const int64_t next = b.Allocate(kUnit);
  EXPECT_GE(next, 3000);
  EXPECT_EQ(next, static_cast<int64_t>(3 * kUnit));
  EXPECT_EQ(b.FreeSize(), 60 * kUnit);
}

TEST(BuddyAllocator, EveryBlockIsAlignedToItsPowerOfTwo) {
  BuddyAllocator b(1 << 20, 64);
  for (uint64_t n : {1, 64, 65, 100, 200, 1000, 4096, 5000, 70000}) {
    const int64_t off = b.Allocate(n);
    ASSERT_NE(off, kNoFit);
    uint64_t block = 64;
    while (block < n) block *= 2;
    EXPECT_EQ(static_cast<uint64_t>(off) % block, 0u) << n;
  }
  EXPECT_TRUE(b.Validate());
}

TEST(BuddyAllocator, ArenaSizesThatAreNotPowersOfTwo) {
  // 96 granules: top blocks of 64 and 32 that never merge with each other.
  BuddyAllocator b(96 * 64, 64);
  EXPECT_EQ(b.FreeSize(), 96u * 64);
  EXPECT_EQ(b.Allocate(96 * 64), kNoFit);  // no single block holds it
  EXPECT_EQ(b.Allocate(64 * 64), 0);
  EXPECT_EQ(b.Allocate(32 * 64), 64 * 64);
  EXPECT_EQ(b.FreeSize(), 0u);
  ASSERT_EQ(b.Free(0, 64 * 64), FreeStatus::kOk);
  ASSERT_EQ(b.Free(64 * 64, 32 * 64), FreeStatus::kOk);
  const auto blocks = BlocksOf(b);  // reported merged, held as two blocks
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].end, 96u * 64);
  // 1000 bytes with 64-byte granules: 15 usable granules, the last 40 bytes never.
  BuddyAllocator c(1000, 64);
  EXPECT_EQ(c.FreeSize(), 960u);
  EXPECT_EQ(c.Allocate(961), kNoFit);
  EXPECT_EQ(c.Free(970, 10), FreeStatus::kDoubleFree);  // inside, never handed out
  EXPECT_EQ(c.Allocate(512), 0);
  EXPECT_EQ(c.Allocate(256), 512);
  EXPECT_EQ(c.Allocate(128), 768);
  EXPECT_EQ(c.Allocate(64), 896);
  EXPECT_EQ(c.Allocate(1), kNoFit);
  BuddyAllocator d(63, 64);  // smaller than one block: nothing to hand out
  EXPECT_EQ(d.FreeSize(), 0u);
  EXPECT_EQ(d.Allocate(1), kNoFit);
  EXPECT_TRUE(BlocksOf(d).empty());
}

TEST(BuddyAllocator, PartialFreesReturnWholeMinBlocks) {
  BuddyAllocator b(64 * 64, 64);
  ASSERT_EQ(b.Allocate(200), 0);  // 4 granules of a 4-granule block
  EXPECT_EQ(b.FreeSize(), 60u * 64);
  ASSERT_EQ(b.Free(100, 100), FreeStatus::kOk);  // tail: [128, 256) no longer holds a live byte
  EXPECT_EQ(b.FreeSize(), 62u * 64);
  EXPECT_EQ(b.Free(100, 1), FreeStatus::kDoubleFree);  // byte-exact, inside a reserved granule
  EXPECT_EQ(b.Allocate(128), 128);                     // the released granules are reused
  ASSERT_EQ(b.Free(0, 100), FreeStatus::kOk);
  ASSERT_EQ(b.Free(128, 128), FreeStatus::kOk);
  EXPECT_EQ(b.FreeSize(), 64u * 64);

  // Middle: [70, 600) of a 640-byte block frees granules 2..8 and splits it.
  ASSERT_EQ(b.Allocate(640), 0);  // 10 granules; the block's other 6 are free at once
  EXPECT_EQ(b.FreeSize(), 54u * 64);
  ASSERT_EQ(b.Free(70, 530), FreeStatus::kOk);
  EXPECT_EQ(b.FreeSize(), 61u * 64);
  EXPECT_EQ(b.Free(64, 10), FreeStatus::kDoubleFree);  // [70,74) is already free
  ASSERT_EQ(b.Free(64, 6), FreeStatus::kOk);
  ASSERT_EQ(b.Free(0, 64), FreeStatus::kOk);
  ASSERT_EQ(b.Free(600, 40), FreeStatus::kOk);
  EXPECT_EQ(b.FreeSize(), 64u * 64);
  EXPECT_EQ(b.Allocate(64 * 64), 0);
}

TEST(BuddyAllocator, BytePreciseFreesInsideOneGranule) {
  BuddyAllocator b(1024, 64);
  ASSERT_EQ(b.Allocate(64), 0);
  ASSERT_EQ(b.Free(10, 10), FreeStatus::kOk);  // live [0,10) [20,64): still reserved
  EXPECT_EQ(b.FreeSize(), 960u);
  EXPECT_EQ(b.Free(0, 64), FreeStatus::kDoubleFree);
  EXPECT_EQ(b.Free(15, 10), FreeStatus::kDoubleFree);
  ASSERT_EQ(b.Free(30, 4), FreeStatus::kOk);  // three live ranges in one granule
  ASSERT_EQ(b.Free(0, 10), FreeStatus::kOk);
  ASSERT_EQ(b.Free(20, 10), FreeStatus::kOk);
  EXPECT_EQ(b.FreeSize(), 960u);
  ASSERT_EQ(b.Free(34, 30), FreeStatus::kOk);  // the last live byte: the granule returns
  EXPECT_EQ(b.FreeSize(), 1024u);
  EXPECT_TRUE(b.Validate());
}

TEST(BuddyAllocator, OneFreeMaySpanAdjacentBlocks) {
  BuddyAllocator b(1024, 64);
  ASSERT_EQ(b.Allocate(64), 0);
  ASSERT_EQ(b.Allocate(64), 64);
  ASSERT_EQ(b.Allocate(100), 128);  // bytes [228, 256) are not live
  EXPECT_EQ(b.Free(0, 256), FreeStatus::kDoubleFree);
  EXPECT_EQ(b.FreeSize(), 1024u - 256);
  ASSERT_EQ(b.Free(32, 196), FreeStatus::kOk);  // across three blocks
  ASSERT_EQ(b.Free(0, 32), FreeStatus::kOk);
  EXPECT_EQ(b.FreeSize(), 1024u);
}

TEST(BuddyAllocator, OptionsAreChecked) {
  EXPECT_TRUE(BuddyAllocator::Supports(4096, 64));
  EXPECT_TRUE(BuddyAllocator::Supports(4096, 16));
  EXPECT_FALSE(BuddyAllocator::Supports(4096, 8));
  EXPECT_FALSE(BuddyAllocator::Supports(4096, 48));
  EXPECT_FALSE(BuddyAllocator::Supports(4096, uint64_t{1} << 31));
  EXPECT_FALSE(BuddyAllocator::Supports((uint64_t{1} << 28) * 64 + 64, 64));
  EXPECT_TRUE(BuddyAllocator::Supports(uint64_t{1} << 40, uint64_t{1} << 20));
  EXPECT_NE(MakeRangeStrategy(StrategyKind::kBuddy, 4096, StrategyOptions{}), nullptr);
  EXPECT_EQ(MakeRangeStrategy(StrategyKind::kBuddy, 4096, StrategyOptions{100}), nullptr);
  auto s = MakeRangeStrategy(StrategyKind::kBuddy, 4096, StrategyOptions{0});
  EXPECT_EQ(s->Allocate(1), 0);
  EXPECT_EQ(s->FreeSize(), 4096u - BuddyAllocator::kDefaultMinBlock);
}

TEST(BuddyAllocator, ResetStartsOver) {
  BuddyAllocator b(4096, 64);
  ASSERT_EQ(b.Allocate(100), 0);
  b.Reset(8192);
  EXPECT_EQ(b.FreeSize(), 8192u);
  EXPECT_EQ(b.Allocate(8192), 0);
  EXPECT_TRUE(b.Validate());
}

struct BuddyCase {
  uint64_t size;
  uint64_t min_block;
  uint64_t seed;
};

class BuddyModel : public ::testing::TestWithParam<BuddyCase> {};

TEST_P(BuddyModel, MatchesTheCanonicalBuddyModel) {
  const BuddyCase c = GetParam();
  BuddyAllocator b(c.size, c.min_block);
  testing::RunRandomModel(b, c.seed, 2000, 1024, testing::FitRule::kBuddy, c.min_block);
}

INSTANTIATE_TEST_SUITE_P(Cases, BuddyModel,
                         ::testing::Values(BuddyCase{8192, 64, 1}, BuddyCase{8192, 64, 2}, BuddyCase{8192, 16, 3},
                                           BuddyCase{8192, 16, 42}, BuddyCase{6000, 32, 5},
                                           BuddyCase{12345, 128, 6}, BuddyCase{4096, 256, 7}));

}  // namespace
}  // namespace poolmem
