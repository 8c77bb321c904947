// One mapped region managed by one strategy (GoMem's MemoryAllocator, goumem's
// Pool). The region is shared: views over it keep it mapped after the arena
// closes, and it is unmapped when the last holder lets go.
// Sizes: size() = usable_size() + tail_size(), where the tail (below one
// granule: buddy, first-fit, an aligned treap or avl) is never handed out, so
// it is neither used nor free: used_size() + free_size() = usable_size().
#pragma once

#include <cstdint>
#include <memory>

#include "os/os_memory.h"
#include "strategies/range_strategy.h"

namespace poolmem {

class Arena {
 public:
  // nullptr when the strategy is unknown or the kernel refuses the mapping.
  static std::unique_ptr<Arena> Create(uint64_t size, StrategyKind kind,
                                       const StrategyOptions& options, bool huge_pages);

  int64_t Allocate(uint64_t size) { return closed_ ? kNoFit : strategy_->Allocate(size); }
  FreeStatus Free(uint64_t offset, uint64_t size) { return strategy_->Free(offset, size); }
  uint64_t size() const { return strategy_->Size(); }
  uint64_t free_size() const { return strategy_->FreeSize(); }
  // Bytes handed out (whole granules for the granule strategies).
  uint64_t used_size() const { return usable_ - free_size(); }
  uint64_t usable_size() const { return usable_; }
  uint64_t tail_size() const { return size() - usable_; }
  // Everything free again (ArenaPool hands the arena to its next holder).
  void Reset() { strategy_->Reset(size()); }
  RangeStrategy& strategy() { return *strategy_; }
  const RangeStrategy& strategy() const { return *strategy_; }
  // Null after Close(): whoever still exposes the bytes holds its own share.
  const std::shared_ptr<MappedRegion>& region() const { return region_; }
  bool huge_pages() const { return huge_pages_; }

  // After Close, Allocate finds nothing and the arena lets go of its region;
  // frees still balance the books so a late GC fallback is harmless.
  void Close() {
    closed_ = true;
    region_.reset();
  }
  bool closed() const { return closed_; }

 private:
  Arena(std::shared_ptr<MappedRegion> region, std::unique_ptr<RangeStrategy> strategy)
      : region_(std::move(region)),
        strategy_(std::move(strategy)),
        usable_(strategy_->FreeSize()),
        huge_pages_(region_->huge_pages()) {}
  std::shared_ptr<MappedRegion> region_;
  std::unique_ptr<RangeStrategy> strategy_;
  uint64_t usable_;  // free bytes when empty
  bool huge_pages_;
  bool closed_ = false;
};

}  // namespace poolmem
