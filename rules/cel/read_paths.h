// What an expression reads of its variables, worked out from its syntax tree
// at compile time (Program::reads()): a host that binds only part of a large
// value (a webhook body, rules/cel/json_selected.h) binds what these paths
// name and nothing else.
#pragma once

#include "rules/cel/ast.h"
#include "rules/cel/cel.h"

namespace keel::cel {

ReadPaths CollectReadPaths(const Expr& root);

}  // namespace keel::cel
