// The parsed form of a CEL expression, before it is checked and compiled.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rules/cel/cel.h"

namespace keel::cel {

enum class ExprKind : uint8_t {
  kConst,          // constant
  kIdent,          // name
  kSelect,         // operand.name; has(operand.name) when test_only
  kCall,           // name(args) or operand.name(args); operators use CEL's names: _+_, _[_], ...
  kList,           // [args]
  kMap,            // {entries}
  kStruct,         // name{entries}: protobuf message construction, parsed to be refused
  kComprehension,  // operand.macro(iter_var, args...)
};

enum class MacroKind : uint8_t {
  kAll,
  kExists,
  kExistsOne,
  kMap,
  kMapFilter,
  kFilter,
  // cel-go's two-variable comprehensions: (index or key, element or value).
  kTransformList,
  kTransformMap,
  kTransformMapEntry,
  kSortBy,      // l.sortBy(x, key)
  kBind,        // cel.bind(name, init, body): operand is init, args[0] the body
  kOptMap,      // o.optMap(x, t)
  kOptFlatMap,  // o.optFlatMap(x, t)
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind = ExprKind::kConst;
  int32_t offset = 0;  // byte offset in the source that errors point at
  Value constant;
  std::string name;
  ExprPtr operand;
  bool test_only = false;
  bool optional = false;  // a select written `.?name`
  // For list and map literals: which elements or entries were written `?e`
  // (`[?a]`, `{?k: v}`); empty when none was.
  std::vector<bool> optional_items;
  std::vector<ExprPtr> args;  // for a comprehension: predicate or transform, [filter]
  std::vector<std::pair<ExprPtr, ExprPtr>> entries;  // struct keys are kConst strings
  MacroKind macro = MacroKind::kAll;
  std::string iter_var;
  std::string iter_var2;  // the second variable of a two-variable comprehension, or ""
};

// Calls `visit` on each direct subexpression of `expr`.
template <typename Visit>
void ForEachChild(const Expr& expr, Visit&& visit) {
  if (expr.operand) visit(*expr.operand);
  for (const ExprPtr& arg : expr.args) {
    if (arg) visit(*arg);
  }
  for (const auto& [key, value] : expr.entries) {
    if (key) visit(*key);
    if (value) visit(*value);
  }
}

// Operator function names.
namespace op {
inline constexpr char kConditional[] = "_?_:_";
inline constexpr char kAnd[] = "_&&_";
inline constexpr char kOr[] = "_||_";
inline constexpr char kNot[] = "!_";
inline constexpr char kNegate[] = "-_";
inline constexpr char kIndex[] = "_[_]";
inline constexpr char kOptionalIndex[] = "_[?_]";
inline constexpr char kIn[] = "@in";
inline constexpr char kEquals[] = "_==_";
inline constexpr char kNotEquals[] = "_!=_";
inline constexpr char kLess[] = "_<_";
inline constexpr char kLessEquals[] = "_<=_";
inline constexpr char kGreater[] = "_>_";
inline constexpr char kGreaterEquals[] = "_>=_";
inline constexpr char kAdd[] = "_+_";
inline constexpr char kSubtract[] = "_-_";
inline constexpr char kMultiply[] = "_*_";
inline constexpr char kDivide[] = "_/_";
inline constexpr char kModulo[] = "_%_";
}  // namespace op

}  // namespace keel::cel
