// SchemaNode: one compiled (sub)schema. Nodes are built by SchemaCompiler,
// owned by SchemaStore, immutable afterwards, and point at each other ($ref,
// subschemas) with plain pointers, so recursive schemas are just cycles.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/schema_pattern.h"

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
  std::unique_ptr<Pattern> pattern;
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

  // Strings. Lengths count Unicode code points.
  uint64_t min_length = 0;
  uint64_t max_length = kNoLimit;
  std::unique_ptr<Pattern> pattern;
  Format format = Format::kNone;

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
  bool has_number_checks = false;
  bool has_object_checks = false;
  bool has_array_checks = false;
  bool has_combinators = false;

  // The index in `properties` of `name`, or -1.
  int FindProperty(std::string_view name) const {
    for (size_t i = 0; i < properties.size(); ++i) {
      const std::string& candidate = properties[i].name;
      if (candidate.size() == name.size() && candidate == name) return static_cast<int>(i);
    }
    return -1;
  }
};

}  // namespace keel::schema
