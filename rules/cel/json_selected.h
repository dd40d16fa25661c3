// Binding only the parts of a JSON document that expressions can read: a
// webhook body of 15 KB is mostly fields no mapping looks at, and building
// CEL values for them is most of a delivery's cost (tests/bench/mapping_bench.cc).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "rules/cel/cel.h"

namespace keel::cel {

// The member paths to keep: `whole` keeps the value entire; otherwise, for an
// object, only the listed members (each by its own tree). A value that is not
// an object where the tree lists members is kept entire.
struct JsonPathTree {
  bool whole = false;
  std::map<std::string, JsonPathTree, std::less<>> members;
};

// FromJsonText, keeping only what `tree` lists: the members left out are
// absent from their maps. (A repeated key among them is then not noticed.)
Result<Value> FromJsonTextSelected(std::string_view text, const JsonPathTree& tree);

}  // namespace keel::cel
