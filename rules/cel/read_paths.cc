#include "rules/cel/read_paths.h"

#include <algorithm>

namespace keel::cel {
namespace {

// Where a subexpression sits, which says how much of what it names is needed.
enum class Position : uint8_t {
  kValue,     // its value is used: all of it
  kTested,    // only whether it is there, or null: has(a.b), a.b == null
  kResult,    // it may be the whole expression's value (a let's alias)
};

// `operand.a.b` down to a variable: {"var", "a", "b"}; empty for anything else.
std::vector<std::string> PathOf(const Expr& expr) {
  if (expr.kind == ExprKind::kIdent) return {expr.name};
  if (expr.kind != ExprKind::kSelect || expr.test_only || !expr.operand) return {};
  std::vector<std::string> path = PathOf(*expr.operand);
  if (!path.empty()) path.push_back(expr.name);
  return path;
}

bool IsNullConstant(const Expr& expr) { return expr.kind == ExprKind::kConst && expr.constant.kind() == Kind::kNull; }

bool IsEmptyLiteral(const Expr& expr) {
  return (expr.kind == ExprKind::kList && expr.args.empty()) || (expr.kind == ExprKind::kMap && expr.entries.empty());
}

class Collector {
 public:
  void Collect(const Expr& expr, Position position) {
    std::vector<std::string> path = PathOf(expr);
    if (!path.empty()) return Record(std::move(path), position);
    if (expr.kind == ExprKind::kSelect && expr.test_only && expr.operand) {  // has(a.b)
      std::vector<std::string> tested = PathOf(*expr.operand);
      if (!tested.empty()) {
        tested.push_back(expr.name);
        return Record(std::move(tested), Position::kTested);
      }
    }
    if (position == Position::kResult) {
      if (expr.kind == ExprKind::kConst || IsEmptyLiteral(expr)) return;
      if (expr.kind == ExprKind::kCall && expr.name == op::kConditional && expr.args.size() == 3 && !expr.operand) {
        Collect(*expr.args[0], Position::kValue);
        Collect(*expr.args[1], Position::kResult);
        Collect(*expr.args[2], Position::kResult);
        return;
      }
      result_known_ = false;
    }
    // `x == null` and `x != null` need only know whether x is null.
    if (expr.kind == ExprKind::kCall && !expr.operand && expr.args.size() == 2 &&
        (expr.name == op::kEquals || expr.name == op::kNotEquals)) {
      for (int side = 0; side < 2; ++side) {
        if (IsNullConstant(*expr.args[1 - side]) && !PathOf(*expr.args[side]).empty()) {
          return Collect(*expr.args[side], Position::kTested);
        }
      }
    }
    ForEachChild(expr, [this](const Expr& child) { Collect(child, Position::kValue); });
  }

  ReadPaths Finish() {
    if (!result_known_) {
      for (auto& path : results_) whole_.push_back(std::move(path));
      results_.clear();
    }
    ReadPaths reads;
    reads.whole = Unique(std::move(whole_));
    reads.tested = Unique(std::move(tested_));
    if (result_known_) reads.value_paths = Unique(std::move(results_));
    return reads;
  }

 private:
  template <typename Visit>
  static void ForEachChild(const Expr& expr, Visit&& visit) {
    if (expr.operand) visit(*expr.operand);
    for (const ExprPtr& arg : expr.args) {
      if (arg) visit(*arg);
    }
    for (const auto& [key, value] : expr.entries) {
      if (key) visit(*key);
      if (value) visit(*value);
    }
  }

  void Record(std::vector<std::string> path, Position position) {
    switch (position) {
      case Position::kValue:
        whole_.push_back(std::move(path));
        break;
      case Position::kTested:
        tested_.push_back(std::move(path));
        break;
      case Position::kResult:
        results_.push_back(std::move(path));
        break;
    }
  }

  static std::vector<std::vector<std::string>> Unique(std::vector<std::vector<std::string>> paths) {
    std::sort(paths.begin(), paths.end());
    paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
    return paths;
  }

  std::vector<std::vector<std::string>> whole_;
  std::vector<std::vector<std::string>> tested_;
  std::vector<std::vector<std::string>> results_;
  bool result_known_ = true;
};

}  // namespace

ReadPaths CollectReadPaths(const Expr& root) {
  Collector collector;
  collector.Collect(root, Position::kResult);
  return collector.Finish();
}

}  // namespace keel::cel
