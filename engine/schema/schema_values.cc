#include "engine/schema/schema_values.h"

#include <cmath>

#include "engine/schema/schema_node.h"

namespace keel::schema {

using simdjson::dom::element;
using simdjson::dom::element_type;

long double NumberOf(element number) {
  switch (number.type()) {
    case element_type::INT64: return static_cast<long double>(number.get_int64().value_unsafe());
    case element_type::UINT64: return static_cast<long double>(number.get_uint64().value_unsafe());
    default: return static_cast<long double>(number.get_double().value_unsafe());
  }
}

namespace {

long double NumberOf(const nlohmann::json& number) {
  if (number.is_number_unsigned()) return static_cast<long double>(number.get<uint64_t>());
  if (number.is_number_integer()) return static_cast<long double>(number.get<int64_t>());
  return static_cast<long double>(number.get<double>());
}

bool ArraysEqual(simdjson::dom::array a, const nlohmann::json& b) {
  if (a.size() != b.size()) return false;
  size_t i = 0;
  for (element item : a) {
    if (!JsonEquals(item, b[i++])) return false;
  }
  return true;
}

bool ObjectsEqual(simdjson::dom::object a, const nlohmann::json& b) {
  size_t count = 0;
  for (auto field : a) {
    auto found = b.find(field.key);
    if (found == b.end() || !JsonEquals(field.value, *found)) return false;
    ++count;
  }
  return count == b.size();
}

bool ArraysEqual(simdjson::dom::array a, simdjson::dom::array b) {
  if (a.size() != b.size()) return false;
  auto other = b.begin();
  for (element item : a) {
    if (!JsonEquals(item, *other)) return false;
    ++other;
  }
  return true;
}

bool ObjectsEqual(simdjson::dom::object a, simdjson::dom::object b) {
  size_t a_count = 0, b_count = 0;
  for (auto field : a) {
    element other;
    if (b.at_key(field.key).get(other) || !JsonEquals(field.value, other)) return false;
    ++a_count;
  }
  for ([[maybe_unused]] auto field : b) ++b_count;
  return a_count == b_count;
}

}  // namespace

bool JsonEquals(element a, const nlohmann::json& b) {
  switch (a.type()) {
    case element_type::NULL_VALUE: return b.is_null();
    case element_type::BOOL: return b.is_boolean() && a.get_bool().value_unsafe() == b.get<bool>();
    case element_type::STRING:
      return b.is_string() && a.get_string().value_unsafe() == b.get_ref<const std::string&>();
    case element_type::ARRAY: return b.is_array() && ArraysEqual(a.get_array().value_unsafe(), b);
    case element_type::OBJECT: return b.is_object() && ObjectsEqual(a.get_object().value_unsafe(), b);
    default: return b.is_number() && NumberOf(a) == NumberOf(b);
  }
}

bool JsonEquals(element a, element b) {
  uint8_t type = TypeBitOf(a);
  if ((type & kNumberBits) && (TypeBitOf(b) & kNumberBits)) return NumberOf(a) == NumberOf(b);
  if (type != TypeBitOf(b)) return false;
  switch (a.type()) {
    case element_type::NULL_VALUE: return true;
    case element_type::BOOL: return a.get_bool().value_unsafe() == b.get_bool().value_unsafe();
    case element_type::STRING: return a.get_string().value_unsafe() == b.get_string().value_unsafe();
    case element_type::ARRAY: return ArraysEqual(a.get_array().value_unsafe(), b.get_array().value_unsafe());
    case element_type::OBJECT:
      return ObjectsEqual(a.get_object().value_unsafe(), b.get_object().value_unsafe());
    default: return false;
  }
}

}  // namespace keel::schema
