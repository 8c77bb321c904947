// The core without Node or GoogleTest: maps an arena per strategy, writes and
// frees blocks, and goes through the process allocator. Built by
// scripts/cross-windows.sh with mingw-w64, so the Windows OS layer compiles
// and links; it runs wherever the target does (exit 0 = passed).
#include <cstdio>
#include <cstring>

#include "pools/arena.h"
#include "os/os_memory.h"
#include "pools/process_allocator.h"

namespace {
int failures = 0;
void Check(bool ok, const char* what) {
  if (!ok) {
    std::printf("FAILED: %s\n", what);
    ++failures;
  }
}
}  // namespace

int main() {
  using poolmem::StrategyKind;
  for (StrategyKind kind : {StrategyKind::kTreap, StrategyKind::kAvl, StrategyKind::kBuddy, StrategyKind::kFirstFit}) {
    auto arena = poolmem::Arena::Create(1 << 20, kind, {}, /*huge_pages=*/true);
    Check(arena != nullptr, "Arena::Create");
    if (!arena) continue;
    const int64_t a = arena->Allocate(1000);
    const int64_t b = arena->Allocate(5000);
    Check(a >= 0 && b >= 0, "Allocate");
    uint8_t* bytes = arena->region()->data();
    std::memset(bytes + a, 0xab, 1000);
    std::memset(bytes + b, 0xcd, 5000);
    Check(bytes[a + 999] == 0xab && bytes[b] == 0xcd, "bytes written");
    Check(arena->Free(static_cast<uint64_t>(a), 1000) == poolmem::FreeStatus::kOk, "Free a");
    Check(arena->Free(static_cast<uint64_t>(b), 5000) == poolmem::FreeStatus::kOk, "Free b");
    Check(arena->used_size() == 0, "used_size after free");
  }
  Check(poolmem::MappedRegion::LiveCount() == 0, "every region unmapped");

  // A granule strategy: the process allocator asks for 16-byte granules, which treap refuses.
  poolmem::ProcessAllocator process(StrategyKind::kFirstFit);
  poolmem::ProcessAllocator::Block block{};
  Check(process.Allocate(4096, &block) == poolmem::ProcessAllocator::AllocStatus::kOk, "process Allocate");
  const auto freed = process.Free(block.arena_id, block.offset, poolmem::ProcessAllocator::RoundUp(4096));
  Check(freed == poolmem::ProcessAllocator::FreeResult::kOk ||
            freed == poolmem::ProcessAllocator::FreeResult::kArenaReleased,
        "process Free");

  std::printf("core smoke: %s\n", failures ? "FAILED" : "passed");
  return failures ? 1 : 0;
}
