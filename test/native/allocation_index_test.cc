// AllocationIndex and U64Map: whole, front, tail, middle and spanning frees,
// and a seeded comparison of the map against std::unordered_map.
#include "allocation_index.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

namespace poolmem {
namespace {

TEST(U64Map, MatchesStdUnorderedMapUnderChurn) {
  U64Map map;
  std::unordered_map<uint64_t, uint64_t> model;
  std::mt19937_64 rng(42);
  for (int step = 0; step < 200000; ++step) {
    const uint64_t key = rng() % 5000;
    if (rng() % 3 == 0) {
      EXPECT_EQ(map.Erase(key), model.erase(key) == 1);
    } else {
      map.Put(key, key * 7);
      model[key] = key * 7;
    }
    if (step % 997 == 0) {
      ASSERT_EQ(map.size(), model.size());
      for (const auto& [k, v] : model) {
        uint64_t* found = map.Find(k);
        ASSERT_NE(found, nullptr);
        ASSERT_EQ(*found, v);
      }
    }
  }
  map.Clear();
  EXPECT_EQ(map.size(), 0u);
  EXPECT_EQ(map.Find(1), nullptr);
}

TEST(AllocationIndex, WholeFreeRemovesTheAllocation) {
  AllocationIndex index;
  index.Add(0, 0, 100);
  index.Add(0, 100, 50);
  index.Add(3, 0, 100);  // same offset, other chunk
  EXPECT_EQ(index.count(), 3u);
  EXPECT_EQ(index.Remove(0, 0, 100), 100u);
  EXPECT_EQ(index.count(), 2u);
  EXPECT_EQ(index.LiveBytes(), 150u);
}

TEST(AllocationIndex, FrontAndTailTrimsKeepTheAllocationUntilItsLastByte) {
  AllocationIndex index;
  index.Add(1, 1000, 300);                  // [1000, 1300)
  EXPECT_EQ(index.Remove(1, 1200, 100), 100u);  // tail (freeRest)
  EXPECT_EQ(index.count(), 1u);
  EXPECT_EQ(index.Remove(1, 1000, 50), 50u);    // front
  EXPECT_EQ(index.count(), 1u);
  EXPECT_EQ(index.LiveBytes(), 150u);
  EXPECT_EQ(index.Remove(1, 1050, 150), 150u);  // the rest
  EXPECT_EQ(index.count(), 0u);
}

TEST(AllocationIndex, MiddleFreeSplitsAndSpanningFreeRemovesSeveral) {
  AllocationIndex index;
  index.Add(0, 0, 100);
  index.Add(0, 100, 100);
  index.Add(0, 200, 100);
  EXPECT_EQ(index.Remove(0, 40, 20), 20u);  // splits [0,100) in two pieces
  EXPECT_EQ(index.count(), 4u);
  EXPECT_EQ(index.Remove(0, 60, 180), 180u);  // [60,100) [100,200) [200,240)
  EXPECT_EQ(index.count(), 2u);
  EXPECT_EQ(index.LiveBytes(), 40u + 60u);
}

TEST(AllocationIndex, BytesOutsideEveryExtentAreNotCounted) {
  AllocationIndex index;
  index.Add(0, 0, 100);
  EXPECT_EQ(index.Remove(0, 50, 100), 50u);  // [100,150) was never a request
  EXPECT_EQ(index.count(), 1u);
  EXPECT_EQ(index.LiveBytes(), 50u);
}

TEST(AllocationIndex, LargestOffsetsAndChunkIdsStayDistinct) {
  AllocationIndex index;
  const uint64_t last = (uint64_t{1} << 32) - 1;
  index.Add((1u << 21) - 1, last, 1);  // ends at 2^32
  index.Add(0, 0, uint64_t{1} << 32);
  EXPECT_EQ(index.count(), 2u);
  EXPECT_EQ(index.Remove((1u << 21) - 1, last, 1), 1u);
  EXPECT_EQ(index.Remove(0, 0, uint64_t{1} << 32), uint64_t{1} << 32);
  EXPECT_EQ(index.count(), 0u);
}

}  // namespace
}  // namespace poolmem
