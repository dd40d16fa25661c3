#include "engine/schema_check.h"

#include <cstdio>
#include <vector>

#include "engine/json_time.h"
#include "engine/schema_values.h"

namespace keel::schema {

using simdjson::dom::element;

namespace {

constexpr size_t kMaxRenderedChars = 60;

// Keeps the path balanced on every return.
class PathScope {
 public:
  PathScope(JsonPath* path, std::string_view key) : path_(path) { path_->PushKey(key); }
  PathScope(JsonPath* path, size_t index) : path_(path) { path_->PushIndex(index); }
  ~PathScope() { path_->Pop(); }
  PathScope(const PathScope&) = delete;
  PathScope& operator=(const PathScope&) = delete;

 private:
  JsonPath* path_;
};

bool IsPlainKey(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-';
    if (!plain) return false;
  }
  return true;
}

// Appends `text` for a message: control characters and quotes escaped, long
// text cut short.
void AppendEscaped(std::string_view text, char quote, std::string* out) {
  size_t shown = 0;
  for (unsigned char c : text) {
    if (shown >= kMaxRenderedChars && (c & 0xC0) != 0x80) {
      *out += "...";
      return;
    }
    if ((c & 0xC0) != 0x80) ++shown;
    if (c < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      *out += escaped;
    } else if (c == static_cast<unsigned char>(quote)) {
      *out += '\\';
      *out += static_cast<char>(c);
    } else {
      *out += static_cast<char>(c);
    }
  }
}

std::string Quoted(std::string_view text) {
  std::string out = "'";
  AppendEscaped(text, '\'', &out);
  out += "'";
  return out;
}

std::string NumberText(double number) {
  std::string text = nlohmann::json(number).dump();
  if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0) text.resize(text.size() - 2);
  return text;
}

// The type a message reports: "number" for integers too, as users see no difference.
std::string GotType(uint8_t type) { return TypeNames(type & kNumberBits ? kNumberBits : type); }

