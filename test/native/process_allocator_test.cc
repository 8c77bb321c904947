// ProcessAllocator: alignment, first fit across arenas, O(1)-per-arena free
// with validation, unmapping on the last free, the one spare arena, stale
// ids, exact partial frees, and a seeded multi-threaded stress test with
// canaries. Runs over the granule strategies that take arbitrary arena sizes
// (first-fit, which the global instance uses).
#include "pools/process_allocator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace poolmem {
namespace {

class ProcessAllocatorTest : public ::testing::TestWithParam<StrategyKind> {};

std::string KindName(const ::testing::TestParamInfo<StrategyKind>& info) {
  switch (info.param) {
    case StrategyKind::kTreap: return "Treap";
    case StrategyKind::kAvl: return "Avl";
    case StrategyKind::kBuddy: return "Buddy";
    case StrategyKind::kFirstFit: return "FirstFit";
  }
  return "Unknown";
}

using Block = ProcessAllocator::Block;
using FreeResult = ProcessAllocator::FreeResult;
using AllocStatus = ProcessAllocator::AllocStatus;

TEST_P(ProcessAllocatorTest, EveryBlockIsSixteenByteAligned) {
  // mem returned offsets 32, 65, 98, 154 for requests 1, 1, 24, 8.
  ProcessAllocator a(GetParam(), 1 << 16);
  for (uint64_t size : {1u, 1u, 24u, 8u, 3u, 17u, 100u, 4095u}) {
    Block b;
    ASSERT_EQ(a.Allocate(size, &b), AllocStatus::kOk);
    auto region = a.Region(b.arena_id);
    ASSERT_NE(region, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(region->data() + b.offset) % 16, 0u) << size;
  }
  EXPECT_TRUE(a.Validate());
}

TEST_P(ProcessAllocatorTest, TheLastFreeUnmapsTheArena) {
  const int64_t before = MappedRegion::LiveCount();
  ProcessAllocator a(GetParam(), 1 << 16);
  Block x, y;
  ASSERT_EQ(a.Allocate(100, &x), AllocStatus::kOk);
  ASSERT_EQ(a.Allocate(100, &y), AllocStatus::kOk);
  EXPECT_EQ(x.arena_id, y.arena_id);
  EXPECT_EQ(MappedRegion::LiveCount(), before + 1);
  EXPECT_EQ(a.Free(x.arena_id, x.offset, 100), FreeResult::kOk);
  EXPECT_EQ(a.GetStats().arenas, 1u);
  EXPECT_EQ(a.Free(y.arena_id, y.offset, 100), FreeResult::kArenaReleased);
  EXPECT_EQ(a.GetStats().arenas, 0u);
  EXPECT_EQ(MappedRegion::LiveCount(), before);
  // The id is dead for good: a stale free finds nothing, even once the slot is reused.
  EXPECT_EQ(a.Free(y.arena_id, y.offset, 100), FreeResult::kUnknownArena);
  Block z;
  ASSERT_EQ(a.Allocate(100, &z), AllocStatus::kOk);
  EXPECT_NE(z.arena_id, y.arena_id);
  EXPECT_EQ(a.Free(y.arena_id, z.offset, 100), FreeResult::kUnknownArena);
  EXPECT_EQ(a.Region(y.arena_id), nullptr);
  EXPECT_TRUE(a.Validate());
}

TEST_P(ProcessAllocatorTest, AHeldRegionOutlivesItsArena) {
  const int64_t before = MappedRegion::LiveCount();
  ProcessAllocator a(GetParam(), 1 << 16);
  Block b;
  ASSERT_EQ(a.Allocate(64, &b), AllocStatus::kOk);
  std::shared_ptr<MappedRegion> held = a.Region(b.arena_id);  // what an ArrayBuffer holds
  std::memset(held->data() + b.offset, 0xab, 64);
  EXPECT_EQ(a.Free(b.arena_id, b.offset, 64), FreeResult::kArenaReleased);
  EXPECT_EQ(MappedRegion::LiveCount(), before + 1);
  EXPECT_EQ(held->data()[b.offset], 0xab);
  held.reset();
  EXPECT_EQ(MappedRegion::LiveCount(), before);
}

TEST_P(ProcessAllocatorTest, FreesAreValidated) {
  ProcessAllocator a(GetParam(), 1 << 16);
  Block b, keep;
  ASSERT_EQ(a.Allocate(32, &b), AllocStatus::kOk);
  ASSERT_EQ(a.Allocate(32, &keep), AllocStatus::kOk);
  EXPECT_EQ(a.Free(b.arena_id, b.offset, 32), FreeResult::kOk);
  EXPECT_EQ(a.Free(b.arena_id, b.offset, 32), FreeResult::kDoubleFree);
  EXPECT_EQ(a.Free(b.arena_id, 1 << 16, 1), FreeResult::kOutOfRange);
  EXPECT_EQ(a.Free(b.arena_id, 0, (1 << 16) + 1), FreeResult::kOutOfRange);
  EXPECT_EQ(a.Free(12345, 0, 16), FreeResult::kUnknownArena);
  EXPECT_EQ(a.Free(keep.arena_id, keep.offset, 0), FreeResult::kOk);  // nothing to free
  EXPECT_EQ(a.GetStats().used_size, 32u);
  EXPECT_TRUE(a.Validate());
}

TEST_P(ProcessAllocatorTest, PartialFreesFreeExactlyTheirBytes) {
  ProcessAllocator a(GetParam(), 1 << 16);
  Block b, keep;
  ASSERT_EQ(a.Allocate(64, &b), AllocStatus::kOk);
  ASSERT_EQ(a.Allocate(16, &keep), AllocStatus::kOk);
  // Bytes 3..12 go; granule [0, 16) still holds 0..2 and 13..15, so it stays.
  EXPECT_EQ(a.Free(b.arena_id, b.offset + 3, 10), FreeResult::kOk);
  EXPECT_EQ(a.GetStats().used_size, 80u);
  EXPECT_EQ(a.Free(b.arena_id, b.offset, 16), FreeResult::kDoubleFree);  // 3..12 are free already
  EXPECT_EQ(a.Free(b.arena_id, b.offset, 3), FreeResult::kOk);
  EXPECT_EQ(a.GetStats().used_size, 80u);
  EXPECT_EQ(a.Free(b.arena_id, b.offset + 13, 3), FreeResult::kOk);  // its last live byte: the granule goes
  EXPECT_EQ(a.GetStats().used_size, 64u);
  EXPECT_EQ(a.Free(b.arena_id, b.offset + 16, 48), FreeResult::kOk);
  EXPECT_EQ(a.Free(keep.arena_id, keep.offset, 16), FreeResult::kArenaReleased);
}

TEST_P(ProcessAllocatorTest, APartialFreeNeverHandsOutBytesStillHeld) {
  // mem-style widening freed bytes 8..15 with bytes 0..7, so the next
  // 8-byte request got them while the first caller still held them.
  ProcessAllocator a(GetParam(), 1 << 16);
  Block first, second, third;
  ASSERT_EQ(a.Allocate(16, &first), AllocStatus::kOk);
  ASSERT_EQ(a.Allocate(16, &second), AllocStatus::kOk);
  EXPECT_EQ(a.Free(first.arena_id, first.offset, 8), FreeResult::kOk);
  ASSERT_EQ(a.Allocate(8, &third), AllocStatus::kOk);
  EXPECT_FALSE(third.arena_id == first.arena_id && third.offset < first.offset + 16 && first.offset < third.offset + 8);
  EXPECT_EQ(a.Free(first.arena_id, first.offset + 8, 8), FreeResult::kOk);
  EXPECT_EQ(a.Free(first.arena_id, first.offset + 8, 8), FreeResult::kDoubleFree);
  EXPECT_EQ(a.Free(third.arena_id, third.offset, 8), FreeResult::kOk);
  EXPECT_EQ(a.Free(second.arena_id, second.offset, 16), FreeResult::kArenaReleased);
  EXPECT_TRUE(a.Validate());
}

TEST_P(ProcessAllocatorTest, TheBytesPastARequestInItsLastGranuleAreNotLive) {
  ProcessAllocator a(GetParam(), 1 << 16);
  Block b, keep;
  ASSERT_EQ(a.Allocate(13, &b), AllocStatus::kOk);
  ASSERT_EQ(a.Allocate(16, &keep), AllocStatus::kOk);
  EXPECT_EQ(a.Free(b.arena_id, b.offset, 16), FreeResult::kDoubleFree);  // 13..15 were never handed out
  EXPECT_EQ(a.Free(b.arena_id, b.offset, 13), FreeResult::kOk);
  EXPECT_EQ(a.GetStats().used_size, 16u);
  EXPECT_EQ(a.Free(keep.arena_id, keep.offset, 16), FreeResult::kArenaReleased);
}

TEST_P(ProcessAllocatorTest, FirstFitAcrossArenasAndLargeRequestsGetTheirOwn) {
  ProcessAllocator a(GetParam(), 4096);
  Block small1, big, small2;
  ASSERT_EQ(a.Allocate(4000, &small1), AllocStatus::kOk);
  ASSERT_EQ(a.Allocate(10000, &big), AllocStatus::kOk);  // above half an arena: its own
  EXPECT_NE(big.arena_id, small1.arena_id);
  EXPECT_EQ(a.Region(big.arena_id)->size(), 12288u);
  ASSERT_EQ(a.Allocate(64, &small2), AllocStatus::kOk);  // fits in the first arena's tail
  EXPECT_EQ(small2.arena_id, small1.arena_id);
  EXPECT_EQ(a.GetStats().arenas, 2u);
  EXPECT_EQ(a.Free(big.arena_id, big.offset, 10000), FreeResult::kArenaReleased);
  EXPECT_TRUE(a.Validate());
}

TEST_P(ProcessAllocatorTest, TheNewestEmptiedArenaIsTheOneSpare) {
  const int64_t before = MappedRegion::LiveCount();
  ProcessAllocator a(GetParam(), 1 << 16, 1 << 17);
  Block x, again, big, huge;
  ASSERT_EQ(a.Allocate(100, &x), AllocStatus::kOk);
  EXPECT_EQ(a.Free(x.arena_id, x.offset, 100), FreeResult::kArenaSpared);
  EXPECT_EQ(a.GetStats().arenas, 1u);
  EXPECT_EQ(a.GetStats().spare_size, uint64_t{1} << 16);
  EXPECT_TRUE(a.Validate());
  // The churn loop: the spare is used again, nothing is mapped.
  ASSERT_EQ(a.Allocate(100, &again), AllocStatus::kOk);
  EXPECT_EQ(again.arena_id, x.arena_id);
  EXPECT_EQ(a.GetStats().spare_size, 0u);
  EXPECT_EQ(MappedRegion::LiveCount(), before + 1);
  // A second arena empties: it becomes the spare and the old spare is unmapped.
  ASSERT_EQ(a.Allocate(100000, &big), AllocStatus::kOk);  // its own arena of 102400 bytes
  EXPECT_NE(big.arena_id, x.arena_id);
  EXPECT_EQ(a.Free(again.arena_id, again.offset, 100), FreeResult::kArenaSpared);
  uint64_t released = 0;
  EXPECT_EQ(a.Free(big.arena_id, big.offset, 100000, &released), FreeResult::kSpareReleased);
  EXPECT_EQ(released, x.arena_id);
  EXPECT_EQ(a.Region(x.arena_id), nullptr);
  EXPECT_EQ(a.GetStats().arenas, 1u);
  EXPECT_EQ(a.GetStats().spare_size, 102400u);
  EXPECT_EQ(MappedRegion::LiveCount(), before + 1);
  // An arena above max_spare goes at once and leaves the spare alone.
  ASSERT_EQ(a.Allocate(200000, &huge), AllocStatus::kOk);
  EXPECT_NE(huge.arena_id, big.arena_id);
  EXPECT_EQ(a.Free(huge.arena_id, huge.offset, 200000), FreeResult::kArenaReleased);
  EXPECT_EQ(a.GetStats().spare_size, 102400u);
  EXPECT_EQ(a.Free(big.arena_id, big.offset, 16), FreeResult::kDoubleFree);
  EXPECT_TRUE(a.Validate());
}

void RunSeededThreads(StrategyKind kind, uint64_t max_spare) {
  ProcessAllocator a(kind, 1 << 16, max_spare);
  constexpr int kThreads = 4;
  constexpr int kSteps = 4000;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(1234 + t);
      struct Live { Block b; uint64_t size; uint8_t canary; };
      std::vector<Live> live;
      for (int step = 0; step < kSteps; ++step) {
        if (live.empty() || rng() % 3 != 0) {
          const uint64_t size = 1 + rng() % 2000;
          Block b;
          if (a.Allocate(size, &b) != AllocStatus::kOk) { ++failures[t]; continue; }
          const uint8_t canary = static_cast<uint8_t>(rng());
          std::memset(a.Region(b.arena_id)->data() + b.offset, canary, size);
          live.push_back({b, size, canary});
        } else {
          const size_t i = rng() % live.size();
          const Live item = live[i];
          live[i] = live.back();
          live.pop_back();
          const uint8_t* p = a.Region(item.b.arena_id)->data() + item.b.offset;
          for (uint64_t k = 0; k < item.size; ++k) if (p[k] != item.canary) { ++failures[t]; break; }
          const FreeResult r = a.Free(item.b.arena_id, item.b.offset, item.size);
          if (r == FreeResult::kDoubleFree || r == FreeResult::kOutOfRange || r == FreeResult::kUnknownArena) ++failures[t];
        }
      }
      for (const Live& item : live) {
        const FreeResult r = a.Free(item.b.arena_id, item.b.offset, item.size);
        if (r == FreeResult::kDoubleFree || r == FreeResult::kOutOfRange || r == FreeResult::kUnknownArena) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
  EXPECT_EQ(a.GetStats().arenas, max_spare == 0 ? 0u : 1u);  // only the spare stays
  EXPECT_EQ(a.GetStats().spare_size, a.GetStats().size);
  EXPECT_TRUE(a.Validate());
}

TEST_P(ProcessAllocatorTest, SeededThreadsNeverOverlap) { RunSeededThreads(GetParam(), 0); }
TEST_P(ProcessAllocatorTest, SeededThreadsNeverOverlapWithASpare) { RunSeededThreads(GetParam(), 1 << 16); }

INSTANTIATE_TEST_SUITE_P(Strategies, ProcessAllocatorTest,
                         // the granule strategies (exact partial frees over 16-byte granules);
                         // buddy needs power-of-two arenas
                         ::testing::Values(StrategyKind::kFirstFit),
                         KindName);

// Mapping and unmapping are system calls (microseconds, far longer under
// memory pressure): made under the lock, they would stall every other
// thread's alloc() and free(). SyscallWitness runs an action on another
// thread from inside the first mmap/munmap after Arm() and waits up to a
// second for it: an action that takes the lock completes only if the lock
// is not held across the system call (otherwise it completes once the call
// returns, too late, and the test fails rather than hangs).
class SyscallWitness {
 public:
  static void Arm(std::function<void()> action) {
    action_ = std::move(action);
    completed_.store(false);
    completed_during_.store(false);
    armed_.store(true);
    MappedRegion::SetSyscallHookForTesting(&Hook);
  }

  // Whether the action completed during the system call; waits for its thread.
  static bool Disarm() {
    MappedRegion::SetSyscallHookForTesting(nullptr);
    armed_.store(false);
    if (thread_.joinable()) thread_.join();
    return completed_during_.load();
  }

 private:
  static void Hook() {
    if (!armed_.exchange(false)) return;  // the first system call only
    thread_ = std::thread([] {
      action_();
      completed_.store(true);
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (!completed_.load() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    completed_during_.store(completed_.load());
  }

  static inline std::function<void()> action_;
  static inline std::atomic<bool> armed_{false};
  static inline std::atomic<bool> completed_{false};
  static inline std::atomic<bool> completed_during_{false};
  static inline std::thread thread_;
};

// Another owner's allocate+free in the arena it already has.
std::function<void()> OtherOwnersPair(ProcessAllocator* pa, ProcessAllocator::Owner other) {
  return [pa, other] {
    Block b;
    ASSERT_EQ(pa->Allocate(32, &b, other), AllocStatus::kOk);
    EXPECT_EQ(pa->Free(b.arena_id, b.offset, 32, nullptr, other), FreeResult::kOk);
  };
}

TEST(ProcessAllocatorLock, NotHeldWhileMappingANewArena) {
  ProcessAllocator pa(StrategyKind::kFirstFit, 1 << 16, 0);
  Block other;  // owner 2's arena, with room for its pair during the hook
  ASSERT_EQ(pa.Allocate(64, &other, 2), AllocStatus::kOk);
  SyscallWitness::Arm(OtherOwnersPair(&pa, 2));
  Block mine;
  ASSERT_EQ(pa.Allocate(64, &mine, 1), AllocStatus::kOk);  // owner 1 has no arena: maps one
  EXPECT_TRUE(SyscallWitness::Disarm());
  EXPECT_EQ(pa.Free(mine.arena_id, mine.offset, 64, nullptr, 1), FreeResult::kArenaReleased);
  EXPECT_EQ(pa.Free(other.arena_id, other.offset, 64, nullptr, 2), FreeResult::kArenaReleased);
  EXPECT_TRUE(pa.Validate());
}

TEST(ProcessAllocatorLock, NotHeldWhileUnmappingAnArena) {
  ProcessAllocator pa(StrategyKind::kFirstFit, 1 << 16, 0);  // no spare: the last free unmaps
  Block other;
  ASSERT_EQ(pa.Allocate(64, &other, 2), AllocStatus::kOk);
  Block mine;
  ASSERT_EQ(pa.Allocate(64, &mine, 1), AllocStatus::kOk);
  SyscallWitness::Arm(OtherOwnersPair(&pa, 2));
  EXPECT_EQ(pa.Free(mine.arena_id, mine.offset, 64, nullptr, 1), FreeResult::kArenaReleased);
  EXPECT_TRUE(SyscallWitness::Disarm());
  EXPECT_EQ(pa.Free(other.arena_id, other.offset, 64, nullptr, 2), FreeResult::kArenaReleased);
  EXPECT_TRUE(pa.Validate());
}

TEST(ProcessAllocatorLock, ASpareThatAppearsWhileMappingIsTakenAndTheNewMappingUnmapped) {
  // Owner 1 maps with the lock dropped; meanwhile owner 2 empties its arena
  // into the spare. First fit still comes first: owner 1 claims the spare,
  // and the arena it mapped goes.
  ProcessAllocator pa(StrategyKind::kFirstFit, 1 << 16, 1 << 16);
  Block other;
  ASSERT_EQ(pa.Allocate(64, &other, 2), AllocStatus::kOk);
  SyscallWitness::Arm([&pa, other] {
    EXPECT_EQ(pa.Free(other.arena_id, other.offset, 64, nullptr, 2), FreeResult::kArenaSpared);
  });
  const int64_t regions = MappedRegion::LiveCount();
  Block mine;
  ASSERT_EQ(pa.Allocate(64, &mine, 1), AllocStatus::kOk);
  EXPECT_TRUE(SyscallWitness::Disarm());
  EXPECT_EQ(mine.arena_id, other.arena_id);       // the spare, claimed
  EXPECT_EQ(MappedRegion::LiveCount(), regions);  // the fresh mapping is gone
  EXPECT_EQ(pa.GetStats().arenas, 1u);
  EXPECT_EQ(pa.Free(mine.arena_id, mine.offset, 64, nullptr, 1), FreeResult::kArenaSpared);
  EXPECT_TRUE(pa.Validate());
}

TEST(ProcessAllocatorGlobal, IsOneFirstFitInstance) {
  EXPECT_EQ(&ProcessAllocator::Global(), &ProcessAllocator::Global());
  Block b;
  ASSERT_EQ(ProcessAllocator::Global().Allocate(16, &b), AllocStatus::kOk);
  // The global instance keeps its one spare: the arena stays for the next alloc.
  EXPECT_EQ(ProcessAllocator::Global().Free(b.arena_id, b.offset, 16), FreeResult::kArenaSpared);
  Block c;
  ASSERT_EQ(ProcessAllocator::Global().Allocate(16, &c), AllocStatus::kOk);
  EXPECT_EQ(c.arena_id, b.arena_id);
  EXPECT_EQ(ProcessAllocator::Global().Free(c.arena_id, c.offset, 16), FreeResult::kArenaSpared);
  EXPECT_TRUE(ProcessAllocator::Global().Validate());
}

}  // namespace
}  // namespace poolmem
