// Comparing JSON values the way JSON Schema does (enum, const, uniqueItems):
// numbers by value (1 == 1.0), objects regardless of member order.
#pragma once

#include <cmath>
#include <cstdint>

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "engine/schema/schema_node.h"

namespace keel::schema {

// The TypeBit (schema_node.h) of a parsed value. Inline: it runs for every value checked.
inline uint8_t TypeBitOf(simdjson::dom::element value) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::ARRAY: return kArrayBit;
    case element_type::OBJECT: return kObjectBit;
    case element_type::INT64:
    case element_type::UINT64: return kIntegerBit;
    case element_type::DOUBLE: {
      double number = value.get_double().value_unsafe();
      return std::trunc(number) == number ? kIntegerBit : kFractionBit;  // 1.0 is an integer
    }
    case element_type::STRING: return kStringBit;
    case element_type::BOOL: return kBooleanBit;
    case element_type::NULL_VALUE: return kNullBit;
  }
  return 0;
}

// A number as long double: exact for every int64, uint64 and double on the
// x86-64 80-bit format, so comparisons between them are exact too.
long double NumberOf(simdjson::dom::element number);

bool JsonEquals(simdjson::dom::element a, const nlohmann::json& b);
bool JsonEquals(simdjson::dom::element a, simdjson::dom::element b);

}  // namespace keel::schema
