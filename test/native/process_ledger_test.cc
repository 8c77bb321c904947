// ProcessLedger: an owner frees only bytes it holds (whole, partial, spanning
// its own adjacent blocks), never another owner's, never shares an arena with
// another owner, and gives back everything it still holds when it goes away.
#include "pools/process_ledger.h"

#include <gtest/gtest.h>

namespace poolmem {
namespace {

using Block = ProcessAllocator::Block;
using FreeResult = ProcessAllocator::FreeResult;
using AllocStatus = ProcessAllocator::AllocStatus;

TEST(ProcessLedger, FreesOnlyWhatItsOwnerHolds) {
  ProcessAllocator a(StrategyKind::kFirstFit, 1 << 16);
  ProcessLedger mine(a), theirs(a);
  Block x, y, z;
  ASSERT_EQ(mine.Allocate(100, &x), AllocStatus::kOk);
  ASSERT_EQ(theirs.Allocate(64, &y), AllocStatus::kOk);
  ASSERT_EQ(mine.Allocate(32, &z), AllocStatus::kOk);
  uint64_t released = 0;
  EXPECT_EQ(theirs.Free(x.arena_id, x.offset, 100, &released), FreeResult::kDoubleFree);
  EXPECT_EQ(mine.Free(y.arena_id, y.offset, 16, &released), FreeResult::kDoubleFree);
  EXPECT_EQ(mine.Free(x.arena_id, x.offset + 10, 20, &released), FreeResult::kOk);  // a middle piece
  EXPECT_EQ(mine.Free(x.arena_id, x.offset + 10, 20, &released), FreeResult::kDoubleFree);
  EXPECT_EQ(mine.Free(x.arena_id, 1 << 16, 1, &released), FreeResult::kOutOfRange);
  EXPECT_EQ(mine.Free(12345, 0, 16, &released), FreeResult::kUnknownArena);
  EXPECT_EQ(a.GetStats().used_size, 112u + 64u + 32u);
  EXPECT_TRUE(a.Validate());
}

TEST(ProcessLedger, AFreeMaySpanItsOwnAdjacentBlocks) {
  ProcessAllocator a(StrategyKind::kFirstFit, 1 << 16);
  ProcessLedger mine(a);
  Block x, y, keep;
  ASSERT_EQ(mine.Allocate(32, &x), AllocStatus::kOk);
  ASSERT_EQ(mine.Allocate(32, &y), AllocStatus::kOk);
  ASSERT_EQ(mine.Allocate(16, &keep), AllocStatus::kOk);
  ASSERT_EQ(y.offset, x.offset + 32);
  uint64_t released = 0;
  EXPECT_EQ(mine.Free(x.arena_id, x.offset + 16, 32, &released), FreeResult::kOk);
  EXPECT_EQ(mine.Free(x.arena_id, x.offset, 16, &released), FreeResult::kOk);
  EXPECT_EQ(mine.Free(y.arena_id, y.offset + 16, 16, &released), FreeResult::kOk);
  EXPECT_EQ(a.GetStats().used_size, 16u);
}

TEST(ProcessLedger, GivesBackWhatItHoldsWhenItGoes) {
  const int64_t regions = MappedRegion::LiveCount();
  ProcessAllocator a(StrategyKind::kFirstFit, 1 << 16);
  ProcessLedger survivor(a);
  Block kept;
  ASSERT_EQ(survivor.Allocate(64, &kept), AllocStatus::kOk);
  {
    ProcessLedger leaving(a);
    Block b;
    // Each above half an arena: an arena of its own.
    for (int i = 0; i < 10; ++i) ASSERT_EQ(leaving.Allocate(40000, &b), AllocStatus::kOk);
    ASSERT_EQ(leaving.Allocate(100, &b), AllocStatus::kOk);  // the room left in its first big arena
    EXPECT_NE(ProcessAllocator::SlotOf(b.arena_id), ProcessAllocator::SlotOf(kept.arena_id));
    uint64_t released = 0;
    ASSERT_EQ(leaving.Free(b.arena_id, b.offset, 50, &released), FreeResult::kOk);  // half of it
    EXPECT_EQ(a.GetStats().arenas, 11u);
  }
  EXPECT_EQ(a.GetStats().used_size, 64u);
  EXPECT_EQ(a.GetStats().arenas, 1u);
  EXPECT_TRUE(a.Validate());
  uint64_t released = 0;
  EXPECT_EQ(survivor.Free(kept.arena_id, kept.offset, 64, &released), FreeResult::kArenaReleased);
  EXPECT_EQ(MappedRegion::LiveCount(), regions);
}

TEST(ProcessLedger, OwnersNeverShareAnArena) {
  ProcessAllocator a(StrategyKind::kFirstFit, 1 << 16);
  ProcessLedger mine(a), theirs(a);
  Block x, y;
  ASSERT_EQ(mine.Allocate(64, &x), AllocStatus::kOk);
  ASSERT_EQ(theirs.Allocate(64, &y), AllocStatus::kOk);
  EXPECT_NE(x.arena_id, y.arena_id);
  EXPECT_EQ(a.GetStats().arenas, 2u);
  uint64_t released = 0;
  // A forged free of the other owner's arena, at a live offset, is refused.
  EXPECT_EQ(mine.Free(y.arena_id, y.offset, 64, &released), FreeResult::kDoubleFree);
  EXPECT_EQ(mine.Free(x.arena_id, x.offset, 64, &released), FreeResult::kArenaReleased);
  EXPECT_TRUE(a.Validate());
  EXPECT_EQ(theirs.Free(y.arena_id, y.offset, 64, &released), FreeResult::kArenaReleased);
}

TEST(ProcessLedger, TheSpareGoesToWhoeverAllocatesNext) {
  // A spare of up to one arena: the emptied arena stays mapped.
  ProcessAllocator a(StrategyKind::kFirstFit, 1 << 16, 1 << 16);
  ProcessLedger first(a), second(a);
  Block x, y;
  ASSERT_EQ(first.Allocate(64, &x), AllocStatus::kOk);
  uint64_t released = 0;
  ASSERT_EQ(first.Free(x.arena_id, x.offset, 64, &released), FreeResult::kArenaSpared);
  // Its former owner cannot free in it while it is the spare...
  EXPECT_EQ(first.Free(x.arena_id, x.offset, 64, &released), FreeResult::kDoubleFree);
  ASSERT_EQ(second.Allocate(64, &y), AllocStatus::kOk);
  EXPECT_EQ(y.arena_id, x.arena_id);  // claimed, not a new mapping
  EXPECT_EQ(a.GetStats().arenas, 1u);
  // ...nor once another owner holds it, even at the very same bytes.
  EXPECT_EQ(first.Free(x.arena_id, x.offset, 64, &released), FreeResult::kDoubleFree);
  EXPECT_EQ(first.ReturnAll(), 0u);  // nothing of the first owner's is left
  EXPECT_EQ(a.GetStats().used_size, 64u);
  EXPECT_EQ(second.Free(y.arena_id, y.offset, 64, &released), FreeResult::kArenaSpared);
  EXPECT_TRUE(a.Validate());
}

}  // namespace
}  // namespace poolmem
