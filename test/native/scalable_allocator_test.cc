// ScalableAllocator chunk bookkeeping: growth, first fit across chunks,
// dedicated chunks, the spare-chunk hysteresis, maxSize, borrow, trim,
// recycle, validated frees, and a seeded model test with canaries.
#include "pools/scalable_allocator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

namespace poolmem {
namespace {

struct Loc {
  uint32_t chunk;
  uint64_t offset;
};
Loc Split(int64_t handle) {
  return {static_cast<uint32_t>(static_cast<uint64_t>(handle) >> 32), static_cast<uint64_t>(handle) & 0xFFFFFFFFull};
}

class CountingListener : public ChunkListener {
 public:
  bool OnChunkCreated(uint32_t, const Arena&) override { ++created; return accept; }
  void OnChunkReleased(uint32_t, const Arena&) override { ++released; }
  int created = 0, released = 0;
  bool accept = true;
};

std::unique_ptr<ScalableAllocator> Make(uint64_t chunk, uint64_t max_chunk = 4 << 20, uint64_t max_size = UINT64_MAX) {
  ScalableOptions o;
  o.chunk_size = chunk;
  o.max_chunk_size = max_chunk;
  o.max_size = max_size;
  auto a = ScalableAllocator::Create(o);
  EXPECT_NE(a, nullptr);
  return a;
}

std::vector<uint64_t> ChunkSizes(const ScalableAllocator& a) {
  std::vector<uint64_t> out;
  for (uint32_t id = 0; id < 64; ++id) {
    if (const Arena* c = a.chunk(id)) out.push_back(c->size());
  }
  return out;
}

TEST(ScalableAllocator, RejectsInconsistentOptions) {
  ScalableOptions o;
  o.chunk_size = 0;
  EXPECT_EQ(ScalableAllocator::Create(o), nullptr);
  o.chunk_size = 8192;
  o.max_chunk_size = 4096;
  EXPECT_EQ(ScalableAllocator::Create(o), nullptr);
  o.max_chunk_size = kMaxChunkBytes + 1;
  EXPECT_EQ(ScalableAllocator::Create(o), nullptr);
  o.max_chunk_size = kMaxChunkBytes;
  o.max_size = 0;
  EXPECT_EQ(ScalableAllocator::Create(o), nullptr);
}

TEST(ScalableAllocator, StartsWithNoChunkAndGrowsByDoubling) {
  // GoMem's trace: 40 x Malloc(1024) on NewSMA(1024).
  auto a = Make(1024);
  EXPECT_EQ(a->stats().chunks, 0u);
  for (int i = 0; i < 40; ++i) ASSERT_GE(a->Malloc(1024), 0);
  EXPECT_EQ(ChunkSizes(*a), (std::vector<uint64_t>{1024, 2048, 4096, 8192, 16384, 32768}));
  const ScalableStats s = a->stats();
  EXPECT_EQ(s.size, 64512u);
  EXPECT_EQ(s.used_size, 40u * 1024);
  EXPECT_EQ(s.total_malloc, 40u * 1024);
  EXPECT_EQ(s.allocations, 40u);
  EXPECT_TRUE(a->Validate());
}

TEST(ScalableAllocator, GrowthStopsDoublingAtMaxChunkSize) {
  auto a = Make(3000, 24000);
  for (int i = 0; i < 3; ++i) ASSERT_GE(a->Malloc(3000), 0);  // [3000 6000]
  ASSERT_GE(a->Malloc(20000), 0);                              // doubles 12000 -> 24000
  ASSERT_GE(a->Malloc(24000), 0);                              // capped: another 24000
  EXPECT_EQ(ChunkSizes(*a), (std::vector<uint64_t>{3000, 6000, 24000, 24000}));
}

TEST(ScalableAllocator, FirstFitAcrossChunksAndDedicatedChunks) {
  // GoMem's worked trace, with the oversize request tracked.
  auto a = Make(1024);
  const int64_t m1 = a->Malloc(1024);
  const int64_t m2 = a->Malloc(1);
  const int64_t m3 = a->Malloc(3000);
  const int64_t m4 = a->Malloc(4194305);
  const int64_t m5 = a->Malloc(2047);
  EXPECT_EQ(Split(m1).chunk, 0u);
  EXPECT_EQ(Split(m2).chunk, 1u);
  EXPECT_EQ(Split(m3).chunk, 2u);
  EXPECT_EQ(Split(m4).chunk, 3u);
  EXPECT_EQ(a->chunk(3)->size(), 4194305u);  // a chunk of its own, counted
  EXPECT_EQ(Split(m5).chunk, 1u);
  EXPECT_EQ(Split(m5).offset, 1u);
  EXPECT_EQ(a->stats().chunks, 4u);
  EXPECT_EQ(a->stats().used_size, 1024u + 1 + 3000 + 4194305 + 2047);
  EXPECT_EQ(a->stats().allocations, 5u);
  // Frees: chunk 1 becomes the spare, then chunk 0 (smaller) is released.
  ASSERT_EQ(a->Free(1, 0, 1), FreeStatus::kOk);
  ASSERT_EQ(a->Free(1, 1, 2047), FreeStatus::kOk);
  EXPECT_EQ(a->spare(), 1u);
  EXPECT_EQ(a->stats().chunks, 4u);
  ASSERT_EQ(a->Free(0, 0, 1024), FreeStatus::kOk);
  EXPECT_EQ(a->chunk(0), nullptr);
  EXPECT_EQ(a->spare(), 1u);
  // The dedicated chunk, once free, is larger than the spare: it is kept.
  ASSERT_EQ(a->Free(3, 0, 4194305), FreeStatus::kOk);
  EXPECT_EQ(a->spare(), 3u);
  EXPECT_EQ(a->chunk(1), nullptr);
  const ScalableStats s = a->stats();
  EXPECT_EQ(s.used_size, 3000u);
  EXPECT_EQ(s.total_malloc - s.total_free, s.used_size);
  EXPECT_TRUE(a->Validate());
}

TEST(ScalableAllocator, MallocFreeLoopAtAChunkBoundaryMapsOnce) {
  auto a = Make(4096);
  CountingListener listener;
  a->set_listener(&listener);
  ASSERT_GE(a->Malloc(4096), 0);  // chunk 0 full
  const int64_t before = MappedRegion::LiveCount();
  for (int i = 0; i < 1000; ++i) {
    const int64_t h = a->Malloc(100);
    ASSERT_GE(h, 0);
    ASSERT_EQ(a->Free(Split(h).chunk, Split(h).offset, 100), FreeStatus::kOk);
  }
  EXPECT_EQ(listener.created, 2);
  EXPECT_EQ(listener.released, 0);
  EXPECT_EQ(MappedRegion::LiveCount(), before + 1);
  EXPECT_EQ(a->Trim(), 8192u);  // the spare goes; chunk 0 is in use
  EXPECT_EQ(listener.released, 1);
  EXPECT_EQ(a->stats().chunks, 1u);
}

TEST(ScalableAllocator, MaxSizeCapsReservedBytesAndFailsWithoutChanges) {
  auto a = Make(4096, 1 << 20, 12288);
  ASSERT_GE(a->Malloc(4096), 0);  // 4096
  ASSERT_GE(a->Malloc(4096), 0);  // growth wants 8192: fits exactly
  ASSERT_GE(a->Malloc(4096), 0);  // the rest of the 8192 chunk
  const ScalableStats before = a->stats();
  EXPECT_EQ(before.size, 12288u);
  EXPECT_EQ(a->Malloc(1), kCapReached);
  const ScalableStats after = a->stats();
  EXPECT_EQ(after.size, before.size);
  EXPECT_EQ(after.total_malloc, before.total_malloc);
  EXPECT_EQ(after.allocations, before.allocations);
  EXPECT_TRUE(a->Validate());
}

TEST(ScalableAllocator, MaxSizeShrinksTheLastGrowthStep) {
  auto a = Make(4096, 1 << 20, 4096 + 6000);
  ASSERT_GE(a->Malloc(4096), 0);
  const int64_t h = a->Malloc(1000);  // growth wants 8192; 4096 pages fit
  ASSERT_GE(h, 0);
  EXPECT_EQ(a->chunk(Split(h).chunk)->size(), 4096u);
  EXPECT_EQ(a->Malloc(5000), kCapReached);
}

TEST(ScalableAllocator, CapReleasesTheSpareBeforeFailing) {
  auto a = Make(4096, 4096, 10240);
  const int64_t x = a->Malloc(4096);
  const int64_t y = a->Malloc(4096);
  ASSERT_EQ(a->Free(Split(y).chunk, 0, 4096), FreeStatus::kOk);  // chunk 1 is the spare
  (void)x;
  const int64_t big = a->Malloc(6000);  // dedicated: needs the spare's room
  ASSERT_GE(big, 0);
  EXPECT_EQ(a->chunk(Split(big).chunk)->size(), 6000u);
  EXPECT_EQ(a->stats().size, 4096u + 6000u);
}

// The same when the room runs out only once a strategy rounds the chunk up:
// buddy cannot place 5000 bytes in a 5000-byte chunk and asks for 8192,
// which fits only without the spare. It used to fail with the spare kept.
TEST(ScalableAllocator, CapReleasesTheSpareBeforeFailingARoundedUpChunk) {
  ScalableOptions o;
  o.kind = StrategyKind::kBuddy;
  o.chunk_size = 4096;
  o.max_chunk_size = 4096;
  o.max_size = 15000;
  auto a = ScalableAllocator::Create(o);
  ASSERT_NE(a, nullptr);
  ASSERT_GE(a->Malloc(4096), 0);
  const Loc y = Split(a->Malloc(4096));
  ASSERT_EQ(a->Free(y.chunk, y.offset, 4096), FreeStatus::kOk);  // chunk 1 is the spare
  const int64_t big = a->Malloc(5000);
  ASSERT_GE(big, 0);
  EXPECT_EQ(a->chunk(Split(big).chunk)->size(), 8192u);
  EXPECT_EQ(a->stats().size, 4096u + 8192u);
  EXPECT_EQ(a->Malloc(5000), kCapReached);  // nothing left to give up: the spare went first
  EXPECT_TRUE(a->Validate());
}

TEST(ScalableAllocator, BorrowLendsWhatTheNextMallocReturnsAndIsNotCounted) {
  auto a = Make(1024);
  ASSERT_GE(a->Malloc(100), 0);
  const int64_t b = a->Borrow(512);
  ASSERT_GE(b, 0);
  EXPECT_EQ(a->stats().total_malloc, 100u);
  EXPECT_EQ(a->stats().used_size, 100u);
  EXPECT_EQ(a->Malloc(512), b);
  // A borrow that does not fit grows a chunk that stays free: the spare.
  const int64_t big = a->Borrow(2000);
  ASSERT_GE(big, 0);
  EXPECT_EQ(a->spare(), Split(big).chunk);
  EXPECT_EQ(a->stats().chunks, 2u);
  EXPECT_EQ(a->Malloc(2000), big);
  EXPECT_TRUE(a->Validate());
}

TEST(ScalableAllocator, FreesAreValidatedAndFailedFreesChangeNothing) {
  auto a = Make(1024);
  const int64_t h = a->Malloc(100);
  const Loc l = Split(h);
  const ScalableStats before = a->stats();
  EXPECT_EQ(a->Free(l.chunk, 100, 10), FreeStatus::kDoubleFree);  // never allocated
  EXPECT_EQ(a->Free(l.chunk, 1020, 10), FreeStatus::kOutOfRange);
  EXPECT_EQ(a->Free(7, 0, 10), FreeStatus::kOutOfRange);  // no such chunk
  const ScalableStats after = a->stats();
  EXPECT_EQ(after.used_size, before.used_size);
  EXPECT_EQ(after.total_free, before.total_free);
  ASSERT_EQ(a->Free(l.chunk, l.offset + 50, 50), FreeStatus::kOk);  // tail
  EXPECT_EQ(a->Free(l.chunk, l.offset + 60, 10), FreeStatus::kDoubleFree);
  EXPECT_EQ(a->stats().allocations, 1u);
  ASSERT_EQ(a->Free(l.chunk, l.offset, 50), FreeStatus::kOk);
  EXPECT_EQ(a->stats().allocations, 0u);
  EXPECT_EQ(a->stats().used_size, 0u);
  EXPECT_TRUE(a->Validate());
}

TEST(ScalableAllocator, RecycleFreesEverythingAndGrowsFromWhatItKeeps) {
  auto a = Make(1024);
  CountingListener listener;
  a->set_listener(&listener);
  for (int i = 0; i < 10; ++i) ASSERT_GE(a->Malloc(1000), 0);  // 1024..16384
  const uint64_t largest = ChunkSizes(*a).back();
  a->Recycle();
  ScalableStats s = a->stats();
  EXPECT_EQ(s.used_size, 0u);
  EXPECT_EQ(s.allocations, 0u);
  EXPECT_EQ(s.total_free, s.total_malloc);
  EXPECT_EQ(s.chunks, 1u);
  EXPECT_EQ(s.size, largest);
  EXPECT_EQ(listener.released, listener.created - 1);
  // No stale growth seed: the next chunk doubles the one kept.
  ASSERT_GE(a->Malloc(largest), 0);
  ASSERT_GE(a->Malloc(1), 0);
  EXPECT_EQ(a->stats().size, largest + largest * 2);
  EXPECT_EQ(a->Trim(), 0u);
  EXPECT_TRUE(a->Validate());
}

TEST(ScalableAllocator, RecycleNeverKeepsAPinnedChunk) {
  auto a = Make(1024);
  CountingListener listener;
  a->set_listener(&listener);
  for (int i = 0; i < 10; ++i) ASSERT_GE(a->Malloc(1000), 0);
  const std::vector<uint64_t> sizes = ChunkSizes(*a);
  const uint32_t largest = a->chunk_slots() - 1;  // chunks double: the last one is the largest
  a->Recycle({largest});
  ScalableStats s = a->stats();
  EXPECT_EQ(s.chunks, 1u);
  EXPECT_EQ(s.size, sizes[sizes.size() - 2]);  // the largest chunk not pinned
  EXPECT_EQ(a->chunk(largest), nullptr);
  a->Recycle({0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  EXPECT_EQ(a->stats().chunks, 0u);
  EXPECT_EQ(listener.released, listener.created);
  EXPECT_TRUE(a->Validate());
}

// ---- Retire: a chunk whose memory a caller took away -----------------------------

TEST(ScalableAllocator, RetireDropsLiveAllocationsKeepsCountersExactAndNeverPlacesThereAgain) {
  auto a = Make(4096);
  CountingListener listener;
  a->set_listener(&listener);
  const Loc x = Split(a->Malloc(100));
  const Loc y = Split(a->Malloc(200));
  ASSERT_EQ(a->Free(y.chunk, y.offset + 150, 50), FreeStatus::kOk);  // a partial free in it
  const int64_t other = a->Malloc(8192);  // a second chunk, untouched
  ASSERT_GE(other, 0);
  ASSERT_EQ(x.chunk, 0u);
  const ScalableStats before = a->stats();
  ASSERT_TRUE(a->Retire(0));
  const ScalableStats s = a->stats();
  EXPECT_EQ(listener.released, 1);
  EXPECT_EQ(a->chunk(0), nullptr);
  EXPECT_TRUE(a->retired(0));
  EXPECT_EQ(s.chunks, before.chunks - 1);
  EXPECT_EQ(s.size, before.size - 4096);
  EXPECT_EQ(s.retired, 250u);
  EXPECT_EQ(s.total_malloc, before.total_malloc);
  EXPECT_EQ(s.total_free, before.total_free + 250);
  EXPECT_EQ(s.used_size, 8192u);
  EXPECT_EQ(s.used_size, s.total_malloc - s.total_free);
  EXPECT_EQ(s.allocations, 1u);
  EXPECT_TRUE(a->Validate());
  // Stale handles into it are refused and change nothing.
  EXPECT_EQ(a->Free(0, x.offset, 100), FreeStatus::kOutOfRange);
  EXPECT_EQ(a->Free(0, y.offset, 150), FreeStatus::kOutOfRange);
  EXPECT_EQ(a->stats().total_free, s.total_free);
  EXPECT_FALSE(a->Retire(0));
  // Nothing lands in id 0 again before Recycle(): a new chunk takes another id.
  for (int i = 0; i < 20; ++i) {
    const int64_t h = a->Malloc(100);
    ASSERT_GE(h, 0);
    EXPECT_NE(Split(h).chunk, 0u);
  }
  EXPECT_NE(Split(a->Borrow(4000)).chunk, 0u);
  EXPECT_TRUE(a->Validate());
  a->Recycle();  // every handle is void: the id may be reused
  EXPECT_FALSE(a->retired(0));
  EXPECT_EQ(a->stats().used_size, 0u);
  EXPECT_EQ(a->stats().retired, 250u);
  EXPECT_TRUE(a->Validate());
}

TEST(ScalableAllocator, RetireTakesTheSpareAndTheBorrowedChunk) {
  auto a = Make(1024);
  CountingListener listener;
  a->set_listener(&listener);
  const Loc x = Split(a->Malloc(1000));
  ASSERT_EQ(a->Free(x.chunk, x.offset, 1000), FreeStatus::kOk);
  ASSERT_EQ(a->spare(), x.chunk);
  ASSERT_TRUE(a->Retire(x.chunk));
  EXPECT_EQ(a->spare(), kNoChunk);
  EXPECT_EQ(a->stats().retired, 0u);
  EXPECT_EQ(a->stats().chunks, 0u);
  EXPECT_TRUE(a->Validate());
  // The borrowed chunk: the borrow ends, the next malloc goes elsewhere.
  const Loc b = Split(a->Borrow(3000));
  ASSERT_TRUE(a->Retire(b.chunk));
  EXPECT_EQ(a->stats().chunks, 0u);
  const int64_t h = a->Malloc(3000);
  ASSERT_GE(h, 0);
  EXPECT_NE(Split(h).chunk, b.chunk);
  EXPECT_EQ(listener.released, 2);
  EXPECT_TRUE(a->Validate());
  EXPECT_FALSE(a->Retire(99));  // no such chunk
  EXPECT_TRUE(a->Validate());
}

TEST(ScalableAllocator, RetireOfADedicatedChunkAndMaxSizeCountsOnlyWhatIsHeld) {
  auto a = Make(1024, 4096, 16384);
  const Loc big = Split(a->Malloc(10000));  // dedicated
  ASSERT_EQ(a->Malloc(10000), kCapReached);
  ASSERT_TRUE(a->Retire(big.chunk));
  EXPECT_EQ(a->stats().size, 0u);
  EXPECT_EQ(a->stats().retired, 10000u);
  EXPECT_GE(a->Malloc(10000), 0);  // the retired bytes no longer count against maxSize
  EXPECT_TRUE(a->Validate());
}

TEST(ScalableAllocator, TheIndexSkipsFragmentedChunksAndFindsFreedRoom) {
  auto a = Make(4096, 4096);
  // 50 chunks, each filled by 64 allocations of 64 bytes; free every other one.
  std::vector<int64_t> handles;
  for (int i = 0; i < 50 * 64; ++i) handles.push_back(a->Malloc(64));
  EXPECT_EQ(a->stats().chunks, 50u);
  for (size_t i = 0; i < handles.size(); i += 2) {
    const Loc l = Split(handles[i]);
    ASSERT_EQ(a->Free(l.chunk, l.offset, 64), FreeStatus::kOk);
  }
  // 2048 bytes free in each chunk, no hole above 64: a 128-byte request grows.
  const int64_t big = a->Malloc(128);
  EXPECT_EQ(Split(big).chunk, 50u);
  // Freeing a neighbour in chunk 7 makes a 192-byte hole: first fit finds it.
  const Loc n = Split(handles[7 * 64 + 1]);
  ASSERT_EQ(a->Free(n.chunk, n.offset, 64), FreeStatus::kOk);
  EXPECT_EQ(Split(a->Malloc(192)).chunk, 7u);
  EXPECT_TRUE(a->Validate());
}

TEST(ScalableAllocator, AListenerThatRefusesFailsTheAllocation) {
  auto a = Make(4096);
  CountingListener listener;
  listener.accept = false;
  a->set_listener(&listener);
  EXPECT_EQ(a->Malloc(10), kOsRefused);
  EXPECT_EQ(a->stats().chunks, 0u);
  EXPECT_EQ(a->stats().total_malloc, 0u);
  EXPECT_TRUE(a->Validate());
}

// A chunk whose size is not a whole number of granules (chunkSize 1000 on
// buddy or first-fit) never has its tail below one granule free. It counted
// as fully free only when the strategy's free bytes equalled its size, so it
// was never the spare, never released, and trim() left it mapped.
TEST(ScalableAllocator, AChunkWithATailBelowOneGranuleIsReleasedOnceFree) {
  for (StrategyKind kind : {StrategyKind::kBuddy, StrategyKind::kFirstFit}) {
    ScalableOptions o;
    o.kind = kind;
    o.chunk_size = 1000;
    o.max_chunk_size = 1000;
    auto a = ScalableAllocator::Create(o);
    ASSERT_NE(a, nullptr);
    const Loc x = Split(a->Malloc(500));
    const Loc y = Split(a->Malloc(500));  // no 512 bytes left in chunk 0
    ASSERT_EQ(x.chunk, 0u);
    ASSERT_EQ(y.chunk, 1u);
    ASSERT_EQ(a->Free(x.chunk, x.offset, 500), FreeStatus::kOk);
    EXPECT_EQ(a->spare(), 0u);
    ASSERT_EQ(a->Free(y.chunk, y.offset, 500), FreeStatus::kOk);
    EXPECT_EQ(a->stats().chunks, 1u);  // two empty chunks: one is released
    EXPECT_EQ(a->Trim(), 1000u);
    EXPECT_EQ(a->stats().chunks, 0u);
    EXPECT_TRUE(a->Validate());
  }
}

// Seeded model test: random malloc / whole free / partial free / borrow / trim
// over many small chunks and dedicated ones; canaries catch any overlap.
TEST(ScalableAllocator, RandomizedAgainstAModelWithCanaries) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    auto a = Make(512, 8192, 4 << 20);
    std::mt19937 rng(seed);
    struct Live { uint32_t chunk; uint64_t offset, size; uint8_t canary; };
    std::vector<Live> live;
    std::vector<uint32_t> retired;  // no Recycle here: these ids never come back
    std::vector<std::shared_ptr<MappedRegion>> moved;  // a retired chunk's memory, still mapped
    uint64_t used = 0, retired_bytes = 0;
    auto data = [&](const Live& l) { return a->chunk(l.chunk)->region()->data() + l.offset; };
    auto check = [&](const Live& l) {
      const uint8_t* p = data(l);
      for (uint64_t i = 0; i < l.size; i += 1 + l.size / 16) ASSERT_EQ(p[i], l.canary);
      ASSERT_EQ(p[l.size - 1], l.canary);
    };
    for (int step = 0; step < 4000; ++step) {
      const uint32_t op = rng() % 10;
      if (op < 5) {
        const uint64_t size = rng() % 8 == 0 ? 1 + rng() % 20000 : 1 + rng() % 600;
        const int64_t h = a->Malloc(size);
        if (h == kCapReached) continue;
        ASSERT_GE(h, 0);
        ASSERT_EQ(std::count(retired.begin(), retired.end(), Split(h).chunk), 0);
        Live l{Split(h).chunk, Split(h).offset, size, static_cast<uint8_t>(rng())};
        std::memset(data(l), l.canary, size);
        live.push_back(l);
        used += size;
      } else if (op < 8 && !live.empty()) {
        const size_t i = rng() % live.size();
        Live l = live[i];
        check(l);
        if (l.size > 1 && rng() % 2) {  // partial: the tail
          const uint64_t keep = 1 + rng() % (l.size - 1);
          ASSERT_EQ(a->Free(l.chunk, l.offset + keep, l.size - keep), FreeStatus::kOk);
          used -= l.size - keep;
          live[i].size = keep;
        } else {
          ASSERT_EQ(a->Free(l.chunk, l.offset, l.size), FreeStatus::kOk);
          // Double free: kDoubleFree, or kOutOfRange once the chunk was released.
          ASSERT_NE(a->Free(l.chunk, l.offset, l.size), FreeStatus::kOk);
          used -= l.size;
          live[i] = live.back();
          live.pop_back();
        }
      } else if (op == 8) {
        const int64_t b = a->Borrow(1 + rng() % 600);
        ASSERT_TRUE(b >= 0 || b == kCapReached);
        if (b >= 0) ASSERT_EQ(std::count(retired.begin(), retired.end(), Split(b).chunk), 0);
      } else if (op == 9 && step % 5 == 0 && !live.empty()) {  // a live allocation's chunk is taken away
        const uint32_t chunk = live[rng() % live.size()].chunk;
        moved.push_back(a->chunk(chunk)->region());
        ASSERT_TRUE(a->Retire(chunk));
        std::memset(moved.back()->data(), 0xA5, moved.back()->size());  // its new owner writes it
        for (size_t i = live.size(); i-- > 0;) {
          if (live[i].chunk != chunk) continue;
          ASSERT_EQ(a->Free(chunk, live[i].offset, live[i].size), FreeStatus::kOutOfRange);  // freed by nobody
          used -= live[i].size;
          retired_bytes += live[i].size;
          live[i] = live.back();
          live.pop_back();
        }
        retired.push_back(chunk);
      } else if (step % 50 == 0) {
        a->Trim();
      }
      const ScalableStats s = a->stats();
      ASSERT_EQ(s.used_size, used);
      ASSERT_EQ(s.allocations, live.size());
      ASSERT_EQ(s.total_malloc - s.total_free, used);
      ASSERT_EQ(s.retired, retired_bytes);
      ASSERT_LE(s.size, 4u << 20);
    }
    EXPECT_FALSE(retired.empty());
    for (const Live& l : live) check(l);
    ASSERT_TRUE(a->Validate());
  }
}

}  // namespace
}  // namespace poolmem
