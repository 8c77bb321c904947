// The strategy factory: every name in StrategyKind order builds with default
// options, and options a kind does not take give nullptr.
#include "strategies/range_strategy.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace poolmem {
namespace {

constexpr StrategyKind kKinds[] = {StrategyKind::kTreap, StrategyKind::kAvl, StrategyKind::kBuddy,
                                   StrategyKind::kFirstFit};

TEST(AvailableStrategies, NamesEveryKindInOrder) {
  const std::vector<std::string_view> names = AvailableStrategies();
  ASSERT_EQ(names, (std::vector<std::string_view>{"treap", "avl", "buddy", "first-fit"}));
  for (StrategyKind kind : kKinds) {
    EXPECT_NE(MakeRangeStrategy(kind, 4096, StrategyOptions{}), nullptr) << names[static_cast<size_t>(kind)];
  }
}

TEST(MakeRangeStrategy, RefusesOptionsTheKindDoesNotTake) {
  // treap and avl are byte-exact: no granule.
  EXPECT_EQ(MakeRangeStrategy(StrategyKind::kTreap, 4096, StrategyOptions{16, 1}), nullptr);
  EXPECT_EQ(MakeRangeStrategy(StrategyKind::kAvl, 4096, StrategyOptions{16, 1}), nullptr);
  for (StrategyKind kind : kKinds) {
    EXPECT_EQ(MakeRangeStrategy(kind, 4096, StrategyOptions{0, 3}), nullptr);                  // not a power of two
    EXPECT_EQ(MakeRangeStrategy(kind, 1 << 20, StrategyOptions{0, 2 * kMaxAlignment}), nullptr);  // too large
    EXPECT_NE(MakeRangeStrategy(kind, 1 << 20, StrategyOptions{0, kMaxAlignment}), nullptr);
  }
}

}  // namespace
}  // namespace poolmem
