// FromJson and ToJson: how event and entity JSON becomes CEL values, and how
// template results become JSON again.
#include <cmath>
#include <optional>

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "engine/utf8.h"
#include "rules/cel/json_selected.h"
#include "rules/cel/time_values.h"
#include "rules/cel/value_internal.h"

namespace keel::cel {
namespace {


std::string KeyText(const Value& key) {
  switch (key.kind()) {
    case Kind::kString: return std::string(key.AsString());
    case Kind::kInt: return std::to_string(key.AsInt());
    case Kind::kUint: return std::to_string(key.AsUint());
    case Kind::kBool: return key.AsBool() ? "true" : "false";
    default: return key.DebugString();
  }
}

}  // namespace

Value FromJson(const nlohmann::json& json) {
  switch (json.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return Value::Null();
    case nlohmann::json::value_t::boolean:
      return Value::Bool(json.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value::Int(json.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = json.get<uint64_t>();
      return u <= static_cast<uint64_t>(INT64_MAX) ? Value::Int(static_cast<int64_t>(u)) : Value::Uint(u);
    }
    case nlohmann::json::value_t::number_float:
      return Value::Double(json.get<double>());
    case nlohmann::json::value_t::string:
      return Value::String(json.get_ref<const std::string&>());
    case nlohmann::json::value_t::binary: {
      const auto& b = json.get_binary();
      return Value::Bytes(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
    }
    case nlohmann::json::value_t::array: {
      std::vector<Value> items;
      items.reserve(json.size());
      for (const auto& item : json) items.push_back(FromJson(item));
      return Value::List(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      std::vector<MapEntry> entries;
      entries.reserve(json.size());
      for (const auto& [key, value] : json.items()) entries.emplace_back(Value::String(key), FromJson(value));
      // JSON object keys are unique strings, so this cannot fail.
      return MakeMap(std::move(entries), nullptr);
    }
  }
  return Value::Null();
}

namespace {

// `replace` applies to the members of this object only, not nested ones.
Result<Value> FromElement(simdjson::dom::element element, std::string_view replace_key = {},
                          const Value* replacement = nullptr) {
  using simdjson::dom::element_type;
  switch (element.type()) {
    case element_type::NULL_VALUE:
      return Value::Null();
    case element_type::BOOL:
      return Value::Bool(element.get_bool().value_unsafe());
    case element_type::INT64:
      return Value::Int(element.get_int64().value_unsafe());
    case element_type::UINT64:  // above int64's range
      return Value::Uint(element.get_uint64().value_unsafe());
    case element_type::DOUBLE:
      return Value::Double(element.get_double().value_unsafe());
    case element_type::STRING:
      return Value::String(element.get_string().value_unsafe());
    case element_type::ARRAY: {
      std::vector<Value> items;
      simdjson::dom::array array;
      if (element.get_array().get(array)) return Value::Null();
      for (simdjson::dom::element item : array) {
        KEEL_ASSIGN_OR_RETURN(Value value, FromElement(item));
        items.push_back(std::move(value));
      }
      return Value::List(std::move(items));
    }
    case element_type::OBJECT: {
      simdjson::dom::object object;
      if (element.get_object().get(object)) return Value::Null();
      std::vector<MapEntry> entries;
      entries.reserve(object.size());
      // Keys in strictly ascending order (canonical JSON, what the log
      // holds) cannot repeat: the map is built without looking for repeats.
      bool ascending = true;
      std::string_view previous;
      for (auto member : object) {
        std::string_view key = member.key;
        ascending = ascending && (entries.empty() || previous < key);
        previous = key;
        if (replacement != nullptr && key == replace_key) {
          entries.emplace_back(Value::String(key), *replacement);
          continue;
        }
        KEEL_ASSIGN_OR_RETURN(Value value, FromElement(member.value));
        entries.emplace_back(Value::String(key), std::move(value));
      }
      if (ascending) return MakeMapOfUniqueKeys(std::move(entries));
      return Value::Map(std::move(entries));
    }
    default:
      return Value::Null();
  }
}

// A string literal with nothing to unescape, as most member values the
// reactor reads are (ids, actors, statuses): its bytes between the quotes
// are the string. Nullopt for anything else, which the parser handles.
std::optional<Value> PlainStringLiteral(std::string_view text) {
  if (text.size() < 2 || text.front() != '"' || text.back() != '"') return std::nullopt;
  std::string_view inner = text.substr(1, text.size() - 2);
  for (char c : inner) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return std::nullopt;
  }
  if (!IsValidUtf8(inner)) return std::nullopt;  // the parser reports it
  return Value::String(inner);
}

}  // namespace

Result<Value> FromJsonText(std::string_view text, std::string_view replace_key, const Value* replacement) {
  if (std::optional<Value> plain = PlainStringLiteral(text)) return *std::move(plain);
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(text.data(), text.size()).get(root)) {
    return Status::InvalidArgument(std::string("not JSON: ") + simdjson::error_message(error));
  }
  return FromElement(root, replace_key, replacement);
}

namespace {

Result<Value> FromSelected(simdjson::dom::element element, const JsonPathTree& tree) {
  simdjson::dom::object object;
  if (tree.whole || element.get_object().get(object)) return FromElement(element);
  std::vector<MapEntry> entries;
  for (auto member : object) {
    auto it = tree.members.find(std::string_view(member.key));
    if (it == tree.members.end()) continue;
    KEEL_ASSIGN_OR_RETURN(Value value, FromSelected(member.value, it->second));
    entries.emplace_back(Value::String(member.key), std::move(value));
  }
  return Value::Map(std::move(entries));
}

}  // namespace

Result<Value> FromJsonTextSelected(std::string_view text, const JsonPathTree& tree) {
  if (tree.whole) return FromJsonText(text);
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(text.data(), text.size()).get(root)) {
    return Status::InvalidArgument(std::string("not JSON: ") + simdjson::error_message(error));
  }
  return FromSelected(root, tree);
}

nlohmann::json ToJson(const Value& value) {
  switch (value.kind()) {
    case Kind::kNull:
    case Kind::kError:
    case Kind::kDyn:
      return nullptr;
    case Kind::kBool:
      return value.AsBool();
    case Kind::kInt:
      return value.AsInt();
    case Kind::kUint:
      return value.AsUint();
    case Kind::kDouble: {
      double d = value.AsDouble();
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
      return d;
    }
    case Kind::kString:
      return std::string(value.AsString());
    case Kind::kBytes:
      return Base64Encode(value.AsString());
    case Kind::kList: {
      nlohmann::json out = nlohmann::json::array();
      for (const Value& item : value.ListItems()) out.push_back(ToJson(item));
      return out;
    }
    case Kind::kMap: {
      nlohmann::json out = nlohmann::json::object();
      for (const MapEntry& e : value.MapEntries()) out[KeyText(e.first)] = ToJson(e.second);
      return out;
    }
    case Kind::kTimestamp:
      return FormatTimestamp(value.TimestampSeconds(), value.TimestampNanos());
    case Kind::kDuration:
      return FormatDuration(value.DurationNanos());
    case Kind::kType:
      return std::string(KindName(value.AsType()));
    case Kind::kOptional:
      return value.OptionalHasValue() ? ToJson(value.OptionalValue()) : nlohmann::json();
  }
  return nullptr;
}

}  // namespace keel::cel
