// Arena: its used bytes are only what it handed out. The tail below one
// granule that a strategy can never hand out is neither used nor free.
#include "pools/arena.h"

#include <gtest/gtest.h>

namespace poolmem {
namespace {

constexpr StrategyKind kKinds[] = {StrategyKind::kTreap, StrategyKind::kAvl, StrategyKind::kBuddy,
                                   StrategyKind::kFirstFit};

TEST(Arena, FreshArenaHasNothingUsedWithEveryStrategy) {
  for (StrategyKind kind : kKinds) {
    for (uint64_t alignment : {uint64_t{1}, uint64_t{8}, uint64_t{64}}) {
      auto arena = Arena::Create(1000, kind, StrategyOptions{0, alignment}, false);
      ASSERT_NE(arena, nullptr);
      EXPECT_EQ(arena->used_size(), 0u) << static_cast<int>(kind) << " alignment " << alignment;
      EXPECT_EQ(arena->usable_size(), arena->free_size());
      EXPECT_EQ(arena->usable_size() + arena->tail_size(), arena->size());
    }
  }
}

TEST(Arena, UsedSizeCountsTheGranulesHandedOutAndNothingElse) {
  auto arena = Arena::Create(1000, StrategyKind::kFirstFit, StrategyOptions{}, false);
  ASSERT_NE(arena, nullptr);
  EXPECT_EQ(arena->tail_size(), 1000u % 16);
  const int64_t offset = arena->Allocate(1);
  ASSERT_GE(offset, 0);
  EXPECT_EQ(arena->used_size(), 16u);  // one whole granule
  EXPECT_EQ(arena->used_size() + arena->free_size() + arena->tail_size(), arena->size());
  ASSERT_EQ(arena->Free(static_cast<uint64_t>(offset), 1), FreeStatus::kOk);
  EXPECT_EQ(arena->used_size(), 0u);
}

// What a partial free can give back: safe mode holds exactly that much.
TEST(Arena, GranuleIsTheUnitTheStrategyHandsOut) {
  auto granule = [](StrategyKind kind, uint64_t min_block, uint64_t alignment) {
    auto arena = Arena::Create(4096, kind, StrategyOptions{min_block, alignment}, false);
    return arena == nullptr ? 0 : arena->strategy().Granule();
  };
  EXPECT_EQ(granule(StrategyKind::kTreap, 0, 1), 1u);
  EXPECT_EQ(granule(StrategyKind::kAvl, 0, 1), 1u);
  EXPECT_EQ(granule(StrategyKind::kTreap, 0, 64), 64u);
  EXPECT_EQ(granule(StrategyKind::kBuddy, 0, 1), 64u);
  EXPECT_EQ(granule(StrategyKind::kBuddy, 256, 8), 256u);
  EXPECT_EQ(granule(StrategyKind::kFirstFit, 0, 1), 16u);
  EXPECT_EQ(granule(StrategyKind::kFirstFit, 0, 64), 64u);
}

TEST(Arena, ResetKeepsTheTail) {
  auto arena = Arena::Create(1000, StrategyKind::kBuddy, StrategyOptions{}, false);
  ASSERT_NE(arena, nullptr);
  EXPECT_EQ(arena->tail_size(), 1000u % 64);
  ASSERT_GE(arena->Allocate(100), 0);
  arena->Reset();
  EXPECT_EQ(arena->used_size(), 0u);
  EXPECT_EQ(arena->free_size(), arena->usable_size());
}

}  // namespace
}  // namespace poolmem
