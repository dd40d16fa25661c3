// The compiled form: a tree of nodes that evaluate without re-parsing, with
// variables resolved to slots and function overloads to pointers.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "rules/cel/ast.h"
#include "rules/cel/functions.h"

namespace keel::cel {

class Node {
 public:
  explicit Node(int32_t offset) : offset_(offset) {}
  virtual ~Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // The result: a pointer into a constant, a variable, or *scratch. It stays
  // valid while the caller neither reuses `scratch` nor advances a comprehension.
  virtual const Value* Eval(EvalContext& ctx, Value* scratch) const = 0;
  // The constant this node always yields, or nullptr.
  virtual const Value* Constant() const { return nullptr; }
  int32_t offset() const { return offset_; }

 protected:
  // Stores `v` in *scratch, first giving a fresh error this node's position.
  const Value* Located(Value* scratch, Value v) const;
  const Value* Fail(Value* scratch, ErrorCode code, std::string message) const {
    return Located(scratch, Value::Error(code, std::move(message)));
  }
  // After a limit stopped the evaluation: records this node as the place.
  const Value* Aborted(EvalContext& ctx, Value* scratch) const {
    if (ctx.abort_offset < 0) ctx.abort_offset = offset_;
    *scratch = ctx.Stopped();
    return scratch;
  }

 private:
  int32_t offset_;
};
using NodePtr = std::unique_ptr<Node>;

const Value* BoolValue(bool b);  // shared true/false

class ConstNode final : public Node {
 public:
  ConstNode(int32_t offset, Value value) : Node(offset), value_(std::move(value)) {}
  const Value* Eval(EvalContext&, Value*) const override { return &value_; }
  const Value* Constant() const override { return &value_; }

 private:
  Value value_;
};

// A variable of the activation, resolved to its index when evaluation starts.
class VarNode final : public Node {
 public:
  VarNode(int32_t offset, int index, std::string name, Kind kind)
      : Node(offset), index_(index), name_(std::move(name)), kind_(kind) {}
  const Value* Eval(EvalContext& ctx, Value* scratch) const override {
    const Value* v = Get(ctx);
    return v != nullptr ? v : Unbound(ctx, scratch);
  }
  // The bound value when it has the declared kind, else nullptr.
  const Value* Get(const EvalContext& ctx) const {
    const Value* v = ctx.vars[index_];
    return v != nullptr && (kind_ == Kind::kDyn || v->kind() == kind_) ? v : nullptr;
  }

 private:
  [[gnu::noinline, gnu::cold]] const Value* Unbound(EvalContext& ctx, Value* scratch) const;

  int index_;
  std::string name_;
  Kind kind_;  // declared kind, checked at run time, or kDyn
};

// An iteration variable of a comprehension.
class LocalNode final : public Node {
 public:
  LocalNode(int32_t offset, int slot) : Node(offset), slot_(slot) {}
  const Value* Eval(EvalContext& ctx, Value*) const override { return &ctx.locals[slot_]; }

 private:
  int slot_;
};

// Unchecked expressions only: a name looked up in the activation when evaluated.
class DynamicVarNode final : public Node {
 public:
  DynamicVarNode(int32_t offset, std::string name) : Node(offset), name_(std::move(name)) {}
  const Value* Eval(EvalContext& ctx, Value* scratch) const override;

 private:
  std::string name_;
};

// Unchecked expressions only: a call to an unknown function fails when evaluated.
class ErrorNode final : public Node {
 public:
  ErrorNode(int32_t offset, ErrorCode code, std::string message)
      : Node(offset), code_(code), message_(std::move(message)) {}
  const Value* Eval(EvalContext&, Value* scratch) const override { return Fail(scratch, code_, message_); }

 private:
  ErrorCode code_;
  std::string message_;
};

// has(operand.field): whether the map has the key.
class HasFieldNode final : public Node {
 public:
  HasFieldNode(int32_t offset, NodePtr operand, std::string field);
  const Value* Eval(EvalContext& ctx, Value* scratch) const override;

