// The checker and compiler: resolves names to variable slots, comprehension
// locals and type constants; checks calls against the overloads with the
// kinds known statically (a light type check: literals and function results
// have kinds, variables are dyn unless declared); builds the node tree.
#pragma once

#include <vector>

#include "rules/cel/ast.h"
#include "rules/cel/nodes.h"

namespace keel::cel {

struct CompiledExpr {
  NodePtr root;
  std::vector<VariableDecl> variables;  // those the expression reads, in slot order
  int local_count = 0;
};

// On error, `error_offset` receives the byte offset the error refers to.
Result<CompiledExpr> CompileTree(const Expr& expr, const CompileOptions& options, int32_t* error_offset);

}  // namespace keel::cel
