// SlotTable: ids are slot + generation, a stale or forged id finds nothing,
// and a full table refuses instead of handing out a colliding id.
#include "structures/slot_table.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>

namespace poolmem {
namespace {

using Table = SlotTable<std::unique_ptr<int>, 4>;

TEST(SlotTable, StaleAndForgedIdsFindNothing) {
  Table t;
  uint64_t a, b;
  ASSERT_TRUE(t.Add(std::make_unique<int>(1), &a));
  ASSERT_TRUE(t.Add(std::make_unique<int>(2), &b));
  EXPECT_NE(a, b);
  ASSERT_NE(t.Find(a), nullptr);
  EXPECT_EQ(**t.Find(a), 1);
  t.Remove(Table::SlotOf(a));
  EXPECT_EQ(t.Find(a), nullptr);
  uint64_t c;
  ASSERT_TRUE(t.Add(std::make_unique<int>(3), &c));  // reuses a's slot under a new generation
  EXPECT_EQ(Table::SlotOf(c), Table::SlotOf(a));
  EXPECT_NE(c, a);
  EXPECT_EQ(t.Find(a), nullptr);
  EXPECT_EQ(**t.Find(c), 3);
  EXPECT_EQ(t.Find(c + Table::kSlots), nullptr);  // a generation not issued yet
  EXPECT_EQ(t.Find(3), nullptr);                   // a slot never used
  EXPECT_EQ(t.IdOf(Table::SlotOf(b)), b);
}

TEST(SlotTable, AFullTableRefuses) {
  Table t;
  uint64_t ids[Table::kSlots];
  for (uint64_t& id : ids) ASSERT_TRUE(t.Add(std::make_unique<int>(0), &id));
  uint64_t extra = 12345;
  EXPECT_FALSE(t.Add(std::make_unique<int>(0), &extra));
  EXPECT_EQ(extra, 12345u);
  t.Remove(Table::SlotOf(ids[2]));
  EXPECT_TRUE(t.Add(std::make_unique<int>(0), &extra));
  EXPECT_EQ(t.slots_used(), Table::kSlots);
  EXPECT_EQ(t.free_slots(), 0u);
}

// A slot reused in a loop (the free list is LIFO, so one create/close loop
// always gets the same slot) runs its generation up; an id past the limit
// (2^53 in production) would no longer be exact as a JS number. The slot
// retires instead: no id is ever at or past the limit, and none repeats.
TEST(SlotTable, ASlotRetiresBeforeItsIdsReachTheLimit) {
  using Small = SlotTable<std::unique_ptr<int>, 4, 64>;  // ids below 64: generations 1..15
  Small t;
  std::set<uint64_t> seen;
  uint64_t id = 0;
  int added = 0;
  while (added < 1000 && t.Add(std::make_unique<int>(added), &id)) {
    ++added;
    EXPECT_LT(id, Small::kIdLimit);
    EXPECT_TRUE(seen.insert(id).second) << id;
    ASSERT_NE(t.Find(id), nullptr);
    t.Remove(Small::SlotOf(id));
    EXPECT_EQ(t.Find(id), nullptr);
  }
  EXPECT_EQ(added, 4 * 15);  // every id below the limit, once
  EXPECT_EQ(t.retired_slots(), 4u);
  EXPECT_EQ(t.free_slots(), 0u);
  EXPECT_EQ(t.slots_used(), 4u);
}

}  // namespace
}  // namespace poolmem
