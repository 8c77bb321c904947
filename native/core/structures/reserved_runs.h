// ReservedRuns: the allocated side of a granule strategy (buddy, first-fit, an aligned treap or avl).
// Those strategies hand out whole granules (minBlock / 16 bytes) but callers
// free exact byte ranges, so this keeps, per run of reserved granules, the
// byte ranges that are still live. Invariants:
//   - runs are disjoint granule ranges [start, end), keyed by start;
//   - a run's live byte ranges are sorted, disjoint, not adjacent, inside it;
//   - every granule of a run holds at least one live byte: a granule that
//     loses its last live byte is released at once (it leaves the run, which
//     may shrink or split in two).
// So a free is accepted exactly when every byte of it is live, as with the
// treap, and frees spanning adjacent runs work.
#pragma once

#include <cstdint>
#include <vector>

#include "structures/bit_tree.h"
#include "structures/flat_map.h"
#include "strategies/range_strategy.h"

namespace poolmem {

struct GranuleRange {
  uint64_t start;
  uint64_t end;
};

class ReservedRuns {
 public:
  // Nothing reserved; granules of 2^shift bytes, `granules` of them.
  void Reset(unsigned shift, uint64_t granules);

  // Reserves the granules under [offset, offset + size) (offset granule
  // aligned, size >= 1, granules not reserved) with all of those bytes live.
  void Add(uint64_t offset, uint64_t size);

  // Frees the live bytes [offset, offset + size) (size >= 1). kDoubleFree,
  // changing nothing, unless every byte is live. On success appends the
  // granule ranges that no longer hold a live byte to *released, ascending.
  FreeStatus Release(uint64_t offset, uint64_t size, std::vector<GranuleRange>* released);

  // A granule strategy's whole Free: kOutOfRange unless [offset, offset +
  // size) lies in [0, limit), kOk for size 0, else as Release, handing each
  // granule range left with no live byte to give_back(start, end) (granule
  // indices, ascending). A failed call changes nothing.
  template <class GiveBack>
  FreeStatus Free(uint64_t limit, uint64_t offset, uint64_t size, GiveBack&& give_back) {
    if (offset > limit || size > limit - offset) return FreeStatus::kOutOfRange;
    if (size == 0) return FreeStatus::kOk;
    released_.clear();
    const FreeStatus status = Release(offset, size, &released_);
    if (status == FreeStatus::kOk) {
      for (const GranuleRange& r : released_) give_back(r.start, r.end);
    }
    return status;
  }

  uint64_t count() const { return runs_.size(); }

  // Runs in ascending order as granule ranges; for Validate() and tests.
  void Runs(std::vector<GranuleRange>* out) const;

  // Every invariant above, plus the start bitmap matching the map.
  bool Validate() const;

 private:
  struct Run {
    uint64_t end = 0;       // granule index, exclusive
    FreeRange live{0, 0};   // the live bytes when multi == 0
    uint32_t multi = 0;     // else index into multi_: two or more live ranges
  };

  Run* Containing(uint64_t offset, uint64_t* start);
  bool RunCovers(const Run& run, uint64_t from, uint64_t to) const;
  void ReleaseInRun(uint64_t start, Run* run, uint64_t offset, uint64_t end, std::vector<GranuleRange>* released);
  void Rebuild(uint64_t start, uint64_t end, const std::vector<FreeRange>& live,
               std::vector<GranuleRange>* released);
  void Insert(uint64_t start, uint64_t end, const FreeRange* live, size_t n);
  void Remove(uint64_t start, Run* run);
  void LiveOf(const Run& run, std::vector<FreeRange>* out) const;

  unsigned shift_ = 0;
  FlatMap<Run> runs_;
  BitTree starts_;
  std::vector<std::vector<FreeRange>> multi_{1};  // slot 0 unused
  std::vector<uint32_t> free_multi_;
  std::vector<FreeRange> scratch_;
  std::vector<GranuleRange> released_;  // Free's scratch
};

}  // namespace poolmem
