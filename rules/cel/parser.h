// CEL's grammar (cel-spec doc/langdef.md, "Syntax") to an Expr tree, with
// the macros expanded.
#pragma once

#include <string_view>

#include "rules/cel/ast.h"

namespace keel::cel {

struct ParseOptions {
  bool enable_macros = true;
  int max_nesting = 250;
};

// The tree, or an error with the byte offset it refers to in `error_offset`.
Result<ExprPtr> Parse(std::string_view source, const ParseOptions& options, int32_t* error_offset);

// 1-based line and column (in code points) of a byte offset.
SourcePosition PositionOf(std::string_view source, int32_t offset);

}  // namespace keel::cel
