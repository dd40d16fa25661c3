#include "engine/schema/schema_check.h"

#include <type_traits>
#include <vector>

#include "engine/json_time.h"
#include "engine/schema/schema_messages.h"
#include "engine/schema/schema_path.h"
#include "engine/schema/schema_values.h"

namespace keel::schema {

using simdjson::dom::element;

namespace {

constexpr size_t kMaxRenderedJson = 60;

// An object's property name, checked as a string value (propertyNames).
struct PropertyName {
  std::string_view text;
};

// The two kinds of value, seen the same way by the templated checks.
uint8_t TypeBitOfValue(element value) { return TypeBitOf(value); }
uint8_t TypeBitOfValue(PropertyName) { return kStringBit; }
std::string_view StringOf(element value) { return value.get_string().value_unsafe(); }
std::string_view StringOf(PropertyName name) { return name.text; }
bool EqualsLiteral(element value, const nlohmann::json& literal) { return JsonEquals(value, literal); }
bool EqualsLiteral(PropertyName name, const nlohmann::json& literal) {
  return literal.is_string() && literal.get_ref<const std::string&>() == name.text;
}

// A value for a message: 'text', or compact JSON cut short.
std::string Render(PropertyName name) { return Quoted(name.text); }
std::string Render(element value) {
  if (value.type() == simdjson::dom::element_type::STRING) return Quoted(StringOf(value));
  std::string text = simdjson::minify(value);
  if (text.size() > kMaxRenderedJson) text = text.substr(0, kMaxRenderedJson) + "...";
  return text;
}

// Code points in valid UTF-8: every byte that does not continue a sequence.
uint64_t CodePointCount(std::string_view text) {
  uint64_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

// One pass over a value. The fast pass (kExplain false) only answers yes or
// no; the explaining pass runs the same checks, keeps the path, and writes
// the error where the first rule fails. Sharing the code keeps them in step.
template <bool kExplain>
class CheckPass {
 public:
  explicit CheckPass(std::string* error = nullptr) : error_(error) {}

  template <typename Value>
  bool CheckValue(const SchemaNode& node, Value value);

 private:
  using Path = std::conditional_t<kExplain, JsonPath, NoPath>;

  // Keeps the path balanced on every return.
  class Scope {
   public:
    Scope(Path* path, std::string_view key) : path_(path) { path_->PushKey(key); }
    Scope(Path* path, size_t index) : path_(path) { path_->PushIndex(index); }
    ~Scope() { path_->Pop(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Path* path_;
  };

  template <typename Value> bool CheckEnum(const SchemaNode& node, Value value);
  template <typename Value> bool CheckString(const SchemaNode& node, Value value);
  template <typename Value> bool CheckCombinators(const SchemaNode& node, Value value);
  template <typename Value> bool CheckAnyOf(const SchemaNode& node, Value value);
  template <typename Value> bool CheckOneOf(const SchemaNode& node, Value value);
  template <typename Value> bool CheckNot(const SchemaNode& node, Value value);
  template <typename Value>
  bool ExplainNoAlternative(const std::vector<const SchemaNode*>& alternatives, std::string_view keyword,
                            Value value);
  bool CheckLength(const SchemaNode& node, std::string_view text);
  bool CheckFormat(const SchemaNode& node, std::string_view text);
  bool CheckNumber(const SchemaNode& node, element value);
  bool CheckObject(const SchemaNode& node, simdjson::dom::object object);
  bool CheckMember(const SchemaNode& node, std::string_view key, element value, int index);
  bool CheckRequired(const SchemaNode& node, simdjson::dom::object object, uint64_t seen);
  bool CheckArray(const SchemaNode& node, simdjson::dom::array array);
  bool CheckUniqueItems(simdjson::dom::array array);

  // Alternatives that may fail (anyOf, oneOf, not) are tried by a fast pass.
  template <typename Value>
  static bool Try(const SchemaNode& node, Value value) {
    return CheckPass<false>().CheckValue(node, value);
  }

  // Records "path: message" when explaining; returns false either way.
  template <typename Describe>
  bool Fail(Describe&& describe) {
    if constexpr (kExplain) {
      std::string message = describe();
      *error_ = path_.empty() ? std::move(message) : path_.ToString() + ": " + message;
    }
    return false;
  }

  bool AtRoot() const {
    if constexpr (kExplain) return path_.empty();
    return false;  // only messages ask
  }

  Path path_;
  std::string* error_;
};

template <bool kExplain>
template <typename Value>
bool CheckPass<kExplain>::CheckValue(const SchemaNode& node, Value value) {
  if (node.always_invalid) return Fail([] { return std::string("no value is allowed here"); });
  uint8_t type = TypeBitOfValue(value);
  if ((node.types & type) == 0) {
    return Fail([&] { return "expected " + TypeNames(node.types) + ", got " + GotType(type); });
  }
  if (node.has_enum && !CheckEnum(node, value)) return false;
  if (type == kStringBit) {
    if (node.has_string_checks && !CheckString(node, value)) return false;
  } else if constexpr (std::is_same_v<Value, element>) {
    if (type & kNumberBits) {
      if (node.has_number_checks && !CheckNumber(node, value)) return false;
    } else if (type == kObjectBit) {
      if (node.has_object_checks && !CheckObject(node, value.get_object().value_unsafe())) return false;
    } else if (type == kArrayBit) {
      if (node.has_array_checks && !CheckArray(node, value.get_array().value_unsafe())) return false;
    }
  }
  return !node.has_combinators || CheckCombinators(node, value);
}

template <bool kExplain>
template <typename Value>
bool CheckPass<kExplain>::CheckEnum(const SchemaNode& node, Value value) {
  if (node.enum_is_strings) {
    if (TypeBitOfValue(value) == kStringBit) {
      std::string_view text = StringOf(value);
      for (const std::string& allowed : node.enum_strings) {
        if (allowed == text) return true;
      }
    }
  } else {
    for (const nlohmann::json& allowed : node.enum_values) {
      if (EqualsLiteral(value, allowed)) return true;
    }
  }
  return Fail([&] {
    if (node.enum_is_const) return "must be " + node.enum_values.front().dump();
    std::string out = "must be one of ";
    for (size_t i = 0; i < node.enum_values.size(); ++i) {
      if (i > 0) out += ", ";
      out += node.enum_values[i].dump();
    }
    return out + ", got " + Render(value);
  });
}

template <bool kExplain>
template <typename Value>
bool CheckPass<kExplain>::CheckString(const SchemaNode& node, Value value) {
  std::string_view text = StringOf(value);
  if (node.has_length_checks && !CheckLength(node, text)) return false;
  if (node.pattern && !node.pattern->Search(text)) {
    return Fail([&] { return Render(value) + " does not match " + Quoted(node.pattern->source()); });
  }
  if (node.forbidden_pattern && node.forbidden_pattern->Search(text)) {
    return Fail([&] {
      const std::string& reason = *node.forbidden_reason;
      return Render(value) + " " + (reason.empty() ? "must not match the schema in 'not'" : reason);
    });
  }
  return node.format == Format::kNone || CheckFormat(node, text);
}

template <bool kExplain>
bool CheckPass<kExplain>::CheckLength(const SchemaNode& node, std::string_view text) {
  // A code point takes one to four bytes: decide from the byte count when it can.
  if (text.size() / 4 >= node.min_length && text.size() <= node.max_length) return true;
  uint64_t length = CodePointCount(text);
  if (length < node.min_length) {
    return Fail([&] {
      return node.min_length == 1 ? std::string("must not be empty")
                                  : "must be at least " + Counted(node.min_length, "character") + " long";
    });
  }
  if (length > node.max_length) {
    return Fail([&] {
      return "must be at most " + Counted(node.max_length, "character") + " long, got " + std::to_string(length);
    });
  }
  return true;
}

template <bool kExplain>
bool CheckPass<kExplain>::CheckFormat(const SchemaNode& node, std::string_view text) {
  if (node.format == Format::kDateTime) {
    if (TryParseRfc3339Micros(text)) return true;
    return Fail([&] { return "not an RFC 3339 date-time: " + Quoted(text); });
  }
  if (IsRfc3339FullDate(text)) return true;
  return Fail([&] { return "not a full date (YYYY-MM-DD): " + Quoted(text); });
}

template <bool kExplain>
bool CheckPass<kExplain>::CheckNumber(const SchemaNode& node, element value) {
  long double number = NumberOf(value);
  auto fail = [&](const char* relation, double bound) {
    return Fail([&] { return std::string("must be ") + relation + " " + NumberText(bound); });
  };
  if (node.minimum && number < *node.minimum) return fail(">=", *node.minimum);
  if (node.maximum && number > *node.maximum) return fail("<=", *node.maximum);
  if (node.exclusive_minimum && number <= *node.exclusive_minimum) return fail(">", *node.exclusive_minimum);
  if (node.exclusive_maximum && number >= *node.exclusive_maximum) return fail("<", *node.exclusive_maximum);
  return true;
}

template <bool kExplain>
bool CheckPass<kExplain>::CheckObject(const SchemaNode& node, simdjson::dom::object object) {
  uint64_t seen = 0;
  uint64_t count = 0;
  for (simdjson::dom::key_value_pair field : object) {
    ++count;
    int index = node.FindProperty(field.key);
    if (index >= 0 && index < 64) seen |= uint64_t{1} << index;
    if (index < 0 && !node.has_member_catch_all) continue;  // no rule applies to this member
    if (!CheckMember(node, field.key, field.value, index)) return false;
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

// `index`: the member's rule in node.properties, or -1.
template <bool kExplain>
bool CheckPass<kExplain>::CheckMember(const SchemaNode& node, std::string_view key, element value, int index) {
  const PropertyRule* rule = index >= 0 ? &node.properties[index] : nullptr;
  if (node.property_names && (!rule || rule->name_needs_check)) {
    Scope scope(&path_, key);
    if (!CheckValue(*node.property_names, PropertyName{key})) return false;
  }
  bool matched = rule && rule->declared;
  if (matched && rule->schema) {
    Scope scope(&path_, key);
    if (!CheckValue(*rule->schema, value)) return false;
  }
  for (const PatternPropertyRule& pattern_rule : node.pattern_properties) {
    if (!pattern_rule.pattern->Search(key)) continue;
    matched = true;
    Scope scope(&path_, key);
    if (!CheckValue(*pattern_rule.schema, value)) return false;
  }
  if (matched || !node.additional_properties) return true;
  if (node.additional_properties->always_invalid) {
    return Fail([&] { return std::string(AtRoot() ? "unknown attribute " : "unknown property ") + Quoted(key); });
  }
  Scope scope(&path_, key);
  return CheckValue(*node.additional_properties, value);
}

template <bool kExplain>
bool CheckPass<kExplain>::CheckRequired(const SchemaNode& node, simdjson::dom::object object, uint64_t seen) {
  for (size_t i = 0; i < node.properties.size(); ++i) {
    const PropertyRule& rule = node.properties[i];
    if (!rule.required) continue;
    bool present = i < 64 ? (seen >> i) & 1 : !object.at_key(rule.name).error();
    if (present) continue;
    return Fail([&] {
      return std::string(AtRoot() ? "missing required attribute " : "missing required property ") + Quoted(rule.name);
    });
  }
  return true;
}

template <bool kExplain>
bool CheckPass<kExplain>::CheckArray(const SchemaNode& node, simdjson::dom::array array) {
  uint64_t count = 0;
  for (element item : array) {
    if (node.items) {
      Scope scope(&path_, count);
      if (!CheckValue(*node.items, item)) return false;
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

template <bool kExplain>
bool CheckPass<kExplain>::CheckUniqueItems(simdjson::dom::array array) {
  size_t i = 0;
  for (auto first = array.begin(); first != array.end(); ++first, ++i) {
    auto second = first;
    size_t j = i + 1;
    for (++second; second != array.end(); ++second, ++j) {
      if (!JsonEquals(*first, *second)) continue;
      return Fail([&] {
        return "items must be unique, but [" + std::to_string(i) + "] and [" + std::to_string(j) + "] are equal";
      });
    }
  }
  return true;
}

template <bool kExplain>
template <typename Value>
bool CheckPass<kExplain>::CheckCombinators(const SchemaNode& node, Value value) {
  for (const SchemaNode* part : node.all_of) {
    if (!CheckValue(*part, value)) return false;
  }
  if (!node.any_of.empty() && !CheckAnyOf(node, value)) return false;
  if (!node.one_of.empty() && !CheckOneOf(node, value)) return false;
  return !node.negated || CheckNot(node, value);
}

template <bool kExplain>
template <typename Value>
bool CheckPass<kExplain>::CheckAnyOf(const SchemaNode& node, Value value) {
  for (const SchemaNode* alternative : node.any_of) {
    if (Try(*alternative, value)) return true;
  }
  return ExplainNoAlternative(node.any_of, "anyOf", value);
}

template <bool kExplain>
template <typename Value>
bool CheckPass<kExplain>::CheckOneOf(const SchemaNode& node, Value value) {
  int first_match = -1;
  for (size_t i = 0; i < node.one_of.size(); ++i) {
    if (!Try(*node.one_of[i], value)) continue;
    if (first_match >= 0) {
      return Fail([&] {
        return "matches both alternatives " + std::to_string(first_match) + " and " + std::to_string(i) +
               " of 'oneOf', and must match exactly one";
      });
    }
    first_match = static_cast<int>(i);
  }
  return first_match >= 0 || ExplainNoAlternative(node.one_of, "oneOf", value);
}

// Says why no alternative fits: the types they take when none takes this
// value's type, the one alternative's own error when only one does, else
// the alternatives by title.
template <bool kExplain>
template <typename Value>
bool CheckPass<kExplain>::ExplainNoAlternative(const std::vector<const SchemaNode*>& alternatives,
                                               std::string_view keyword, Value value) {
  if constexpr (!kExplain) return false;
  uint8_t type = TypeBitOfValue(value);
  uint8_t accepted_types = 0;
  std::vector<const SchemaNode*> same_type;
  for (const SchemaNode* alternative : alternatives) {
    accepted_types |= alternative->types;
    if (alternative->types & type) same_type.push_back(alternative);
  }
  if (same_type.empty()) {
    return Fail([&] { return "expected " + TypeNames(accepted_types) + ", got " + GotType(type); });
  }
  if (same_type.size() == 1) return CheckValue(*same_type.front(), value);
  return Fail([&] {
    std::string out = Render(value) + " is none of: ";
    for (size_t i = 0; i < alternatives.size(); ++i) {
      const SchemaNode& alternative = *alternatives[i];
      if (i > 0) out += "; ";
      out += !alternative.title.empty()              ? alternative.title
             : alternative.types != kAnyTypeBits ? TypeNames(alternative.types)
                                                  : std::string(keyword) + "[" + std::to_string(i) + "]";
    }
    return out;
  });
}

template <bool kExplain>
template <typename Value>
bool CheckPass<kExplain>::CheckNot(const SchemaNode& node, Value value) {
  if (!Try(*node.negated, value)) return true;
  return Fail([&] {
    const std::string& reason = node.negated->description;
    return Render(value) + " " + (reason.empty() ? "must not match the schema in 'not'" : reason);
  });
}

// Runs the fast pass; when it fails, the explaining pass writes the error.
template <typename Value>
bool CheckWithExplanation(const SchemaNode& node, Value value, std::string* error) {
  if (CheckPass<false>().CheckValue(node, value)) return true;
  error->clear();
  CheckPass<true>(error).CheckValue(node, value);
  if (error->empty()) *error = "invalid (the explaining pass found no error; please report this)";
  return false;
}

}  // namespace

bool Matches(const SchemaNode& node, element value) { return CheckPass<false>().CheckValue(node, value); }

bool SchemaChecker::Check(const SchemaNode& node, element value) {
  return CheckWithExplanation(node, value, &error_);
}

bool SchemaChecker::CheckName(const SchemaNode& node, std::string_view name) {
  return CheckWithExplanation(node, PropertyName{name}, &error_);
}

}  // namespace keel::schema