// "1 item", "3 items".
std::string Counted(uint64_t count, const char* noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

// Code points in valid UTF-8: every byte that does not continue a sequence.
uint64_t CodePointCount(std::string_view text) {
  uint64_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

}  // namespace

uint8_t CheckedValue::type_bit() const {
  return is_name_ ? static_cast<uint8_t>(kStringBit) : TypeBitOf(element_);
}

std::string_view CheckedValue::string() const {
  return is_name_ ? name_ : element_.get_string().value_unsafe();
}

void JsonPath::PushKey(std::string_view key) {
  if (depth_ < kMaxDepth) segments_[depth_] = {key, 0, false};
  ++depth_;
}

void JsonPath::PushIndex(size_t index) {
  if (depth_ < kMaxDepth) segments_[depth_] = {{}, index, true};
  ++depth_;
}

std::string JsonPath::ToString() const {
  std::string out;
  for (size_t i = 0; i < depth_ && i < kMaxDepth; ++i) {
    const Segment& segment = segments_[i];
    if (segment.is_index) {
      out += "[" + std::to_string(segment.index) + "]";
    } else if (IsPlainKey(segment.key)) {
      if (!out.empty()) out += '.';
      out += segment.key;
    } else {
      out += "[\"";
      AppendEscaped(segment.key, '"', &out);
      out += "\"]";
    }
  }
  if (depth_ > kMaxDepth) out += "...";
  return out;
}

std::string TypeNames(uint8_t type_bits) {
  static constexpr std::pair<uint8_t, const char*> kNames[] = {
      {kObjectBit, "object"}, {kArrayBit, "array"},     {kStringBit, "string"},
      {kNumberBits, "number"}, {kIntegerBit, "integer"}, {kBooleanBit, "boolean"},
      {kNullBit, "null"}};
  std::vector<const char*> names;
  for (auto [bits, name] : kNames) {
    if ((type_bits & bits) == bits) {
      names.push_back(name);
      type_bits &= ~bits;
    }
  }
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

std::string RenderValue(CheckedValue value) {
  if (value.type_bit() == kStringBit) return Quoted(value.string());
  std::string text = simdjson::minify(value.element());
  if (text.size() > kMaxRenderedChars) text = text.substr(0, kMaxRenderedChars) + "...";
  return text;
}

void SchemaChecker::SetError(std::string message) {
  error_ = path_.empty() ? std::move(message) : path_.ToString() + ": " + message;
}

bool SchemaChecker::Try(const SchemaNode& node, CheckedValue value) {
  bool was_explaining = explaining_;
  explaining_ = false;
  bool ok = Check(node, value);
  explaining_ = was_explaining;
  return ok;
}

bool SchemaChecker::Check(const SchemaNode& node, CheckedValue value) {
  if (&node == already_checked_ && path_.empty()) return true;
  if (node.always_invalid) return Fail([] { return std::string("no value is allowed here"); });
  uint8_t type = value.type_bit();
  if ((node.types & type) == 0) {
    return Fail([&] {
      return "expected " + TypeNames(node.types) + ", got " +
             GotType(type);
    });
  }
  if (node.has_enum && !CheckEnum(node, value)) return false;
  if (type == kStringBit) {
    if (node.has_string_checks && !CheckString(node, value)) return false;
  } else if (type & kNumberBits) {
    if (node.has_number_checks && !CheckNumber(node, value)) return false;
  } else if (type == kObjectBit) {
    if (node.has_object_checks && !CheckObject(node, value.element().get_object().value_unsafe())) {
      return false;
    }
  } else if (type == kArrayBit) {
    if (node.has_array_checks && !CheckArray(node, value.element().get_array().value_unsafe())) {
      return false;
    }
  }
  return !node.has_combinators || CheckCombinators(node, value);
}

bool SchemaChecker::CheckEnum(const SchemaNode& node, CheckedValue value) {
  for (const nlohmann::json& allowed : node.enum_values) {
    bool equal = value.is_name() ? allowed.is_string() &&
                                       allowed.get_ref<const std::string&>() == value.string()
                                 : JsonEquals(value.element(), allowed);
    if (equal) return true;
  }
  return Fail([&] {
    if (node.enum_is_const) return "must be " + node.enum_values.front().dump();
    std::string out = "must be one of ";
    for (size_t i = 0; i < node.enum_values.size(); ++i) {
      if (i > 0) out += ", ";
      out += node.enum_values[i].dump();
    }
    return out + ", got " + RenderValue(value);
  });
}

bool SchemaChecker::CheckString(const SchemaNode& node, CheckedValue value) {
  std::string_view text = value.string();
  if (!CheckLength(node, text)) return false;
  if (node.pattern && !node.pattern->Search(text)) {
    return Fail([&] {
      return RenderValue(value) + " does not match " + Quoted(node.pattern->source());
    });
  }
  return node.format == Format::kNone || CheckFormat(node, text);
}

bool SchemaChecker::CheckLength(const SchemaNode& node, std::string_view text) {
  // A code point takes one to four bytes: decide from the byte count when it can.
  bool min_ok = text.size() / 4 >= node.min_length;
  bool max_ok = text.size() <= node.max_length;
  if (min_ok && max_ok) return true;
  uint64_t length = CodePointCount(text);
  if (length < node.min_length) {
    return Fail([&] {
      return node.min_length == 1 ? std::string("must not be empty")
                                  : "must be at least " + std::to_string(node.min_length) +
                                        " characters long";
    });
  }
  if (length > node.max_length) {
    return Fail([&] {
      return "must be at most " + std::to_string(node.max_length) + " characters long, got " +
             std::to_string(length);
    });
  }
  return true;
}

bool SchemaChecker::CheckFormat(const SchemaNode& node, std::string_view text) {
  if (node.format == Format::kDateTime) {
    if (TryParseRfc3339Micros(text)) return true;
    return Fail([&] { return "not an RFC 3339 date-time: " + Quoted(text); });
  }
  if (IsRfc3339FullDate(text)) return true;
  return Fail([&] { return "not a full date (YYYY-MM-DD): " + Quoted(text); });
}

bool SchemaChecker::CheckNumber(const SchemaNode& node, CheckedValue value) {
  long double number = NumberOf(value.element());
  auto fail = [&](const char* relation, double bound) {
    return Fail([&] { return std::string("must be ") + relation + " " + NumberText(bound); });
  };
  if (node.minimum && number < *node.minimum) return fail(">=", *node.minimum);
  if (node.maximum && number > *node.maximum) return fail("<=", *node.maximum);
  if (node.exclusive_minimum && number <= *node.exclusive_minimum) return fail(">", *node.exclusive_minimum);
  if (node.exclusive_maximum && number >= *node.exclusive_maximum) return fail("<", *node.exclusive_maximum);
  return true;
}

bool SchemaChecker::CheckObject(const SchemaNode& node, simdjson::dom::object object) {
  uint64_t seen = 0;
  uint64_t count = 0;
  for (simdjson::dom::key_value_pair field : object) {
    ++count;
    if (!CheckMember(node, field.key, field.value, &seen)) return false;
  }
  if (count < node.min_properties) {
    return Fail([&] { return "must have at least " + Counted(node.min_properties, "member"); });
  }
  if (count > node.max_properties) {
    return Fail([&] { return "must have at most " + Counted(node.max_properties, "member"); });
  }
  if ((seen & node.required_mask) != node.required_mask || node.required_beyond_mask) {
    return CheckRequired(node, object, seen);
  }
  return true;
}

bool SchemaChecker::CheckMember(const SchemaNode& node, std::string_view key, element value,
                                uint64_t* seen) {
  int index = node.FindProperty(key);
  const PropertyRule* rule = index >= 0 ? &node.properties[index] : nullptr;
  if (rule && index < 64) *seen |= uint64_t{1} << index;
  if (node.property_names && (!rule || rule->name_needs_check) &&
      !CheckPropertyName(*node.property_names, key)) {
    return false;
  }
  bool matched = rule && rule->declared;
  if (matched && rule->schema) {
    PathScope scope(&path_, key);
    if (!Check(*rule->schema, value)) return false;
  }
  for (const PatternPropertyRule& pattern_rule : node.pattern_properties) {
    if (!pattern_rule.pattern->Search(key)) continue;
    matched = true;
    PathScope scope(&path_, key);
    if (!Check(*pattern_rule.schema, value)) return false;
  }
  if (matched || !node.additional_properties) return true;
  if (node.additional_properties->always_invalid) {
    return Fail([&] {
      return std::string(path_.empty() ? "unknown attribute " : "unknown property ") + Quoted(key);
    });
  }
  PathScope scope(&path_, key);
  return Check(*node.additional_properties, value);
}

bool SchemaChecker::CheckPropertyName(const SchemaNode& names, std::string_view key) {
  PathScope scope(&path_, key);
  return Check(names, CheckedValue::Name(key));
}

bool SchemaChecker::CheckRequired(const SchemaNode& node, simdjson::dom::object object,
                                  uint64_t seen) {
  for (size_t i = 0; i < node.properties.size(); ++i) {
    const PropertyRule& rule = node.properties[i];
    if (!rule.required) continue;
    bool present = i < 64 ? (seen >> i) & 1 : !object.at_key(rule.name).error();
    if (present) continue;
    return Fail([&] {
      return std::string(path_.empty() ? "missing required attribute " : "missing required property ") +
             Quoted(rule.name);
    });
  }
  return true;
}

bool SchemaChecker::CheckArray(const SchemaNode& node, simdjson::dom::array array) {
  uint64_t count = 0;
  for (element item : array) {
    if (node.items) {
      PathScope scope(&path_, count);
      if (!Check(*node.items, item)) return false;
    }
    ++count;
  }
  if (count < node.min_items) {
    return Fail([&] { return "must have at least " + Counted(node.min_items, "item"); });
  }
  if (count > node.max_items) {
    return Fail([&] { return "must have at most " + Counted(node.max_items, "item"); });
  }
  return !node.unique_items || CheckUniqueItems(array);
}

bool SchemaChecker::CheckUniqueItems(simdjson::dom::array array) {
  size_t i = 0;
  for (auto first = array.begin(); first != array.end(); ++first, ++i) {
    auto second = first;
    size_t j = i + 1;
    for (++second; second != array.end(); ++second, ++j) {
      if (JsonEquals(*first, *second)) {
        return Fail([&] {
          return "items must be unique, but [" + std::to_string(i) + "] and [" + std::to_string(j) +
                 "] are equal";
        });
      }
    }
  }
  return true;
}

bool SchemaChecker::CheckCombinators(const SchemaNode& node, CheckedValue value) {
  for (const SchemaNode* part : node.all_of) {
    if (!Check(*part, value)) return false;
  }
  if (!node.any_of.empty() && !CheckAnyOf(node, value)) return false;
  if (!node.one_of.empty() && !CheckOneOf(node, value)) return false;
  return !node.negated || CheckNot(node, value);
}

bool SchemaChecker::CheckAnyOf(const SchemaNode& node, CheckedValue value) {
  for (const SchemaNode* alternative : node.any_of) {
    if (Try(*alternative, value)) return true;
  }
  return ExplainNoAlternative(node.any_of, "anyOf", value);
}

bool SchemaChecker::CheckOneOf(const SchemaNode& node, CheckedValue value) {
  int first_match = -1;
  for (size_t i = 0; i < node.one_of.size(); ++i) {
    if (!Try(*node.one_of[i], value)) continue;
    if (first_match >= 0) {
      return Fail([&] {
        return "matches both alternatives " + std::to_string(first_match) + " and " +
               std::to_string(i) + " of 'oneOf', and must match exactly one";
      });
    }
    first_match = static_cast<int>(i);
  }
  return first_match >= 0 || ExplainNoAlternative(node.one_of, "oneOf", value);
}

// Says why no alternative fits: the types they take when none takes this
// value's type, the one alternative's own error when only one does, else
// the alternatives by title.
bool SchemaChecker::ExplainNoAlternative(const std::vector<const SchemaNode*>& alternatives,
                                         std::string_view keyword, CheckedValue value) {
  if (!explaining_) return false;
  uint8_t type = value.type_bit();
  uint8_t accepted_types = 0;
  std::vector<const SchemaNode*> same_type;
  for (const SchemaNode* alternative : alternatives) {
    accepted_types |= alternative->types;
    if (alternative->types & type) same_type.push_back(alternative);
  }
  if (same_type.empty()) {
    return Fail([&] {
      return "expected " + TypeNames(accepted_types) + ", got " +
             GotType(type);
    });
  }
  if (same_type.size() == 1) return Check(*same_type.front(), value);
  return Fail([&] {
    std::string out = RenderValue(value) + " is none of: ";
    for (size_t i = 0; i < alternatives.size(); ++i) {
      const SchemaNode& alternative = *alternatives[i];
      if (i > 0) out += "; ";
      out += !alternative.title.empty() ? alternative.title
             : alternative.types != kAnyTypeBits ? TypeNames(alternative.types)
                                                  : std::string(keyword) + "[" + std::to_string(i) + "]";
    }
    return out;
  });
}

bool SchemaChecker::CheckNot(const SchemaNode& node, CheckedValue value) {
  if (!Try(*node.negated, value)) return true;
  return Fail([&] {
    const std::string& reason = node.negated->description;
    return RenderValue(value) + " " + (reason.empty() ? "must not match the schema in 'not'" : reason);
  });
}

}  // namespace keel::schema
