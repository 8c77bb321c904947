// AlignedStrategy<Exact>: a byte-exact strategy (treap, avl) made to hand out
// offsets that are multiples of an alignment A (a power of two). The exact
// strategy manages whole granules of A bytes only: requests are rounded up
// to granules, so every free range and every offset stays a multiple of A.
// Callers still free exact byte ranges (any live sub-range); ReservedRuns,
// as in the granule strategies, keeps the live bytes of each run of reserved
// granules, and a granule goes back to the exact strategy only when none of
// its bytes is live. The arena's tail below one granule is never handed out.
// Cost: up to A - 1 bytes per allocation, plus a bitmap of one bit per granule.
// The most recent allocation stays out of ReservedRuns until another call
// needs them ("pending"): an allocate-then-free pair, a pool's commonest
// pattern, then costs the exact strategy's two calls only (ReservedRuns'
// insert and remove were 30 ns of a 42 ns pair).
#pragma once

#include <cstdint>
#include <vector>

#include "strategies/range_strategy.h"
#include "structures/reserved_runs.h"

namespace poolmem {

// Bounds the bitmaps: one bit per granule (512 MiB of bits at most).
inline constexpr uint64_t kMaxAlignedGranules = uint64_t{1} << 32;

template <class Exact>
class AlignedStrategy final : public RangeStrategy {
 public:
  // alignment: a power of two in [2, kMaxAlignment]; size / alignment <= kMaxAlignedGranules.
  static bool Supports(uint64_t size, uint64_t alignment);

  AlignedStrategy(uint64_t size, uint64_t alignment);

  int64_t Allocate(uint64_t size) override;
  int64_t Find(uint64_t size) const override;
  FreeStatus Free(uint64_t offset, uint64_t size) override;
  uint64_t Size() const override { return size_; }
  uint64_t Granule() const override { return uint64_t{1} << shift_; }
  void Blocks(std::vector<FreeRange>* out) const override { exact_.Blocks(out); }
  void Reset(uint64_t size) override;
  bool Validate() const override;

 private:
  // Bytes a request reserves (whole granules), or 0 when it can never fit.
  uint64_t Rounded(uint64_t size) const;
  // Moves the pending allocation into runs_.
  void Flush();

  unsigned shift_;
  uint64_t size_ = 0;
  Exact exact_;          // over the first size_ >> shift_ granules, in bytes
  ReservedRuns runs_;
  FreeRange pending_{0, 0};             // the last allocation, not yet in runs_ (empty when start == end)
};

}  // namespace poolmem
