// The functions expressions may call, with their overloads. Registered once;
// read-only afterwards, so safe for concurrent use.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rules/cel/eval_context.h"

namespace keel::cel {

// args[0] is the receiver of a member function. No argument is an error: the
// caller propagates errors before calling.
using FnImpl = Value (*)(const Value* const* args, EvalContext& ctx);

struct Overload {
  std::vector<Kind> params;  // kDyn accepts any kind
  Kind result = Kind::kDyn;
  FnImpl impl = nullptr;
};

// All overloads of one name, call style and argument count.
struct Function {
  std::string name;
  bool member = false;
  int arity = 0;
  std::vector<Overload> overloads;
  // For arity <= 2: the overload for each combination of argument kinds.
  std::vector<FnImpl> table;

  FnImpl Dispatch(const Value* const* args) const;
  // The overloads that may apply to arguments of these static kinds.
  std::vector<const Overload*> Candidates(const std::vector<Kind>& kinds) const;
};

class FunctionRegistry {
 public:
  static const FunctionRegistry& Get();

  const Function* Find(std::string_view name, bool member, int arity) const;
  // Whether any function of this name and call style exists (for messages).
  bool HasName(std::string_view name, bool member) const;

  void Add(std::string_view name, bool member, std::vector<Kind> params, Kind result, FnImpl impl);
  // Adds a global and a member overload of the same signature.
  void AddBoth(std::string_view name, std::vector<Kind> params, Kind result, FnImpl impl) {
    Add(name, false, params, result, impl);
    Add(name, true, params, result, impl);
  }

 private:
  void BuildTables();
  std::map<std::string, std::unique_ptr<Function>, std::less<>> functions_;  // key: name/m|g/arity
};

// Each file of functions registers itself here.
void RegisterOperatorFunctions(FunctionRegistry& registry);
void RegisterConversionFunctions(FunctionRegistry& registry);
void RegisterStringFunctions(FunctionRegistry& registry);
void RegisterTimeFunctions(FunctionRegistry& registry);
void RegisterWorkFunctions(FunctionRegistry& registry);
void RegisterEntityFunctions(FunctionRegistry& registry);
void RegisterMappingFunctions(FunctionRegistry& registry);
// cel-go's extensions.
void RegisterStringExtensionFunctions(FunctionRegistry& registry);
void RegisterFormatFunctions(FunctionRegistry& registry);
void RegisterMathFunctions(FunctionRegistry& registry);
void RegisterEncoderFunctions(FunctionRegistry& registry);
void RegisterListFunctions(FunctionRegistry& registry);
void RegisterOptionalFunctions(FunctionRegistry& registry);

// `list` ordered by `keys` (one key per element, of one comparable kind): what
// l.sortBy(x, key) computes once the keys are evaluated.
Value SortByKeys(const Value& list, const Value& keys, EvalContext& ctx);

// How a function or operator is named in messages: "+" for _+_, "in" for @in.
std::string DisplayName(std::string_view name);

// Error helpers for function bodies.
Value NoMatchingOverload(std::string_view function, const Value* const* args, int arity);
inline Value ErrorValue(ErrorCode code, std::string message) { return Value::Error(code, std::move(message)); }

}  // namespace keel::cel
