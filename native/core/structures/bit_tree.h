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

  BitTree() { Reset(0); }
  explicit BitTree(uint64_t bits) { Reset(bits); }

  // All bits clear, over a new size.
  void Reset(uint64_t bits) {
    size_ = bits;
    count_ = 0;
    levels_ = 0;
    uint64_t words = (bits + 63) / 64, total = 0;
    do {
      if (words == 0) words = 1;
      offset_[levels_] = static_cast<uint32_t>(total);
      words_in_[levels_] = words;
      total += words;
      ++levels_;
      words = (words + 63) / 64;
    } while (words_in_[levels_ - 1] > 1);
    words_.assign(total, 0);
  }

  uint64_t size() const { return size_; }
  uint64_t count() const { return count_; }

  bool Test(uint64_t i) const { return (words_[i >> 6] >> (i & 63)) & 1; }

  void Set(uint64_t i) {
    uint64_t& leaf = words_[i >> 6];
    const uint64_t bit = uint64_t{1} << (i & 63);
    count_ += (leaf & bit) == 0;
    for (int l = 0;;) {
      uint64_t& word = l == 0 ? leaf : Word(l, i >> 6);
      const bool was_empty = word == 0;
      word |= uint64_t{1} << (i & 63);
      if (!was_empty || ++l == levels_) return;
      i >>= 6;
    }
  }

  void Clear(uint64_t i) {
    uint64_t& leaf = words_[i >> 6];
    const uint64_t bit = uint64_t{1} << (i & 63);
    count_ -= (leaf & bit) != 0;
    for (int l = 0;;) {
      uint64_t& word = l == 0 ? leaf : Word(l, i >> 6);
      word &= ~(uint64_t{1} << (i & 63));
      if (word != 0 || ++l == levels_) return;
      i >>= 6;
    }
  }

  // First set bit >= i, or kNone.
  uint64_t Next(uint64_t i) const {
    if (i >= size_) return kNone;
    int l = 0;
    for (;;) {
      const uint64_t w = i >> 6;
      if (w >= words_in_[l]) return kNone;
      const uint64_t bits = Word(l, w) & (~uint64_t{0} << (i & 63));
      if (bits != 0) {
        i = (w << 6) | static_cast<uint64_t>(std::countr_zero(bits));
        break;
      }
      if (++l == levels_) return kNone;
      i = w + 1;  // the next word at this level is bit w + 1 one level up
    }
    while (l > 0) {
      --l;
      i = (i << 6) | static_cast<uint64_t>(std::countr_zero(Word(l, i)));
    }
    return i;
  }

  // Lowest set bit, or kNone: a descent from the top word, no climb.
  uint64_t First() const {
    if (count_ == 0) return kNone;
    uint64_t i = 0;
    for (int l = levels_ - 1; l >= 0; --l) i = (i << 6) | static_cast<uint64_t>(std::countr_zero(Word(l, i)));
    return i;
  }

  // Last set bit <= i, or kNone.
  uint64_t Prev(uint64_t i) const {
    if (size_ == 0) return kNone;
    if (i >= size_) i = size_ - 1;
    int l = 0;
    for (;;) {
      const uint64_t w = i >> 6;
      const unsigned b = i & 63;
      const uint64_t mask = b == 63 ? ~uint64_t{0} : (uint64_t{2} << b) - 1;
      const uint64_t bits = Word(l, w) & mask;
      if (bits != 0) {
        i = (w << 6) | static_cast<uint64_t>(63 - std::countl_zero(bits));
        break;
      }
      if (w == 0 || ++l == levels_) return kNone;
      i = w - 1;
    }
    while (l > 0) {
      --l;
      i = (i << 6) | static_cast<uint64_t>(63 - std::countl_zero(Word(l, i)));
    }
    return i;
  }

  // Summary words agree with the words below them; for Validate().
  bool Consistent() const {
    uint64_t bits = 0;
    for (uint64_t w = 0; w < words_in_[0]; ++w) bits += static_cast<uint64_t>(std::popcount(Word(0, w)));
    if (bits != count_) return false;
    if (size_ % 64 != 0 && (Word(0, words_in_[0] - 1) >> (size_ % 64)) != 0) return false;
    for (int l = 1; l < levels_; ++l) {
      for (uint64_t j = 0; j < words_in_[l] * 64; ++j) {
        const bool below = j < words_in_[l - 1] && Word(l - 1, j) != 0;
        if (below != static_cast<bool>((Word(l, j >> 6) >> (j & 63)) & 1)) return false;
      }
    }
    return true;
  }

 private:
  static constexpr int kMaxLevels = 11;  // 64^11 > 2^64 bits

  uint64_t& Word(int level, uint64_t w) { return words_[offset_[level] + w]; }
  uint64_t Word(int level, uint64_t w) const { return words_[offset_[level] + w]; }

  // What Test/Set/Clear touch comes first, in one cache line.
  std::vector<uint64_t> words_;         // level 0 (the bits) first, then the summaries
  uint64_t count_ = 0;
  uint64_t size_ = 0;
  int levels_ = 0;
  uint32_t offset_[kMaxLevels] = {};    // first word of each level in words_
  uint64_t words_in_[kMaxLevels] = {};
};

}  // namespace poolmem
