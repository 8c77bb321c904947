// A brute-force reference for every RangeStrategy, with no test framework so
// the GoogleTest harness (strategy_model.h) and the libFuzzer targets
// (test/fuzz) share it. State: one live flag per byte. A strategy with a
// granule g (buddy: minBlock, first-fit: 16) reserves whole granules: a
// granule is free exactly when it holds no live byte, and only the first
// floor(size / g) granules are ever usable. The treap and avl are g = 1.
// Each fit rule predicts the exact offset Allocate must return.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

#include "strategies/range_strategy.h"

namespace poolmem::testing {

enum class FitRule {
  kBestFit,   // smallest free range that fits, lowest start on ties (treap, avl)
  kFirstFit,  // lowest free range that fits (first-fit)
  kBuddy,     // lowest free aligned block of the smallest order that fits (buddy)
  kAnyFit,    // any free place: only validity is checked
};

class ReferenceModel {
 public:
  ReferenceModel(uint64_t size, uint64_t granule)
      : size_(size), granule_(granule), granules_(size / granule), live_(size, 0), live_in_(granules_, 0) {}

  uint64_t size() const { return size_; }
  uint64_t granule() const { return granule_; }
  uint64_t granules() const { return granules_; }

  bool IsLive(uint64_t offset, uint64_t n) const {
    for (uint64_t i = offset; i < offset + n; ++i) {
      if (!live_[i]) return false;
    }
    return true;
  }
  void Mark(uint64_t offset, uint64_t n, bool live) {
    for (uint64_t i = offset; i < offset + n; ++i) {
      if (live_[i] == live) continue;
      live_[i] = live;
      if (i / granule_ < granules_) live_in_[i / granule_] += live ? 1 : -1;
    }
  }
  bool GranuleFree(uint64_t g) const { return g < granules_ && live_in_[g] == 0; }

  // Could a block of n bytes be reserved at offset: aligned, every granule free?
  bool CanPlace(uint64_t offset, uint64_t n) const {
    if (offset % granule_ != 0) return false;
    const uint64_t end = (offset + n + granule_ - 1) / granule_;
    if (end > granules_) return false;
    for (uint64_t g = offset / granule_; g < end; ++g) {
      if (!GranuleFree(g)) return false;
    }
    return true;
  }

  // Free granules merged into byte ranges, ascending.
  std::vector<FreeRange> Ranges() const {
    std::vector<FreeRange> out;
    for (uint64_t g = 0; g < granules_;) {
      if (!GranuleFree(g)) {
        ++g;
        continue;
      }
      uint64_t h = g;
      while (h < granules_ && GranuleFree(h)) ++h;
      out.push_back({g * granule_, h * granule_});
      g = h;
    }
    return out;
  }

  uint64_t FreeSize() const {
    uint64_t n = 0;
    for (uint64_t g = 0; g < granules_; ++g) n += GranuleFree(g);
    return n * granule_;
  }

  // What Free(offset, n) must answer.
  FreeStatus ExpectedFree(uint64_t offset, uint64_t n) const {
    if (offset > size_ || n > size_ - offset) return FreeStatus::kOutOfRange;
    if (n == 0) return FreeStatus::kOk;
    return IsLive(offset, n) ? FreeStatus::kOk : FreeStatus::kDoubleFree;
  }

  // The offset Allocate(n) must return under `rule` (kAnyFit: whether
  // anything could fit, as 0 or kNoFit).
  int64_t Expected(FitRule rule, uint64_t n) const {
    if (n == 0 || n > granules_ * granule_) return kNoFit;
    const uint64_t need = (n + granule_ - 1) / granule_;
    switch (rule) {
      case FitRule::kBestFit: {
        int64_t best = kNoFit;
        uint64_t best_len = UINT64_MAX;
        for (const FreeRange& r : Ranges()) {
          const uint64_t len = (r.end - r.start) / granule_;
          if (len >= need && len < best_len) {
            best = static_cast<int64_t>(r.start);
            best_len = len;
          }
        }
        return best;
      }
      case FitRule::kFirstFit:
      case FitRule::kAnyFit:
        for (const FreeRange& r : Ranges()) {
          if ((r.end - r.start) / granule_ >= need) return static_cast<int64_t>(r.start);
        }
        return kNoFit;
      case FitRule::kBuddy:
        return BuddyExpected(need);
    }
    return kNoFit;
  }

 private:
  // Canonical buddy state: a free block of order j is an aligned block of
  // 2^j free granules whose parent is not wholly free (or not usable).
  int64_t BuddyExpected(uint64_t need) const {
    const unsigned k = need <= 1 ? 0 : 64u - static_cast<unsigned>(std::countl_zero(need - 1));
    const unsigned max_order = 63u - static_cast<unsigned>(std::countl_zero(granules_));
    std::vector<uint64_t> prefix(granules_ + 1, 0);
    for (uint64_t g = 0; g < granules_; ++g) prefix[g + 1] = prefix[g] + GranuleFree(g);
    auto whole = [&](unsigned order, uint64_t i) {
      if (i >= (granules_ >> order)) return false;
      const uint64_t a = i << order, b = (i + 1) << order;
      return prefix[b] - prefix[a] == b - a;
    };
    for (unsigned j = k; j <= max_order; ++j) {
      for (uint64_t i = 0; i < (granules_ >> j); ++i) {
        if (whole(j, i) && (j == max_order || !whole(j + 1, i >> 1))) {
          return static_cast<int64_t>((i << j) * granule_);
        }
      }
    }
    return kNoFit;
  }

  uint64_t size_;
  uint64_t granule_;
  uint64_t granules_;
  std::vector<uint8_t> live_;
  std::vector<uint32_t> live_in_;  // live bytes per usable granule
};

}  // namespace poolmem::testing