 private:
  NodePtr operand_;
  std::string field_;
  uint64_t hash_;  // of field_, for maps with a hash index
};

// operand.a.b.c: consecutive field selections on maps, walked in one node.
class FieldPathNode final : public Node {
 public:
  FieldPathNode(int32_t offset, NodePtr operand, std::string field)
      : Node(offset), operand_(std::move(operand)), var_(dynamic_cast<const VarNode*>(operand_.get())) {
    Append(offset, std::move(field));
  }
  void Append(int32_t offset, std::string field);
  const Value* Eval(EvalContext& ctx, Value* scratch) const override;

 private:
  struct Field {
    std::string name;
    uint64_t hash;
    int32_t offset;
  };
  [[gnu::noinline, gnu::cold]] const Value* Missing(const Field& f, const Value* v, Value* scratch) const;
  // The rest of the path from fields_[k] on an optional value: an optional.
  [[gnu::noinline, gnu::cold]] const Value* OptionalPath(size_t k, const Value* v, Value* scratch) const;

  NodePtr operand_;
  const VarNode* var_ = nullptr;  // operand_, when it is a variable: read without a virtual call
  std::vector<Field> fields_;
};

// container[index] on lists and maps.
class IndexNode final : public Node {
 public:
  IndexNode(int32_t offset, NodePtr container, NodePtr index)
      : Node(offset), container_(std::move(container)), index_(std::move(index)) {}
  const Value* Eval(EvalContext& ctx, Value* scratch) const override;

 private:
  NodePtr container_, index_;
};

inline constexpr int kMaxCallArgs = 4;

// A strict function call of N arguments: errors in arguments propagate, then
// the overload is chosen by the arguments' kinds (or was fixed at compile time).
template <int N>
class CallNode final : public Node {
 public:
  CallNode(int32_t offset, const Function* function, FnImpl direct, std::vector<NodePtr> args)
      : Node(offset), function_(function), direct_(direct) {
    for (int i = 0; i < N; ++i) args_[i] = std::move(args[i]);
  }
  const Value* Eval(EvalContext& ctx, Value* scratch) const override;

 private:
  [[gnu::noinline, gnu::cold]] const Value* NoOverload(const Value* const* args, Value* scratch) const;
  [[gnu::noinline, gnu::cold]] const Value* Failed(EvalContext& ctx, Value* scratch) const;

  const Function* function_;
  FnImpl direct_;  // when the static kinds fixed the overload
  NodePtr args_[N > 0 ? N : 1];
};
// A CallNode for args.size() arguments. REQUIRES: at most kMaxCallArgs.
NodePtr MakeCallNode(int32_t offset, const Function* function, FnImpl direct, std::vector<NodePtr> args);

// && and ||: commutative, absorbing errors when the other side decides.
class LogicNode final : public Node {
 public:
  LogicNode(int32_t offset, bool is_and, NodePtr left, NodePtr right)
      : Node(offset), is_and_(is_and), left_(std::move(left)), right_(std::move(right)) {}
  const Value* Eval(EvalContext& ctx, Value* scratch) const override;

 private:
  bool is_and_;
  NodePtr left_, right_;
};

class ConditionalNode final : public Node {
 public:
  ConditionalNode(int32_t offset, NodePtr cond, NodePtr yes, NodePtr no)
      : Node(offset), cond_(std::move(cond)), yes_(std::move(yes)), no_(std::move(no)) {}
  const Value* Eval(EvalContext& ctx, Value* scratch) const override;

 private:
  NodePtr cond_, yes_, no_;
};

// == and != with CEL's heterogeneous equality.
class EqualsNode final : public Node {
 public:
  EqualsNode(int32_t offset, bool negate, NodePtr left, NodePtr right)
      : Node(offset), negate_(negate), left_(std::move(left)), right_(std::move(right)) {}
  const Value* Eval(EvalContext& ctx, Value* scratch) const override;

 private:
  bool negate_;
  NodePtr left_, right_;
};

// element in list, key in map.
class InNode final : public Node {
 public:
  InNode(int32_t offset, NodePtr element, NodePtr container)
      : Node(offset), element_(std::move(element)), container_(std::move(container)) {}
  const Value* Eval(EvalContext& ctx, Value* scratch) const override;

 private:
  NodePtr element_, container_;
};

// `optional`: which elements (entries) were written `?e`: present only when
// the optional value has one; empty when none was.
class ListNode final : public Node {
 public:
  ListNode(int32_t offset, std::vector<NodePtr> items, std::vector<bool> optional = {})
      : Node(offset), items_(std::move(items)), optional_(std::move(optional)) {}
  const Value* Eval(EvalContext& ctx, Value* scratch) const override;

