// The shared payloads behind cel::Value, and helpers the evaluator and the
// functions use on them. Private to rules/cel.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "rules/cel/cel.h"

namespace keel::cel {
namespace internal {

struct MapObject : HeapObject {
  std::vector<MapEntry> entries;
  // Open addressing over `entries` for larger maps: 0 is empty, else index + 1.
  std::vector<uint32_t> slots;
};

struct ErrorObject : HeapObject {
  ErrorCode code = ErrorCode::kInvalidArgument;
  int32_t offset = -1;
  std::string message;
};

// A fast hash of short strings (map keys).
inline uint64_t HashBytes(std::string_view s) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
  const char* p = s.data();
  size_t n = s.size();
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
    h ^= h >> 31;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * 0x94d049bb133111ebull;
    h ^= h >> 29;
  }
  return h ^ (h >> 32);
}

// Equality of two byte strings; inline and call-free for the short strings
// of keys and enum-like values (loads stay within both strings).
inline bool BytesEqual(std::string_view a, std::string_view b) {
  size_t n = a.size();
  if (n != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  auto load8 = [](const char* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  };
  auto load4 = [](const char* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  };
  if (n >= 8) {
    if (n > 16) return std::memcmp(x, y, n) == 0;
    return load8(x) == load8(y) && load8(x + n - 8) == load8(y + n - 8);
  }
  if (n >= 4) return load4(x) == load4(y) && load4(x + n - 4) == load4(y + n - 4);
  for (size_t i = 0; i < n; ++i) {
    if (x[i] != y[i]) return false;
  }
  return true;
}

// The value under string `key` whose HashBytes is `hash` (used only when the
// map has a hash index), or nullptr.
inline const Value* FindStringKey(const MapObject& map, std::string_view key, uint64_t hash) {
  if (map.slots.empty()) {
    for (const MapEntry& e : map.entries) {
      if (e.first.kind() == Kind::kString && BytesEqual(e.first.AsString(), key)) return &e.second;
    }
    return nullptr;
  }
  size_t mask = map.slots.size() - 1;
  for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    uint32_t index = map.slots[slot];
    if (index == 0) return nullptr;
    const MapEntry& e = map.entries[index - 1];
    if (e.first.kind() == Kind::kString && BytesEqual(e.first.AsString(), key)) return &e.second;
  }
}
// Keys equal under CEL's map key equality hash alike (1, 1u and 1.0 too).
uint64_t HashKey(const Value& key);

}  // namespace internal

// Construction from and access to the payloads, for the evaluator.
struct ValueAccess {
  static const internal::HeapObject* Heap(const Value& v) { return v.u_.p; }
  static Value FromHeap(Kind kind, const internal::HeapObject* object) {
    Value v(kind);
    v.u_.p = object;  // adopts the reference
    return v;
  }
  static Value TimestampUnchecked(int64_t seconds, int32_t nanos) {
    Value v(Kind::kTimestamp);
    v.u_.i = seconds;
    v.aux_ = nanos;
    return v;
  }
  static const internal::MapObject& Map(const Value& v) {
    return *static_cast<const internal::MapObject*>(v.u_.p);
  }
  static internal::ErrorObject* MutableError(const Value& v) {
    return const_cast<internal::ErrorObject*>(static_cast<const internal::ErrorObject*>(v.u_.p));
  }
  static int32_t RefCount(const Value& v) { return v.u_.p->refs.load(std::memory_order_relaxed); }
};

// The first and last valid timestamp second (0001-01-01, 9999-12-31T23:59:59).
inline constexpr int64_t kMinTimestampSeconds = -62135596800;
inline constexpr int64_t kMaxTimestampSeconds = 253402300799;

inline bool IsNumeric(Kind k) { return k == Kind::kInt || k == Kind::kUint || k == Kind::kDouble; }

// Ordering of two numbers of any numeric kinds, as CEL defines it: -1, 0, 1,
// or 2 when unordered (a NaN).
int CompareNumbers(const Value& a, const Value& b);

// Ordering for values of comparable kinds (numbers, strings, bytes, bools,
// timestamps, durations): -1, 0, 1, 2 unordered, or 3 when not comparable.
int CompareValues(const Value& a, const Value& b);

// Creates a map from entries whose keys were already checked; `error` receives
// the first repeated key.
Value MakeMap(std::vector<MapEntry> entries, std::string* error);
// The same without looking for repeated keys. REQUIRES: the keys are unique
// (canonical JSON's keys are: strictly ascending).
Value MakeMapOfUniqueKeys(std::vector<MapEntry> entries);

// The number of code points in valid UTF-8.
size_t Utf8Length(std::string_view s);

// Standard base64 with '=' padding (functions_encoders.cc).
std::string Base64Encode(std::string_view bytes);

// Shortest round-trip text of a double, as CEL's string(double) prints it.
std::string FormatDouble(double d);

}  // namespace keel::cel
