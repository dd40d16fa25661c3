// MultisetDigest: an order-independent fingerprint of a set of key/value
// entries, so `keel verify` can compare an index with what the events imply
// by two sequential scans instead of a point lookup per event.
//
// Each entry is hashed with keys drawn at random for every digest pair (see
// MultisetDigest::Pair), and the hashes are summed in two independent 64-bit
// lanes. Equal multisets give equal digests; a difference goes unnoticed
// with a probability near 2^-128 for accidental damage, and someone editing
// the database cannot aim for a collision because the keys exist only in the
// verifying process. The sums say *that* an index differs, not where: the
// caller then looks entry by entry to name the problem.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <utility>

namespace keel {

class MultisetDigest {
 public:
  using Keys = std::array<uint64_t, 4>;

  // Two empty digests sharing fresh random keys: one for what should be
  // there, one for what is.
  static std::pair<MultisetDigest, MultisetDigest> Pair();
  explicit MultisetDigest(const Keys& keys) : keys_(keys) {}

  void Add(std::string_view key, std::string_view value);

  uint64_t entries() const { return entries_; }
  bool operator==(const MultisetDigest& other) const {
    return entries_ == other.entries_ && sums_ == other.sums_;
  }

 private:
  Keys keys_;
  uint64_t entries_ = 0;
  std::array<uint64_t, 2> sums_{};
};

// A keyed 64-bit hash of `bytes` (exposed for tests).
uint64_t KeyedHash64(std::string_view bytes, uint64_t key_a, uint64_t key_b);

}  // namespace keel
