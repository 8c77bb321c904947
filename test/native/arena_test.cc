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
