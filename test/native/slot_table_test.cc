// SlotTable: ids are slot + generation, a stale or forged id finds nothing,
// and a full table refuses instead of handing out a colliding id.
#include "structures/slot_table.h"

#include <gtest/gtest.h>

#include <memory>

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

}  // namespace
}  // namespace poolmem
