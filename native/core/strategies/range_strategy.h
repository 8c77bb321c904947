// The one interface every allocation strategy implements: a set of free
// half-open ranges [start, end) inside [0, size()), managed as plain integers.
// A strategy never touches memory, so the same algorithm can manage an mmap'd
// chunk, a V8-owned buffer or nothing at all (RangeAllocator).
// Invariant shared by all strategies: a failed call changes nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

namespace poolmem {

inline constexpr int64_t kNoFit = -1;

enum class FreeStatus : int32_t {
  kOk = 0,
  kDoubleFree = 1,   // part of the range is already free
  kOutOfRange = 2,   // the range does not lie inside [0, size())
};

enum class StrategyKind : int32_t { kTreap = 0, kAvl = 1, kBuddy = 2, kFirstFit = 3 };

inline constexpr uint64_t kMaxAlignment = 4096;

struct StrategyOptions {
  // buddy: smallest block (default 64); first-fit: alignment and rounding
  // (default 16). A power of two in [16, 2^30], or 0 for the default.
  // treap and avl are byte-exact and take only 0.
  uint64_t min_block = 0;
  // Every offset handed out is a multiple of it: a power of two in
  // [1, kMaxAlignment]. 1 keeps treap and avl byte-exact; above 1 they are
  // wrapped in AlignedStrategy. Buddy and first-fit take it as a floor on
  // their granule (their blocks start at granule multiples).
  uint64_t alignment = 1;
};

struct FreeRange {
  uint64_t start;
  uint64_t end;
};

class RangeStrategy {
 public:
  virtual ~RangeStrategy() = default;

  // Offset of `size` bytes carved from a free range, or kNoFit. size >= 1.
  virtual int64_t Allocate(uint64_t size) = 0;
  // What Allocate would return, changing nothing.
  virtual int64_t Find(uint64_t size) const = 0;
  // Returns [offset, offset + size) to the free set; any allocated sub-range works.
  virtual FreeStatus Free(uint64_t offset, uint64_t size) = 0;
  // Free bytes. A field rather than a virtual call: ScalableAllocator reads
  // it on every free to spot a fully free chunk (the call cost ~1 ns a pair).
  uint64_t FreeSize() const { return free_size_; }
  virtual uint64_t Size() const = 0;
  // The unit it hands out and takes back: a free returns a granule once no
  // byte of it is live. 1 for byte-exact strategies.
  virtual uint64_t Granule() const = 0;
  // Free ranges in ascending order, merged.
  virtual void Blocks(std::vector<FreeRange>* out) const = 0;
  // Everything free again, over a new size.
  virtual void Reset(uint64_t size) = 0;
  // Full invariant walk; true when every invariant holds.
  virtual bool Validate() const = 0;

 protected:
  uint64_t free_size_ = 0;  // each strategy keeps it exact
};

// Names of the strategies, in StrategyKind order (the kind is the index).
std::vector<std::string_view> AvailableStrategies();

// nullptr when the options do not suit the kind (see StrategyOptions).
std::unique_ptr<RangeStrategy> MakeRangeStrategy(StrategyKind kind, uint64_t size,
                                                 const StrategyOptions& options);

}  // namespace poolmem
