// MaxTree (uint32, first-fit's) and BasicMaxTree<uint64_t> (ScalableAllocator's
// chunk index): leftmost-leaf answers with stale bounds left by cuts, values
// past 2^32, and a seeded comparison against a linear scan.
#include "structures/max_tree.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace poolmem {
namespace {

template <class Value>
uint64_t LinearFirstAtLeast(const std::vector<Value>& leaves, Value x) {
  for (uint64_t i = 0; i < leaves.size(); ++i) {
    if (leaves[i] >= x) return i;
  }
  return BasicMaxTree<Value>::kNone;
}

TEST(MaxTree, CutLeavesAStaleBoundThatTheSearchSkips) {
  MaxTree tree;
  tree.Reset(4);
  tree.Set(0, 100);
  tree.Set(3, 50);
  EXPECT_EQ(tree.FirstAtLeast(60), 0u);
  tree.Set(0, 10);  // a cut: ancestors still say 100
  EXPECT_EQ(tree.FirstAtLeast(60), MaxTree::kNone);
  EXPECT_EQ(tree.FirstAtLeast(50), 3u);
  EXPECT_EQ(tree.FirstAtLeast(10), 0u);
  EXPECT_TRUE(tree.Consistent());
}

TEST(MaxTree, OneLeafIsTheRoot) {
  BasicMaxTree<uint64_t> tree;
  tree.Reset(1);
  EXPECT_EQ(tree.leaves(), 1u);
  EXPECT_EQ(tree.FirstAtLeast(1), BasicMaxTree<uint64_t>::kNone);
  tree.Set(0, 7);
  EXPECT_EQ(tree.FirstAtLeast(7), 0u);
  EXPECT_EQ(tree.FirstAtLeast(8), BasicMaxTree<uint64_t>::kNone);
}

TEST(MaxTree, WideValuesKeepTheirHighBits) {
  BasicMaxTree<uint64_t> tree;
  tree.Reset(5);  // rounded up to 8
  EXPECT_EQ(tree.leaves(), 8u);
  const uint64_t four_gib = uint64_t{1} << 32;
  tree.Set(2, four_gib - 1);
  tree.Set(6, four_gib);
  EXPECT_EQ(tree.FirstAtLeast(four_gib), 6u);
  EXPECT_EQ(tree.FirstAtLeast(four_gib - 1), 2u);
  EXPECT_EQ(tree.Get(6), four_gib);
}

template <class Value>
void MatchLinearScan(uint64_t seed, Value max_value) {
  std::mt19937_64 rng(seed);
  BasicMaxTree<Value> tree;
  std::vector<Value> leaves(37, 0);
  tree.Reset(leaves.size());
  for (int step = 0; step < 20000; ++step) {
    const uint64_t leaf = rng() % leaves.size();
    const Value value = static_cast<Value>(rng() % (uint64_t{max_value} + 1));
    tree.Set(leaf, value);
    leaves[leaf] = value;
    const Value x = static_cast<Value>(rng() % (uint64_t{max_value} + 1) + 1);
    ASSERT_EQ(tree.FirstAtLeast(x), LinearFirstAtLeast(leaves, x)) << "step " << step;
    ASSERT_EQ(tree.Get(leaf), value);
    if (step % 101 == 0) ASSERT_TRUE(tree.Consistent());
  }
}

TEST(MaxTree, MatchesALinearScanUnderChurn) {
  MatchLinearScan<uint32_t>(7, 1000);
  MatchLinearScan<uint64_t>(8, uint64_t{1} << 33);
}

}  // namespace
}  // namespace poolmem
