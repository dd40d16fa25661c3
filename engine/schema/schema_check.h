// SchemaChecker: validates a parsed JSON value against compiled SchemaNodes.
//
// A check runs as a fast pass that only answers yes or no: no path kept, no
// text built, no allocation. Only when it says no does a second, explaining
// pass run the same checks while tracking the JSON path, and build the error.
#pragma once

#include <string>
#include <string_view>

#include <simdjson.h>

#include "engine/schema/schema_node.h"

namespace keel::schema {

// Cheap to make; not for concurrent use (make one per call).
class SchemaChecker {
 public:
  // True when `value` satisfies `node`; otherwise false, and error() names
  // the path and the broken rule ("data.to: expected string, got number").
  bool Check(const SchemaNode& node, simdjson::dom::element value);
  // The same for a string that is not part of a document (a property name,
  // a type name).
  bool CheckName(const SchemaNode& node, std::string_view name);
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

// The fast pass alone: true when `value` satisfies `node`, with no error text.
bool Matches(const SchemaNode& node, simdjson::dom::element value);

}  // namespace keel::schema
