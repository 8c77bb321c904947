// ReservedRuns (the byte-exact live set of the granule strategies), and the
// BitTree and FlatMap it is built on, each against a brute-force answer.
#include "structures/reserved_runs.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "structures/bit_tree.h"
#include "structures/flat_map.h"

namespace poolmem {
namespace {

std::vector<GranuleRange> RunsOf(const ReservedRuns& r) {
  std::vector<GranuleRange> out;
  r.Runs(&out);
  return out;
}

// Free: the whole free of a granule strategy, range check included.
TEST(ReservedRuns, FreeChecksTheRangeAndHandsBackDeadGranules) {
  ReservedRuns r;
  r.Reset(4, 64);  // 16-byte granules, a 1024-byte strategy
  r.Add(0, 100);   // granules [0,7)
  std::vector<GranuleRange> given;
  auto give = [&](uint64_t start, uint64_t end) { given.push_back({start, end}); };
  EXPECT_EQ(r.Free(1024, 1000, 100, give), FreeStatus::kOutOfRange);
  EXPECT_EQ(r.Free(1024, 1025, 0, give), FreeStatus::kOutOfRange);
  EXPECT_EQ(r.Free(1024, 500, 0, give), FreeStatus::kOk);
  EXPECT_EQ(r.Free(1024, 100, 4, give), FreeStatus::kDoubleFree);  // the slack past the request
  EXPECT_TRUE(given.empty());
  ASSERT_EQ(r.Free(1024, 20, 80, give), FreeStatus::kOk);  // granule 1 keeps [16,20)
  ASSERT_EQ(given.size(), 1u);
  EXPECT_EQ(given[0].start, 2u);
  EXPECT_EQ(given[0].end, 7u);
  given.clear();
  ASSERT_EQ(r.Free(1024, 0, 20, give), FreeStatus::kOk);
  ASSERT_EQ(given.size(), 1u);
  EXPECT_EQ(given[0].start, 0u);
  EXPECT_EQ(given[0].end, 2u);
  EXPECT_EQ(r.count(), 0u);
  EXPECT_TRUE(r.Validate());
}

TEST(ReservedRuns, WholeHeadTailAndMiddleFrees) {
  ReservedRuns r;
  r.Reset(4, 64);  // 16-byte granules
  r.Add(0, 100);   // granules [0,7)
  std::vector<GranuleRange> released;
  ASSERT_EQ(r.Release(0, 20, &released), FreeStatus::kOk);  // head: granule 0 is dead
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0].start, 0u);
  EXPECT_EQ(released[0].end, 1u);
  released.clear();
  ASSERT_EQ(r.Release(90, 10, &released), FreeStatus::kOk);  // tail: [80,90) keeps granule 5
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0].start, 6u);
  EXPECT_EQ(RunsOf(r).size(), 1u);
  EXPECT_EQ(RunsOf(r)[0].start, 1u);
  EXPECT_EQ(RunsOf(r)[0].end, 6u);
  released.clear();
  ASSERT_EQ(r.Release(40, 20, &released), FreeStatus::kOk);  // [40,60): no whole granule
  EXPECT_TRUE(released.empty());
  EXPECT_EQ(r.Release(50, 1, &released), FreeStatus::kDoubleFree);
  ASSERT_EQ(r.Release(33, 7, &released), FreeStatus::kOk);   // [33,60) dead: granule 2 not yet
  ASSERT_EQ(r.Release(60, 4, &released), FreeStatus::kOk);   // [33,64) dead: granule 3 is
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0].start, 3u);
  EXPECT_EQ(RunsOf(r).size(), 2u);
  EXPECT_TRUE(r.Validate());
  released.clear();
  ASSERT_EQ(r.Release(20, 13, &released), FreeStatus::kOk);
  ASSERT_EQ(r.Release(64, 26, &released), FreeStatus::kOk);
  EXPECT_EQ(r.count(), 0u);
  EXPECT_TRUE(r.Validate());
}

TEST(ReservedRuns, SpanningFreesAreAllOrNothing) {
  ReservedRuns r;
  r.Reset(4, 64);
  r.Add(0, 32);
  r.Add(32, 32);
  r.Add(64, 20);
  std::vector<GranuleRange> released;
  EXPECT_EQ(r.Release(0, 96, &released), FreeStatus::kDoubleFree);  // [84,96) is not live
  EXPECT_EQ(r.count(), 3u);
  EXPECT_TRUE(released.empty());
  ASSERT_EQ(r.Release(8, 76, &released), FreeStatus::kOk);
  EXPECT_EQ(r.count(), 1u);
  EXPECT_TRUE(r.Validate());
}

TEST(BitTree, NextAndPrevMatchBruteForce) {
  for (uint64_t n : {1ull, 63ull, 64ull, 65ull, 5000ull, 300000ull}) {
    BitTree t(n);
    std::set<uint64_t> truth;
    std::mt19937_64 rng(n);
    for (int i = 0; i < 2000; ++i) {
      const uint64_t b = rng() % n;
      if (rng() % 3 == 0) {
        t.Clear(b);
        truth.erase(b);
      } else {
        t.Set(b);
        truth.insert(b);
      }
      const uint64_t q = rng() % n;
      auto it = truth.lower_bound(q);
      ASSERT_EQ(t.Next(q), it == truth.end() ? BitTree::kNone : *it);
      auto jt = truth.upper_bound(q);
      ASSERT_EQ(t.Prev(q), jt == truth.begin() ? BitTree::kNone : *std::prev(jt));
    }
    EXPECT_EQ(t.count(), truth.size());
    EXPECT_TRUE(t.Consistent());
    EXPECT_EQ(t.Next(n), BitTree::kNone);
  }
}

TEST(FlatMap, MatchesStdMapUnderChurn) {
  FlatMap<uint32_t> m;
  std::map<uint64_t, uint32_t> truth;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    const uint64_t key = rng() % 5000;
    if (truth.count(key)) {
      ASSERT_EQ(*m.Find(key), truth[key]);
      ASSERT_TRUE(m.Erase(key));
      truth.erase(key);
    } else {
      ASSERT_EQ(m.Find(key), nullptr);
      m.Insert(key, static_cast<uint32_t>(i));
      truth[key] = static_cast<uint32_t>(i);
    }
  }
  EXPECT_EQ(m.size(), truth.size());
  for (const auto& [k, v] : truth) ASSERT_EQ(*m.Find(k), v);
}

}  // namespace
}  // namespace poolmem
