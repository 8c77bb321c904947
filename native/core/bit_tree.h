// BitTree: a bitset with a summary level per 64 words, so that "next set bit
// at or after i" and "last set bit at or before i" cost one word per level
// (4 levels cover 2^24 bits). Used by the granule strategies (buddy,
// first-fit) for neighbour and predecessor lookups without touching memory.
// Memory: about n/8 bytes for n bits.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace poolmem {

class BitTree {
 public:
  static constexpr uint64_t kNone = UINT64_MAX;

  BitTree() = default;
  explicit BitTree(uint64_t bits) { Reset(bits); }

  // All bits clear, over a new size.
  void Reset(uint64_t bits) {
    size_ = bits;
    count_ = 0;
    levels_.clear();
    uint64_t words = (bits + 63) / 64;
    do {
      levels_.emplace_back(words == 0 ? 1 : words, 0);
      words = (words + 63) / 64;
    } while (levels_.back().size() > 1);
  }

  uint64_t size() const { return size_; }
  uint64_t count() const { return count_; }

  bool Test(uint64_t i) const { return (levels_[0][i >> 6] >> (i & 63)) & 1; }

  void Set(uint64_t i) {
    for (auto& level : levels_) {
      uint64_t& word = level[i >> 6];
      const bool was_empty = word == 0;
      const uint64_t bit = uint64_t{1} << (i & 63);
      if (&level == &levels_[0]) count_ += (word & bit) == 0;
      word |= bit;
      if (!was_empty) return;
      i >>= 6;
    }
  }

  void Clear(uint64_t i) {
    for (auto& level : levels_) {
      uint64_t& word = level[i >> 6];
      const uint64_t bit = uint64_t{1} << (i & 63);
      if (&level == &levels_[0]) count_ -= (word & bit) != 0;
      word &= ~bit;
      if (word != 0) return;
      i >>= 6;
    }
  }

  // First set bit >= i, or kNone.
  uint64_t Next(uint64_t i) const {
    if (i >= size_) return kNone;
    std::size_t l = 0;
    for (;;) {
      const uint64_t w = i >> 6;
      if (w >= levels_[l].size()) return kNone;
      const uint64_t bits = levels_[l][w] & (~uint64_t{0} << (i & 63));
      if (bits != 0) {
        i = (w << 6) | static_cast<uint64_t>(std::countr_zero(bits));
        break;
      }
      if (l + 1 == levels_.size()) return kNone;
      i = w + 1;  // the next word at this level is bit w + 1 one level up
      ++l;
    }
    while (l > 0) {
      --l;
      i = (i << 6) | static_cast<uint64_t>(std::countr_zero(levels_[l][i]));
    }
    return i;
  }

  // Last set bit <= i, or kNone.
  uint64_t Prev(uint64_t i) const {
    if (size_ == 0) return kNone;
    if (i >= size_) i = size_ - 1;
    std::size_t l = 0;
    for (;;) {
      const uint64_t w = i >> 6;
      const unsigned b = i & 63;
      const uint64_t mask = b == 63 ? ~uint64_t{0} : (uint64_t{2} << b) - 1;
      const uint64_t bits = levels_[l][w] & mask;
      if (bits != 0) {
        i = (w << 6) | static_cast<uint64_t>(63 - std::countl_zero(bits));
        break;
      }
      if (w == 0 || l + 1 == levels_.size()) return kNone;
      i = w - 1;
      ++l;
    }
    while (l > 0) {
      --l;
      i = (i << 6) | static_cast<uint64_t>(63 - std::countl_zero(levels_[l][i]));
    }
    return i;
  }

  // Summary words agree with the words below them; for Validate().
  bool Consistent() const {
    uint64_t bits = 0;
    for (uint64_t word : levels_[0]) bits += static_cast<uint64_t>(std::popcount(word));
    if (bits != count_) return false;
    if (size_ % 64 != 0 && (levels_[0].back() >> (size_ % 64)) != 0) return false;
    for (std::size_t l = 1; l < levels_.size(); ++l) {
      for (uint64_t j = 0; j < levels_[l].size() * 64; ++j) {
        const bool below = j < levels_[l - 1].size() && levels_[l - 1][j] != 0;
        if (below != static_cast<bool>((levels_[l][j >> 6] >> (j & 63)) & 1)) return false;
      }
    }
    return true;
  }

 private:
  uint64_t size_ = 0;
  uint64_t count_ = 0;
  std::vector<std::vector<uint64_t>> levels_;  // [0] holds the bits
};

}  // namespace poolmem
