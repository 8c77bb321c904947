// AllocationIndex and the FlatMap it keeps extents in: whole, front, tail, middle and spanning frees,
// on the recent extent and on older ones, a seeded comparison of the index
// against a byte-level model and of the map against std::unordered_map.
#include "structures/allocation_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <unordered_map>

namespace poolmem {
namespace {

TEST(FlatMap, PutTakeAndEraseMatchStdUnorderedMapUnderChurn) {
  FlatMap<uint64_t> map;
  std::unordered_map<uint64_t, uint64_t> model;
  std::mt19937_64 rng(42);
  for (int step = 0; step < 200000; ++step) {
    const uint64_t key = rng() % 5000;
    const uint64_t op = rng() % 6;
    if (op == 0) {
      EXPECT_EQ(map.Erase(key), model.erase(key) == 1);
    } else if (op == 1) {
      uint64_t taken = 0;
      const auto it = model.find(key);
      ASSERT_EQ(map.Take(key, &taken), it != model.end());
      if (it != model.end()) {
        EXPECT_EQ(taken, it->second);
        model.erase(it);
      }
    } else {
      map.Put(key, key * 7 + step);  // overwrites a present key
      model[key] = key * 7 + step;
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

TEST(AllocationIndex, RemoveChunkDropsEveryExtentOfThatChunkOnly) {
  AllocationIndex index;
  index.Add(1, 0, 100);
  index.Add(2, 0, 50);
  index.Add(1, 200, 30);
  ASSERT_EQ(index.Remove(1, 210, 10), 10u);  // a split: three extents in chunk 1
  index.Add(1, 500, 8);                        // the recent extent
  EXPECT_EQ(index.RemoveChunk(1), 100u + 20u + 8u);
  EXPECT_EQ(index.count(), 1u);
  EXPECT_EQ(index.LiveBytes(), 50u);
  EXPECT_EQ(index.RemoveChunk(1), 0u);
  EXPECT_TRUE(index.Validate());
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

TEST(AllocationIndex, CoversExactlyTheBytesOfItsExtents) {
  AllocationIndex index;
  index.Add(0, 0, 100);
  index.Add(0, 100, 100);
  index.Add(0, 300, 50);
  index.Add(1, 0, 1000);  // the newest: another chunk
  EXPECT_TRUE(index.Covers(0, 0, 100));     // an older extent's start
  EXPECT_TRUE(index.Covers(0, 150, 50));    // an older extent's end
  EXPECT_TRUE(index.Covers(0, 10, 20));     // inside, away from both ends
  EXPECT_TRUE(index.Covers(0, 50, 100));    // across two adjacent extents
  EXPECT_TRUE(index.Covers(1, 999, 1));     // the newest
  EXPECT_FALSE(index.Covers(0, 150, 151));  // reaches the gap [200, 300)
  EXPECT_FALSE(index.Covers(0, 200, 1));
  EXPECT_FALSE(index.Covers(0, 349, 2));    // past the last extent
  EXPECT_FALSE(index.Covers(2, 0, 1));      // another chunk
  EXPECT_EQ(index.Remove(0, 40, 20), 20u);
  EXPECT_FALSE(index.Covers(0, 30, 20));    // a freed middle piece
  EXPECT_TRUE(index.Covers(0, 60, 40));
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

TEST(AllocationIndex, TheRecentExtentTakesTrimsAndSplitsLikeTheOthers) {
  AllocationIndex index;
  index.Add(2, 0, 1000);                      // recent
  EXPECT_EQ(index.Remove(2, 0, 100), 100u);   // front trim: [100, 1000)
  EXPECT_EQ(index.Remove(2, 900, 100), 100u); // tail trim: [100, 900)
  EXPECT_EQ(index.count(), 1u);
  EXPECT_EQ(index.Remove(2, 400, 100), 100u); // middle: [100, 400) [500, 900)
  EXPECT_EQ(index.count(), 2u);
  EXPECT_EQ(index.LiveBytes(), 700u);
  EXPECT_TRUE(index.Validate());
  EXPECT_EQ(index.Remove(2, 500, 400), 400u);  // the upper part, now an older extent
  EXPECT_EQ(index.Remove(2, 100, 300), 300u);  // the lower part, still the recent one
  EXPECT_EQ(index.count(), 0u);
  EXPECT_TRUE(index.Validate());
}

TEST(AllocationIndex, ANewerAllocationMovesTheRecentOneIntoTheMaps) {
  AllocationIndex index;
  index.Add(0, 0, 64);
  index.Add(0, 64, 64);   // [0, 64) becomes an older extent
  index.Add(1, 0, 64);    // so does [64, 128) of chunk 0
  EXPECT_EQ(index.count(), 3u);
  EXPECT_EQ(index.Remove(0, 32, 32), 32u);  // tail trim of an older extent
  EXPECT_EQ(index.Remove(0, 64, 64), 64u);  // whole free of an older extent
  EXPECT_EQ(index.Remove(1, 0, 64), 64u);   // whole free of the recent one
  EXPECT_EQ(index.count(), 1u);
  EXPECT_EQ(index.LiveBytes(), 32u);
  EXPECT_TRUE(index.Validate());
}

TEST(AllocationIndex, AFreeSpanningTheRecentExtentAndOlderOnesCutsEach) {
  AllocationIndex index;
  index.Add(0, 0, 100);
  index.Add(0, 200, 100);
  index.Add(0, 100, 100);  // recent, between the two older ones
  EXPECT_EQ(index.Remove(0, 50, 200), 200u);  // [50,100) [100,200) [200,250)
  EXPECT_EQ(index.count(), 2u);
  EXPECT_EQ(index.LiveBytes(), 50u + 50u);
  EXPECT_TRUE(index.Validate());
  index.Clear();
  EXPECT_EQ(index.count(), 0u);
  EXPECT_TRUE(index.Validate());
}

// Byte-level model: owner[chunk][byte] is the extent id holding it, or -1.
// Random adds in free gaps and removes of runs of live bytes (whole, front,
// tail, middle, spanning); count, live bytes and Validate must agree.
TEST(AllocationIndex, MatchesAByteModelUnderRandomFrees) {
  constexpr uint32_t kChunks = 3;
  constexpr int kBytes = 256;
  for (uint64_t seed : {1u, 2u, 3u}) {
    std::mt19937_64 rng(seed);
    AllocationIndex index;
    std::vector<std::vector<int>> owner(kChunks, std::vector<int>(kBytes, -1));
    int next_id = 0;
    auto model_count = [&] {
      uint64_t count = 0;
      for (const auto& bytes : owner) {
        for (int i = 0; i < kBytes; ++i) count += bytes[i] >= 0 && (i == 0 || bytes[i - 1] != bytes[i]);
      }
      return count;
    };
    auto model_bytes = [&] {
      uint64_t n = 0;
      for (const auto& bytes : owner) n += std::count_if(bytes.begin(), bytes.end(), [](int o) { return o >= 0; });
      return n;
    };
    for (int step = 0; step < 20000; ++step) {
      const uint32_t chunk = static_cast<uint32_t>(rng() % kChunks);
      std::vector<int>& bytes = owner[chunk];
      const int at = static_cast<int>(rng() % kBytes);
      if (rng() % 2 == 0) {  // add inside the free gap around `at`
        if (bytes[at] >= 0) continue;
        int end = at + 1;
        while (end < kBytes && bytes[end] < 0 && rng() % 16 != 0) ++end;
        index.Add(chunk, at, end - at);
        std::fill(bytes.begin() + at, bytes.begin() + end, next_id++);
      } else {  // remove a run of live bytes starting at `at`
        if (bytes[at] < 0) continue;
        int end = at + 1;
        while (end < kBytes && bytes[end] >= 0 && rng() % 24 != 0) ++end;
        ASSERT_EQ(index.Remove(chunk, at, end - at), static_cast<uint64_t>(end - at));
        std::fill(bytes.begin() + at, bytes.begin() + end, -1);
        // A cut extent's two remaining parts are two extents.
        if (end < kBytes && bytes[end] >= 0 && at > 0 && bytes[at - 1] == bytes[end]) {
          for (int i = end; i < kBytes && bytes[i] == bytes[at - 1]; ++i) bytes[i] = next_id;
          ++next_id;
        }
      }
      ASSERT_EQ(index.count(), model_count()) << "seed " << seed << " step " << step;
      ASSERT_EQ(index.LiveBytes(), model_bytes());
      if (step % 97 == 0) ASSERT_TRUE(index.Validate());
    }
  }
}

}  // namespace
}  // namespace poolmem
