// EntityState: the current state of one entity, a flat JSON object.
//
// Held as its members in name order, each value as canonical JSON text, so
// that writing the state back is a concatenation and reducers change single
// members without a JSON DOM. A member that is absent reads as null.
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
  // Reads a state written by ToCanonical.
  static EntityState FromCanonical(std::string_view text);
  std::string ToCanonical() const;

  // The raw canonical JSON of `field`, or an empty view when absent.
  std::string_view Get(std::string_view field) const;
  // The decoded string value of `field`, or "" when absent or not a string.
  std::string GetString(std::string_view field) const;
  int64_t version() const;

  void Set(std::string_view field, std::string raw_json);
  void SetString(std::string_view field, std::string_view text);
  void Erase(std::string_view field);

  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
  bool empty() const { return fields_.empty(); }
  bool operator==(const EntityState&) const = default;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;  // sorted by name
};

}  // namespace keel
