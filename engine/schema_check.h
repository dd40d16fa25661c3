// SchemaChecker: validates a parsed JSON value against compiled SchemaNodes.
// A valid value costs no allocation: the path is a stack of views into the
// value, and error text is built only when a check fails.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "engine/schema_node.h"

namespace keel::schema {

// The value being checked: an element of the document, or an object's
// property name, which propertyNames checks as a string.
class CheckedValue {
 public:
  explicit CheckedValue(simdjson::dom::element element) : element_(element) {}
  static CheckedValue Name(std::string_view name) {
    CheckedValue value;
    value.name_ = name;
    value.is_name_ = true;
    return value;
  }

  bool is_name() const { return is_name_; }
  simdjson::dom::element element() const { return element_; }  // REQUIRES: !is_name()
  uint8_t type_bit() const;
  std::string_view string() const;  // REQUIRES: a string

 private:
  CheckedValue() = default;
  simdjson::dom::element element_;
  std::string_view name_;
  bool is_name_ = false;
};

// Where the checker is in the document: "data.changes.title", "data.labels[2]".
class JsonPath {
 public:
  void PushKey(std::string_view key);
  void PushIndex(size_t index);
  void Pop() { --depth_; }
  bool empty() const { return depth_ == 0; }
  std::string ToString() const;

 private:
  struct Segment {
    std::string_view key;
    size_t index;
    bool is_index;
  };
  static constexpr size_t kMaxDepth = 48;  // deeper segments are counted, not shown
  std::array<Segment, kMaxDepth> segments_;
  size_t depth_ = 0;
};

// One checker per validation; not for concurrent use (make one per call).
class SchemaChecker {
 public:
  // `already_checked`: a node the caller has checked against the root value
  // (the envelope), skipped when the schema meets it there again.
  explicit SchemaChecker(const SchemaNode* already_checked = nullptr)
      : already_checked_(already_checked) {}

  // True when `value` satisfies `node`; otherwise false, and error() names
  // the path and the broken rule.
  bool Check(const SchemaNode& node, CheckedValue value);
  bool Check(const SchemaNode& node, simdjson::dom::element value) {
    return Check(node, CheckedValue(value));
  }
  const std::string& error() const { return error_; }

 private:
  bool CheckString(const SchemaNode& node, CheckedValue value);
  bool CheckLength(const SchemaNode& node, std::string_view text);
  bool CheckFormat(const SchemaNode& node, std::string_view text);
  bool CheckNumber(const SchemaNode& node, CheckedValue value);
  bool CheckObject(const SchemaNode& node, simdjson::dom::object object);
  bool CheckMember(const SchemaNode& node, std::string_view key, simdjson::dom::element value,
                   uint64_t* seen);
  bool CheckPropertyName(const SchemaNode& names, std::string_view key);
  bool CheckRequired(const SchemaNode& node, simdjson::dom::object object, uint64_t seen);
  bool CheckArray(const SchemaNode& node, simdjson::dom::array array);
  bool CheckUniqueItems(simdjson::dom::array array);
  bool CheckEnum(const SchemaNode& node, CheckedValue value);
  bool CheckCombinators(const SchemaNode& node, CheckedValue value);
  bool CheckAnyOf(const SchemaNode& node, CheckedValue value);
  bool CheckOneOf(const SchemaNode& node, CheckedValue value);
  bool CheckNot(const SchemaNode& node, CheckedValue value);
  bool ExplainNoAlternative(const std::vector<const SchemaNode*>& alternatives,
                            std::string_view keyword, CheckedValue value);

  // Checks without recording an error: alternatives that may fail.
  bool Try(const SchemaNode& node, CheckedValue value);

  // Records "path: message" (only while explaining) and returns false.
  template <typename Describe>
  bool Fail(Describe&& describe) {
    if (explaining_) SetError(describe());
    return false;
  }
  void SetError(std::string message);

  const SchemaNode* already_checked_;
  bool explaining_ = true;
  JsonPath path_;
  std::string error_;
};

// Names of JSON types for messages: "string or null", "integer".
std::string TypeNames(uint8_t type_bits);
// A short rendering of a value for messages: 'text' or compact JSON.
std::string RenderValue(CheckedValue value);

}  // namespace keel::schema
