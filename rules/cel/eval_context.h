// The state of one evaluation: variables, comprehension locals, the cost spent.
#pragma once

#include <cstdint>
#include <string>

#include "rules/cel/cel.h"

namespace keel::cel {

struct EvalContext {
  // The program's variables, nullptr when unbound; a late-bound one is filled
  // in when first read.
  const Value** vars = nullptr;
  Value* locals = nullptr;             // comprehension variables
  const Activation* activation = nullptr;
  const EvalOptions* options = nullptr;
  int64_t cost = 0;
  // Set when a limit is reached: evaluation unwinds and the result is
  // ResourceExhausted, whatever `||` or `&&` would have made of an error.
  bool aborted = false;
  std::string abort_message;
  int32_t abort_offset = -1;

  // Spends `steps`; false once the budget is exceeded.
  bool Charge(int64_t steps) {
    cost += steps;
    if (cost > options->max_cost && !aborted) {
      Abort("evaluation cost exceeded the limit of " + std::to_string(options->max_cost) + " steps");
    }
    return !aborted;
  }
  void Abort(std::string message) {
    if (aborted) return;
    aborted = true;
    abort_message = std::move(message);
  }
  // What a node or function returns once the evaluation is aborted: an error,
  // so no later operation sees a value of an unexpected kind.
  Value Stopped() const { return Value::Error(ErrorCode::kLimit, abort_message); }

  // Checks that a list of `size` elements may be built.
  bool AllowList(size_t size) {
    if (size <= options->max_list_size) return true;
    Abort("a list would exceed the limit of " + std::to_string(options->max_list_size) + " elements");
    return false;
  }
  bool AllowString(size_t size) {
    if (size <= options->max_string_size) return true;
    Abort("a string would exceed the limit of " + std::to_string(options->max_string_size) + " bytes");
    return false;
  }
};

// Cost of handling `bytes` bytes in a string function.
inline int64_t StringCost(size_t bytes) { return 1 + static_cast<int64_t>(bytes / 64); }

}  // namespace keel::cel
