#include "engine/audit/multiset_digest.h"

#include <cstring>
#include <random>

namespace keel {
namespace {

// The high and low halves of a 128-bit product, folded: the mixing step of
// the wyhash family of hashes.
inline uint64_t Fold(uint64_t a, uint64_t b) {
  unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

inline uint64_t Load64(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return word;
}

// Up to 8 trailing bytes as one word, their count folded in by the caller.
inline uint64_t LoadTail(const char* p, size_t n) {
  uint64_t word = 0;
  std::memcpy(&word, p, n);
  return word;
}

constexpr uint64_t kOdd1 = 0xa0761d6478bd642full;
constexpr uint64_t kOdd2 = 0xe7037ed1a0b428dbull;

}  // namespace

uint64_t KeyedHash64(std::string_view bytes, uint64_t key_a, uint64_t key_b) {
  const char* p = bytes.data();
  size_t n = bytes.size();
  uint64_t h = key_a ^ Fold(n ^ kOdd1, key_b ^ kOdd2);
  for (; n >= 16; p += 16, n -= 16) h = Fold(Load64(p) ^ key_a ^ h, Load64(p + 8) ^ key_b);
  if (n > 8) {
    h = Fold(Load64(p) ^ key_a ^ h, LoadTail(p + 8, n - 8) ^ key_b ^ (n << 56));
  } else if (n > 0) {
    h = Fold(LoadTail(p, n) ^ key_a ^ h, key_b ^ (n << 56));
  }
  return Fold(h ^ kOdd1, key_b ^ kOdd2 ^ bytes.size());
}

std::pair<MultisetDigest, MultisetDigest> MultisetDigest::Pair() {
  std::random_device entropy;
  Keys keys;
  for (uint64_t& key : keys) key = (static_cast<uint64_t>(entropy()) << 32) ^ entropy();
  return {MultisetDigest(keys), MultisetDigest(keys)};
}

void MultisetDigest::Add(std::string_view key, std::string_view value) {
  ++entries_;
  // The value's hash is folded into the key's, so moving bytes between key
  // and value changes the entry.
  for (int lane = 0; lane < 2; ++lane) {
    uint64_t key_hash = KeyedHash64(key, keys_[2 * lane], keys_[2 * lane + 1]);
    uint64_t value_hash = KeyedHash64(value, keys_[2 * lane + 1], keys_[2 * lane]);
    sums_[lane] += Fold(key_hash ^ kOdd1, value_hash ^ kOdd2) ^ key_hash;
  }
}

}  // namespace keel
