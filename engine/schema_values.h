// Comparing JSON values the way JSON Schema does (enum, const, uniqueItems):
// numbers by value (1 == 1.0), objects regardless of member order.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>
#include <simdjson.h>

namespace keel::schema {

// The TypeBit (schema_node.h) of a parsed value.
uint8_t TypeBitOf(simdjson::dom::element value);

// A number as long double: exact for every int64, uint64 and double on the
// x86-64 80-bit format, so comparisons between them are exact too.
long double NumberOf(simdjson::dom::element number);

bool JsonEquals(simdjson::dom::element a, const nlohmann::json& b);
bool JsonEquals(simdjson::dom::element a, simdjson::dom::element b);

}  // namespace keel::schema
