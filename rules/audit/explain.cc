#include "rules/audit/explain.h"

#include <algorithm>
#include <map>
#include <memory>

#include "engine/log/projection.h"
#include "rules/cel/cel.h"
#include "rules/react/rule_reactor.h"
#include "rules/react/ruleset_store.h"
#include "rules/rule_lines.h"

namespace keel::rules {
namespace {

// The seq of the event that caused `e`: in its own workspace, or, for an
// event a rule set's activation derived, in the system workspace.
Result<std::optional<uint64_t>> FindCause(const EventLog& log, const Event& e) {
  KEEL_ASSIGN_OR_RETURN(std::optional<uint64_t> seq, log.FindSeqById(e.workspace, e.causation_id));
  if (seq) return seq;
  return log.FindSeqById(kSystemWorkspace, e.causation_id);
}

ExplainedEvent NodeFor(StoredEvent stored) {
  ExplainedEvent node;
  node.stored = std::move(stored);
  return node;
}

// Rule sets by hash, loaded from the log once each.
class StoredRuleSets {
 public:
  explicit StoredRuleSets(const EventLog& log) : log_(log) {}
  Result<const RuleSet*> Get(const std::string& hash) {
    auto it = sets_.find(hash);
    if (it == sets_.end()) {
      KEEL_ASSIGN_OR_RETURN(RuleSet set, LoadStoredRuleSet(log_, hash));
      it = sets_.emplace(hash, std::make_unique<RuleSet>(std::move(set))).first;
    }
    return it->second.get();
  }

 private:
  const EventLog& log_;
  std::map<std::string, std::unique_ptr<RuleSet>> sets_;
};

Result<cel::Value> StateValueAsOf(const EventLog& log, const Event& trigger, const EntityRef& ref, uint64_t seq) {
  if (!IsEntityKind(ref.kind)) return cel::Value::Null();
  KEEL_ASSIGN_OR_RETURN(std::optional<EntityState> state, StateAsOf(log, trigger.workspace, ref, AsOf{seq, {}}));
  if (!state || state->empty()) return cel::Value::Null();
  return cel::FromJsonText(state->ToCanonical());
}

// The bindings the rule saw: the trigger, its entity after and before it,
// the entity's parent, the workspace.
Result<cel::Activation> BindingsAt(const EventLog& log, const StoredEvent& trigger) {
  cel::Activation activation;
  const Event& e = trigger.event;
  cel::Value time = EventTime(e);
  cel::Value event = EventValue(e, time);
  if (time.kind() == cel::Kind::kTimestamp) activation.SetNow(time);
  KEEL_ASSIGN_OR_RETURN(cel::Value entity, StateValueAsOf(log, e, e.entity, trigger.seq));
  KEEL_ASSIGN_OR_RETURN(cel::Value before, StateValueAsOf(log, e, e.entity, trigger.seq - 1));
  cel::Value parent = cel::Value::Null();
  EntityRef parent_ref;
  if (entity.kind() == cel::Kind::kMap) {
    const cel::Value* p = entity.MapFind("parent");
    if (p != nullptr && p->kind() == cel::Kind::kString && ParseEntityRef(p->AsString(), &parent_ref)) {
      KEEL_ASSIGN_OR_RETURN(parent, StateValueAsOf(log, e, parent_ref, trigger.seq));
    }
  }
  activation.Bind("event", event);
  activation.Bind("entity", entity);
  activation.Bind("before", before);
  activation.Bind("parent", parent);
  activation.Bind("workspace", cel::Value::String(e.workspace));
  return activation;
}

Status ExplainRule(const EventLog& log, StoredRuleSets& sets, ExplainedEvent* node) {
  const Event& e = node->stored.event;
  if (!e.is_derived()) return Status::OK();
  Result<const RuleSet*> set = sets.Get(e.ruleset_hash);
  if (!set.ok()) {
    node->note = "rule set " + e.ruleset_hash + " is not stored in this log: " + set.status().message();
    return Status::OK();
  }
  const Rule* rule = (*set)->FindRule(e.rule_id);
  if (rule == nullptr) {
    node->note = "rule " + e.rule_id + " is not in rule set " + e.ruleset_hash;
    return Status::OK();
  }
  if (std::optional<RuleLines> lines = LinesOfRule(**set, *rule)) {
    node->rule_file = lines->file;
    node->first_line = lines->first_line;
    node->last_line = lines->last_line;
    node->rule_source = std::move(lines->text);
  }
  if (!rule->condition) return Status::OK();
  node->condition = std::string(rule->condition->source());
  KEEL_ASSIGN_OR_RETURN(std::optional<uint64_t> trigger_seq, FindCause(log, e));
  if (!trigger_seq) {
    node->note = "its trigger " + e.causation_id + " is not in the log";
    return Status::OK();
  }
  KEEL_ASSIGN_OR_RETURN(StoredEvent trigger, log.Read(*trigger_seq));
  KEEL_ASSIGN_OR_RETURN(cel::Activation activation, BindingsAt(log, trigger));
  for (const std::string& path : rule->condition->field_paths()) {
    Result<cel::Program> program = cel::Compile(path);
    if (!program.ok()) continue;  // a comprehension's own variable
    Result<cel::Value> value = program->Evaluate(activation);
    node->condition_values.emplace_back(path, value.ok() ? value->DebugString() : "(" + value.status().message() + ")");
  }
  return Status::OK();
}

}  // namespace

Result<Explanation> Explain(const EventLog& log, uint64_t seq) {
  Explanation out;
  StoredRuleSets sets(log);
  KEEL_ASSIGN_OR_RETURN(StoredEvent asked, log.Read(seq));

  // Up: causation ids to the root. Derived events have one, and so does a
  // timer.fired (its timer.scheduled): a reminder is explained back to the
  // event that set its due date.
  std::vector<StoredEvent> chain;
  StoredEvent at = asked;
  while (!at.event.causation_id.empty()) {
    KEEL_ASSIGN_OR_RETURN(std::optional<uint64_t> cause, FindCause(log, at.event));
    if (!cause) break;
    KEEL_ASSIGN_OR_RETURN(at, log.Read(*cause));
    chain.push_back(at);
  }
  std::reverse(chain.begin(), chain.end());
  for (StoredEvent& ancestor : chain) {
    out.ancestors.push_back(out.nodes.size());
    out.nodes.push_back(NodeFor(std::move(ancestor)));
  }

  // Down: a cascade is appended right after its trigger, in the same batch,
  // so the descendants follow the event until the next input event.
  out.event = out.nodes.size();
  out.nodes.push_back(NodeFor(asked));
  std::map<std::string, size_t> by_id = {{asked.event.id, out.event}};
  KEEL_RETURN_IF_ERROR(log.Scan(seq + 1, UINT64_MAX, [&](const StoredEvent& next) {
    if (!next.event.is_derived()) return false;
    auto parent = by_id.find(next.event.causation_id);
    if (parent == by_id.end()) return true;  // a sibling branch of the same cascade
    size_t index = out.nodes.size();
    out.nodes[parent->second].children.push_back(index);
    by_id[next.event.id] = index;
    out.nodes.push_back(NodeFor(next));
    return true;
  }));
  for (ExplainedEvent& node : out.nodes) KEEL_RETURN_IF_ERROR(ExplainRule(log, sets, &node));
  return out;
}

}  // namespace keel::rules
