// EntityState: the current state of one entity, a flat JSON object.
//
// Held as its canonical JSON text plus an index of where each member sits, so
// that writing it back is a copy, a lookup is a binary search, and reducers
// edit single members in place without a JSON DOM. Members stay in key
// order. A member that is absent reads as null.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/status.h"

namespace keel {

class EntityState {
 public:
  // Adopts a state written by ToCanonical (trusted: it came from the log).
  static EntityState FromCanonical(std::string_view text);
  // "{}" for an empty state.
  std::string ToCanonical() const { return std::string(canonical_view()); }
  // The same text without a copy; valid until the state changes.
  std::string_view canonical_view() const { return text_.empty() ? std::string_view("{}") : text_; }

  // The raw canonical JSON of `field`, or an empty view when absent.
  std::string_view Get(std::string_view field) const;
  // The decoded string value of `field`, or "" when absent or not a string.
  std::string GetString(std::string_view field) const;
  int64_t version() const;

  // REQUIRES: `raw_json` is canonical JSON; `field` needs no escaping.
  void Set(std::string_view field, std::string_view raw_json);
  void SetString(std::string_view field, std::string_view text);
  // Sets `version` to one more than it was (absent counts as 0) with one
  // lookup instead of a read and a write; returns the new version.
  int64_t IncrementVersion();
  void Erase(std::string_view field);

  // The members in key order, as (name, raw JSON) views into this state.
  std::vector<std::pair<std::string_view, std::string_view>> fields() const;
  bool empty() const { return text_.size() <= 2; }
  // Asks the CPU to bring the state's members into the cache, for a caller
  // that will read them a little later.
  void Prefetch() const;
  bool operator==(const EntityState& other) const { return ToCanonical() == other.ToCanonical(); }

 private:
  struct Member {
    uint32_t key_begin;    // first byte of the key, after its quote
    uint32_t key_length;
    uint32_t value_begin;  // first byte of the raw value
    uint32_t value_length;
  };

  std::string_view KeyOf(const Member& m) const { return std::string_view(text_).substr(m.key_begin, m.key_length); }
  // Index of the first member whose key is not less than `field`.
  size_t LowerBound(std::string_view field) const;
  // Set, given the LowerBound of `field`.
  void SetAt(size_t index, std::string_view field, std::string_view raw_json);
  void Shift(size_t from_index, int64_t delta);

  std::string text_;             // canonical object; empty means "{}"
  std::vector<Member> members_;  // in key order, pointing into text_
};

}  // namespace keel
