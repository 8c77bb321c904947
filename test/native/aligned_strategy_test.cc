// Alignment through MakeRangeStrategy, for every strategy: every offset is a
// multiple of the alignment, partial frees of any byte range work, and a
// granule goes back to the free ranges only when none of its bytes is live.
// The treap and avl are wrapped by AlignedStrategy; buddy and first-fit take
// the alignment as a floor on their granule.
#include "strategies/aligned_strategy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <tuple>

#include "strategy_model.h"

namespace poolmem {
namespace {

using testing::BlocksOf;
using testing::FitRule;

std::unique_ptr<RangeStrategy> Make(StrategyKind kind, uint64_t size, uint64_t alignment, uint64_t min_block = 0) {
  StrategyOptions o;
  o.min_block = min_block;
  o.alignment = alignment;
  return MakeRangeStrategy(kind, size, o);
}

// The granule a strategy ends up with for this alignment (and default minBlock).
uint64_t GranuleOf(StrategyKind kind, uint64_t alignment) {
  switch (kind) {
    case StrategyKind::kBuddy: return std::max<uint64_t>(64, alignment);
    case StrategyKind::kFirstFit: return std::max<uint64_t>(16, alignment);
    default: return alignment;
  }
}

FitRule RuleOf(StrategyKind kind) {
  switch (kind) {
    case StrategyKind::kBuddy: return FitRule::kBuddy;
    case StrategyKind::kFirstFit: return FitRule::kFirstFit;
    default: return FitRule::kBestFit;
  }
}

constexpr StrategyKind kKinds[] = {StrategyKind::kTreap, StrategyKind::kAvl, StrategyKind::kBuddy,
                                   StrategyKind::kFirstFit};

TEST(AlignedStrategy, RejectsAlignmentsThatAreNotAPowerOfTwoUpTo4096) {
  for (StrategyKind kind : kKinds) {
    for (uint64_t bad : {uint64_t{0}, uint64_t{3}, uint64_t{24}, uint64_t{8192}, uint64_t{1} << 40}) {
      EXPECT_EQ(Make(kind, 1 << 16, bad), nullptr) << static_cast<int>(kind) << " " << bad;
    }
    for (uint64_t good : {uint64_t{1}, uint64_t{2}, uint64_t{8}, uint64_t{4096}}) {
      EXPECT_NE(Make(kind, 1 << 16, good), nullptr) << static_cast<int>(kind) << " " << good;
    }
  }
}

TEST(AlignedStrategy, ByteExactWithoutAlignment) {
  auto t = Make(StrategyKind::kTreap, 100, 1);
  EXPECT_EQ(t->Allocate(3), 0);
  EXPECT_EQ(t->Allocate(3), 3);
  EXPECT_EQ(t->FreeSize(), 94u);
}

TEST(AlignedStrategy, RoundsPlacementUpToTheAlignment) {
  for (StrategyKind kind : {StrategyKind::kTreap, StrategyKind::kAvl}) {
    auto s = Make(kind, 100, 8);
    EXPECT_EQ(s->Size(), 100u);
    EXPECT_EQ(s->FreeSize(), 96u);  // the tail below one granule is never handed out
    EXPECT_EQ(s->Allocate(3), 0);
    EXPECT_EQ(s->Allocate(9), 8);
    EXPECT_EQ(s->Find(1), 24);
    EXPECT_EQ(s->Allocate(1), 24);
    EXPECT_EQ(s->FreeSize(), 96u - 32);
    EXPECT_EQ(s->Allocate(65), kNoFit);
    EXPECT_EQ(s->Allocate(64), 32);
    EXPECT_EQ(s->Allocate(1), kNoFit);
    EXPECT_TRUE(s->Validate());
  }
}

TEST(AlignedStrategy, AGranuleIsFreeOnlyWhenNoneOfItsBytesIsLive) {
  for (StrategyKind kind : kKinds) {
    const uint64_t g = GranuleOf(kind, 8);
    auto s = Make(kind, 64 * g, 8);
    const uint64_t before = s->FreeSize();
    ASSERT_EQ(s->Allocate(2 * g), 0);
    // Free bytes [3, 5): like buf.subarray(3, 5); exactly those bytes.
    ASSERT_EQ(s->Free(3, 2), FreeStatus::kOk);
    EXPECT_EQ(s->Free(4, 1), FreeStatus::kDoubleFree);
    EXPECT_EQ(s->FreeSize(), before - 2 * g);  // granule 0 still holds live bytes
    ASSERT_EQ(s->Free(0, 3), FreeStatus::kOk);
    ASSERT_EQ(s->Free(5, g - 5), FreeStatus::kOk);
    EXPECT_EQ(s->FreeSize(), before - g);      // granule 0 is dead now
    if (kind != StrategyKind::kBuddy) {        // buddy keeps the whole block until it is all free
      EXPECT_EQ(s->Allocate(1), 0);
      ASSERT_EQ(s->Free(0, 1), FreeStatus::kOk);
    }
    ASSERT_EQ(s->Free(g, g), FreeStatus::kOk);
    EXPECT_EQ(s->FreeSize(), before);
    EXPECT_TRUE(s->Validate());
  }
}

TEST(AlignedStrategy, BadFreesChangeNothing) {
  for (StrategyKind kind : {StrategyKind::kTreap, StrategyKind::kAvl}) {
    auto s = Make(kind, 256, 16);
    ASSERT_EQ(s->Allocate(40), 0);
    EXPECT_EQ(s->Free(40, 8), FreeStatus::kDoubleFree);  // slack of the last granule
    EXPECT_EQ(s->Free(0, 48), FreeStatus::kDoubleFree);
    EXPECT_EQ(s->Free(64, 8), FreeStatus::kDoubleFree);  // free space
    EXPECT_EQ(s->Free(250, 10), FreeStatus::kOutOfRange);
    EXPECT_EQ(s->Free(UINT64_MAX, 2), FreeStatus::kOutOfRange);
    EXPECT_EQ(s->Free(3, 0), FreeStatus::kOk);
    EXPECT_EQ(s->FreeSize(), 256u - 48);
    EXPECT_TRUE(s->Validate());
    ASSERT_EQ(s->Free(0, 40), FreeStatus::kOk);
    EXPECT_EQ(s->FreeSize(), 256u);
  }
}

TEST(AlignedStrategy, ResetStartsOverAligned) {
  auto s = Make(StrategyKind::kTreap, 100, 8);
  ASSERT_EQ(s->Allocate(5), 0);
  s->Reset(203);
  EXPECT_EQ(s->FreeSize(), 200u);
  EXPECT_EQ(s->Allocate(1), 0);
  EXPECT_EQ(s->Allocate(1), 8);
  EXPECT_TRUE(s->Validate());
}

TEST(AlignedStrategy, ALargerMinBlockWinsOverASmallerAlignment) {
  auto b = Make(StrategyKind::kBuddy, 4096, 8, 256);
  EXPECT_EQ(b->Allocate(1), 0);
  EXPECT_EQ(b->Allocate(1), 256);
  auto f = Make(StrategyKind::kFirstFit, 8192, 4096, 16);
  EXPECT_EQ(f->Allocate(1), 0);
  EXPECT_EQ(f->Allocate(1), 4096);
  EXPECT_EQ(f->Allocate(1), kNoFit);
}

// Every strategy, several alignments and seeds, against the reference model
// with the strategy's granule: exact placement, partial frees, bad frees.
class AlignedModel : public ::testing::TestWithParam<std::tuple<StrategyKind, uint64_t, uint64_t>> {};

TEST_P(AlignedModel, MatchesTheGranuleModel) {
  const auto [kind, alignment, seed] = GetParam();
  const uint64_t granule = GranuleOf(kind, alignment);
  const uint64_t size = granule * 97 + alignment / 2 + 3;  // a tail below one granule
  auto s = Make(kind, size, alignment);
  ASSERT_NE(s, nullptr);
  testing::RunRandomModel(*s, seed, 1500, granule * 12, RuleOf(kind), granule);
}

INSTANTIATE_TEST_SUITE_P(Cases, AlignedModel,
                         ::testing::Combine(::testing::ValuesIn(kKinds),
                                            ::testing::Values(uint64_t{2}, uint64_t{8}, uint64_t{16}, uint64_t{128}),
                                            ::testing::Values(uint64_t{1}, uint64_t{7})));

}  // namespace
}  // namespace poolmem
