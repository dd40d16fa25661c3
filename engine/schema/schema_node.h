// SchemaNode: one compiled (sub)schema. Nodes are built by SchemaCompiler and
// owned by SchemaStore; they are immutable once loading ends (FinishNodes is
// its last step). They point at each other ($ref, subschemas) with plain
// pointers, so recursive schemas are just cycles.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/schema/schema_pattern.h"

namespace keel::schema {

// JSON Schema's types, a bit each, so that a `type` list is a mask. A number
// is an integer when it has no fractional part (1.0 is an integer).
enum TypeBit : uint8_t {
  kNullBit = 1,
  kBooleanBit = 2,
  kIntegerBit = 4,
  kFractionBit = 8,  // a number that is not an integer
  kStringBit = 16,
  kArrayBit = 32,
  kObjectBit = 64,
};
inline constexpr uint8_t kNumberBits = kIntegerBit | kFractionBit;
inline constexpr uint8_t kAnyTypeBits = 127;

enum class Format : uint8_t { kNone, kDateTime, kDate };

inline constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();

struct SchemaNode;

struct PropertyRule {
  std::string name;
  const SchemaNode* schema = nullptr;  // nullptr: listed in `required` only
  bool declared = false;               // named in `properties`
  bool required = false;
  // False when `name` is known to satisfy the object's propertyNames, so the
  // checker skips that check for it (set by SchemaStore::FinishNodes).
  bool name_needs_check = true;
};

struct PatternPropertyRule {
  std::shared_ptr<const Pattern> pattern;
  const SchemaNode* schema = nullptr;
};

struct SchemaNode {
  std::string location;  // "events/task.created.schema.json#/allOf/1", for diagnostics
  std::string title;
  std::string description;
  bool always_invalid = false;  // the `false` schema

  uint8_t types = kAnyTypeBits;
  bool has_enum = false;
  bool enum_is_const = false;
  std::vector<nlohmann::json> enum_values;

  // Strings only, precomputed from enum_values when every value is a string.
  bool enum_is_strings = false;
  std::vector<std::string> enum_strings;

  // Strings. Lengths count Unicode code points.
  uint64_t min_length = 0;
  uint64_t max_length = kNoLimit;
  std::shared_ptr<const Pattern> pattern;
  Format format = Format::kNone;
  // `not: {pattern: P}` beside `type: string`, folded in by SchemaStore::
  // FinishNodes: the string must not match P; the reason is the not-schema's
  // description.
  std::shared_ptr<const Pattern> forbidden_pattern;
  const std::string* forbidden_reason = nullptr;

  // Numbers.
  std::optional<double> minimum, maximum, exclusive_minimum, exclusive_maximum;

  // Objects.
  std::vector<PropertyRule> properties;
  uint64_t required_mask = 0;  // bit i: properties[i].required (first 64 rules)
  bool required_beyond_mask = false;
  std::vector<PatternPropertyRule> pattern_properties;
  const SchemaNode* additional_properties = nullptr;  // nullptr: anything goes
  const SchemaNode* property_names = nullptr;
  uint64_t min_properties = 0;
  uint64_t max_properties = kNoLimit;

  // Arrays.
  const SchemaNode* items = nullptr;
  uint64_t min_items = 0;
  uint64_t max_items = kNoLimit;
  bool unique_items = false;

  // Combinators.
  std::vector<const SchemaNode*> all_of, any_of, one_of;
  const SchemaNode* negated = nullptr;  // `not`

  // Which groups of checks are present, so the checker skips the rest.
  bool has_string_checks = false;
  bool has_length_checks = false;
  bool has_number_checks = false;
  bool has_object_checks = false;
  bool has_array_checks = false;
  bool has_combinators = false;
  // A rule that can apply to any member (propertyNames, patternProperties,
  // additionalProperties); without one, members not in `properties` are skipped.
  bool has_member_catch_all = false;

  // (length, first byte, last byte) of each name in `properties`: a lookup
  // compares these integers and runs memcmp only on a likely hit.
  std::vector<uint32_t> name_keys;
  // With more than a few properties, an open-addressing table of indexes
  // into `properties` (-1: empty slot) replaces the linear scan.
  std::vector<int16_t> property_slots;

  // The index in `properties` of `name`, or -1. Inlined: it runs once per
  // member of every validated object, and a call costs as much as the lookup.
  [[gnu::always_inline]] int FindProperty(std::string_view name) const {
    uint32_t key = NameKey(name);
    if (property_slots.empty()) {
      const uint32_t* keys = name_keys.data();
      for (size_t i = 0, count = name_keys.size(); i < count; ++i) {
        if (keys[i] == key && SameName(properties[i].name, name)) return static_cast<int>(i);
      }
      return -1;
    }
    size_t mask = property_slots.size() - 1;
    for (size_t slot = (key * 0x9E3779B1u) >> 16 & mask;; slot = (slot + 1) & mask) {
      int index = property_slots[slot];
      if (index < 0 || (name_keys[index] == key && SameName(properties[index].name, name))) return index;
    }
  }

  // Builds name_keys and property_slots once `properties` is complete.
  void IndexProperties() {
    constexpr size_t kLinearScanLimit = 8;
    name_keys.clear();
    property_slots.clear();
    for (const PropertyRule& rule : properties) name_keys.push_back(NameKey(rule.name));
    if (properties.size() <= kLinearScanLimit) return;
    size_t size = 1;
    while (size < properties.size() * 4) size *= 2;  // at most a quarter full: short probes
    property_slots.assign(size, -1);
    for (size_t i = 0; i < properties.size(); ++i) {
      size_t slot = (name_keys[i] * 0x9E3779B1u) >> 16 & (size - 1);
      while (property_slots[slot] >= 0) slot = (slot + 1) & (size - 1);
      property_slots[slot] = static_cast<int16_t>(i);
    }
  }

  // Length, first and last byte: enough to tell field names apart cheaply.
  static uint32_t NameKey(std::string_view name) {
    if (name.empty()) return 0;
    uint32_t length = static_cast<uint32_t>(std::min<size_t>(name.size(), 0xFFFF));
    return length << 16 | static_cast<uint32_t>(static_cast<unsigned char>(name.front())) << 8 |
           static_cast<unsigned char>(name.back());
  }

  static bool SameName(const std::string& candidate, std::string_view name) {
    return candidate.size() == name.size() && std::memcmp(candidate.data(), name.data(), name.size()) == 0;
  }
};

// Sets the has_* flags from the checks a node holds.
void SetCheckGroups(SchemaNode* node);

}  // namespace keel::schema