 private:
  std::vector<NodePtr> items_;
  std::vector<bool> optional_;
};

class MapNode final : public Node {
 public:
  MapNode(int32_t offset, std::vector<std::pair<NodePtr, NodePtr>> entries, std::vector<bool> optional = {})
      : Node(offset), entries_(std::move(entries)), optional_(std::move(optional)) {}
  const Value* Eval(EvalContext& ctx, Value* scratch) const override;

 private:
  std::vector<std::pair<NodePtr, NodePtr>> entries_;
  std::vector<bool> optional_;
};

// `operand.?field` and `operand[?index]`: an optional value, none when the
// field, key or index is absent; on an optional operand, none stays none.
class OptionalAccessNode final : public Node {
 public:
  OptionalAccessNode(int32_t offset, NodePtr operand, NodePtr index)
      : Node(offset), operand_(std::move(operand)), index_(std::move(index)) {}
  const Value* Eval(EvalContext& ctx, Value* scratch) const override;

 private:
  NodePtr operand_, index_;
};

// Unwraps an optional container for `.field`, `[i]` and has(): none gives
// none (has(): false). Returns the inner value, or nullptr when it is none.
const Value* OptionalInner(const Value& v);
// The element `index` selects in `container` (a list or a map), or nullptr
// when absent; *error receives a value when the access is not possible.
const Value* ElementAt(const Value& container, const Value& index, Value* error);

// The macros that bind variables: all, exists, exists_one, map, filter over a
// list's elements or a map's keys; with two variables (index and element, or
// key and value) all, exists, existsOne, transformList, transformMap,
// transformMapEntry; sortBy; cel.bind; optMap and optFlatMap.
class ComprehensionNode final : public Node {
 public:
  ComprehensionNode(int32_t offset, MacroKind macro, NodePtr range, int slot, int slot2, NodePtr first,
                    NodePtr second, int64_t iteration_cost)
      : Node(offset),
        macro_(macro),
        range_(std::move(range)),
        slot_(slot),
        slot2_(slot2),
        first_(std::move(first)),
        second_(std::move(second)),
        iteration_cost_(iteration_cost) {}
  const Value* Eval(EvalContext& ctx, Value* scratch) const override;

  // What the loop runs over: a list's elements or a map's entries.
  struct Range {
    std::span<const Value> items;
    std::span<const MapEntry> entries;
    bool is_map = false;
    size_t size() const { return is_map ? entries.size() : items.size(); }
  };

 private:
  // Sets the variables for element `i`; returns the one-variable element.
  const Value& BindAt(EvalContext& ctx, const Range& range, size_t i) const;
  const Value* Quantify(EvalContext& ctx, const Range& range, Value* scratch) const;
  const Value* ExistsOne(EvalContext& ctx, const Range& range, Value* scratch) const;
  const Value* Collect(EvalContext& ctx, const Range& range, Value* scratch) const;
  const Value* CollectMap(EvalContext& ctx, const Range& range, Value* scratch) const;
  const Value* SortBy(EvalContext& ctx, const Value& list, const Range& range, Value* scratch) const;
  const Value* Bind(EvalContext& ctx, const Value& init, Value* scratch) const;
  const Value* OptionalMap(EvalContext& ctx, const Value& optional, Value* scratch) const;

  MacroKind macro_;
  NodePtr range_;
  int slot_;
  int slot2_;       // the second variable, or -1
  NodePtr first_;   // predicate, or the transform of map(x, t)
  NodePtr second_;  // the transform after a filter: map(x, filter, t), transformList(i, v, filter, t)
  int64_t iteration_cost_;
};

// s.matches(re) with a constant pattern, compiled once.
class MatchesNode final : public Node {
 public:
  MatchesNode(int32_t offset, NodePtr subject, std::unique_ptr<RE2> re)
      : Node(offset), subject_(std::move(subject)), re_(std::move(re)) {}
  const Value* Eval(EvalContext& ctx, Value* scratch) const override;

 private:
  NodePtr subject_;
  std::unique_ptr<RE2> re_;
};

}  // namespace keel::cel
