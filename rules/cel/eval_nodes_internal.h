// Helpers shared by the node implementations.
#pragma once

#include <cmath>

#include "rules/cel/nodes.h"
#include "rules/cel/value_internal.h"

namespace keel::cel {

// Returns `p`, first moving the value into *scratch when `p` points at the
// caller's local `tmp` (which dies when the caller returns).
inline const Value* Keep(const Value* p, Value* tmp, Value* scratch) {
  if (p != tmp) return p;
  *scratch = std::move(*tmp);
  return scratch;
}

// Returns `element` (inside a container), copied into *scratch when the
// container itself is a temporary of the caller.
inline const Value* Borrow(const Value* element, bool container_is_temporary, Value* scratch) {
  if (!container_is_temporary) return element;
  *scratch = *element;
  return scratch;
}

}  // namespace keel::cel
