// lookup(ref) and entities(kind[, where]): reading entities other than the
// ones bound as variables, through the activation's EntitySource. Rules use
// them for the state of an approval's target, or a count over an assignee's
// open tasks. Without a source (at load, in plain CEL) they are errors, so an
// expression that calls them is never taken for a constant.
#include "rules/cel/functions.h"

namespace keel::cel {
namespace {

using Args = const Value* const*;
constexpr Kind S = Kind::kString, M = Kind::kMap;

Value NoSource(std::string_view function) {
  return ErrorValue(ErrorCode::kInvalidArgument,
                    std::string(function) + "() has no entities to read here: only rules evaluated on an event can");
}

Value FromStatus(const Status& status) { return ErrorValue(ErrorCode::kInvalidArgument, status.message()); }

// lookup("task/T-1"): the entity's state, or null when it has none.
Value Lookup(Args a, EvalContext& ctx) {
  const EntitySource* source = ctx.activation->entity_source();
  if (source == nullptr) return NoSource("lookup");
  std::string_view ref = a[0]->AsString();
  size_t slash = ref.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == ref.size()) {
    return ErrorValue(ErrorCode::kInvalidArgument, "lookup(): '" + std::string(ref) + "' is not KIND/ID (task/T-1)");
  }
  if (!ctx.Charge(1)) return ctx.Stopped();
  Result<Value> state = source->Lookup(ref.substr(0, slash), ref.substr(slash + 1));
  return state.ok() ? *state : FromStatus(state.status());
}

Value EntitiesWhere(std::string_view kind, std::span<const MapEntry> where, EvalContext& ctx) {
  const EntitySource* source = ctx.activation->entity_source();
  if (source == nullptr) return NoSource("entities");
  for (const MapEntry& entry : where) {
    if (entry.first.kind() != Kind::kString) {
      return ErrorValue(ErrorCode::kInvalidArgument, "entities(): the keys of `where` are field names (strings), not " +
                                                         entry.first.DebugString());
    }
  }
  std::vector<Value> found;
  Result<int64_t> read = source->ForEach(kind, where, [&](Value state) { found.push_back(std::move(state)); });
  if (!read.ok()) return FromStatus(read.status());
  // One step per entity read: a rule scanning a large workspace meets the limit, not a stall.
  if (!ctx.Charge(*read) || !ctx.AllowList(found.size())) return ctx.Stopped();
  return Value::List(std::move(found));
}

Value Entities(Args a, EvalContext& ctx) { return EntitiesWhere(a[0]->AsString(), {}, ctx); }
Value EntitiesFiltered(Args a, EvalContext& ctx) { return EntitiesWhere(a[0]->AsString(), a[1]->MapEntries(), ctx); }

}  // namespace

void RegisterEntityFunctions(FunctionRegistry& r) {
  r.Add("lookup", false, {S}, Kind::kDyn, Lookup);
  r.Add("entities", false, {S}, Kind::kList, Entities);
  r.Add("entities", false, {S, M}, Kind::kList, EntitiesFiltered);
}

}  // namespace keel::cel
