// The one way an event enters the batch with its effects (StageWithEffects),
// and cascades: what rules derive from each appended event, appended in the
// same batch, bounded in depth (invariant 7), with deterministic ids and
// times (invariant 4), inside the trigger's workspace (invariant 8).
#include "engine/canonical_json.h"
#include "engine/derived_ids.h"
#include "engine/log/event_log_impl.h"
#include "engine/log/pending_batch.h"
#include "engine/log_format.h"
#include "engine/state/reducers.h"
#include "engine/log/timer_rearm.h"

namespace keel {
namespace {

using namespace log_format;

// What rules read while the batch is in hand: the log as the batch leaves it.
class BatchStateReader final : public StateReader {
 public:
  explicit BatchStateReader(const PendingBatch& batch) : batch_(batch) {}
  Result<std::optional<EntityState>> Get(std::string_view workspace, const EntityRef& entity) override {
    return batch_.ReadEntity(workspace, entity);
  }
  Status ForEachEntity(std::string_view workspace, std::string_view kind,
                       const std::function<bool(std::string_view, const EntityState&)>& visit) override {
    return batch_.ForEachEntity(workspace, kind, visit);
  }
  Result<std::optional<PendingTimer>> GetTimer(std::string_view workspace, std::string_view timer_id) override {
    return batch_.ReadTimer(workspace, timer_id);
  }
  Status ForEachTimer(std::string_view workspace, const std::function<bool(const PendingTimer&)>& visit) override {
    return batch_.ForEachTimer(workspace, visit);
  }
  Result<std::vector<std::string>> Workspaces() override { return batch_.Workspaces(); }

 private:
  const PendingBatch& batch_;
};

// A timer that a timer's cascade schedules must be due a while after that
// timer fired (engine/log/timer_rearm.h): a timer that
// re-arms itself sooner would fire again in the same pass, without end.
Status RequireRearmDelay(const Event& derived, std::optional<int64_t> fired_at) {
  if (!fired_at || derived.type != kTimerScheduled) return Status::OK();
  Result<PendingTimer> timer = TimerFromScheduledEvent(derived);
  if (!timer.ok() || timer->fire_micros - *fired_at >= kMinTimerRearmDelayMicros) return Status::OK();
  return Status::InvalidArgument("timer '" + timer->name + "' is due at " + timer->scheduled_for +
                                 ", less than " + std::to_string(kMinTimerRearmDelayMicros / 1'000'000) +
                                 "s after the timer.fired that armed it (" + derived.time + "); a timer armed as a "
                                 "timer fires must be due at least that much later, so that it cannot re-arm "
                                 "itself without end");
}

}  // namespace

void EventLogImpl::SetReactor(std::shared_ptr<Reactor> reactor, const SchemaRegistry* schemas) {
  reactor_ = std::move(reactor);
  derived_decoder_ = reactor_ ? std::make_unique<EventDecoder>(schemas) : nullptr;
}

Result<EventLogImpl::Staged> EventLogImpl::StageWithEffects(const Event& event, const StageRequest& request,
                                                            PendingBatch* pending) {
  const bool derived = request.origin == EventOrigin::kDerived;
  std::string entity_key;
  EntityState state;
  bool has_state = ChangesEntityState(event.type);
  if (has_state) {
    entity_key = EntityKey(event.workspace, event.entity.kind, event.entity.id);
    Result<EntityState> loaded = pending->LoadEntityForWrite(entity_key);
    // An input is refused alone; a cascade cannot go on without the states it reads.
    if (!loaded.ok() && derived) return loaded.status();
    if (!loaded.ok()) return Staged{0, loaded.status()};
    state = std::move(loaded).value();
  }
  if (request.expected_version && state.version() != *request.expected_version) {
    return Staged{0, Status::Conflict("expected " + event.entity.ToString() + " at version " +
                                      std::to_string(*request.expected_version) + ", found version " +
                                      std::to_string(state.version()))};
  }
  std::optional<EntityState> before;
  if (has_state && reactor_) before = state;
  auto refuse = [&](Status why) {
    // A derived event's entity goes back into the batch as it was loaded
    // (and so into the writer's cache once written); an input's is left to
    // be read from the log again.
    if (derived && before && !before->empty()) pending->PutBackEntity(entity_key, std::move(*before));
    return Staged{0, std::move(why)};
  };
  if (has_state) {
    if (Status applied = ApplyEvent(event, &state); !applied.ok()) return refuse(std::move(applied));
  }
  if (Status timers = pending->StageTimerChange(event); !timers.ok()) return refuse(std::move(timers));
  uint64_t seq = pending->Stage(event, std::move(entity_key), has_state ? &state : nullptr);
  pending->StageAliases(event);
  if (request.react && reactor_) {
    const EntityState* before_state = before && !before->empty() ? &*before : nullptr;
    KEEL_RETURN_IF_ERROR(ReactTo(event, before_state, request.depth, pending));
  }
  return Staged{seq, Status::OK()};
}

Status EventLogImpl::ReactTo(const Event& event, const EntityState* before, int depth, PendingBatch* pending) {
  if (depth == 0) pending->cascade = {};
  if (depth == 0 && event.type == kTimerFired) pending->cascade.fired_at = event.time_micros;
  const EntityState* after = nullptr;
  if (ChangesEntityState(event.type)) {
    after = pending->StagedEntity(EntityKey(event.workspace, event.entity.kind, event.entity.id));
  }
  // `after` points into the batch's entity states, which only the appends below
  // change: React reads it and returns before any of them (ReactionInput's
  // pointers are valid during React only), so no copy is needed.
  BatchStateReader reader(*pending);
  Reaction reaction;
  KEEL_RETURN_IF_ERROR(reactor_->React({event, before, after, depth}, reader,
                                       &reaction));
  for (const RuleFailure& failure : reaction.failures) {
    KEEL_ASSIGN_OR_RETURN(bool within_limit, ChargeCascade(event, event.workspace, failure.rule_id, failure.action_path,
                                                           "rule.failed of " + failure.rule_id, depth + 1, pending));
    if (!within_limit) continue;
    std::string data = "{\"action\":" + JsonQuote(failure.action_path) + ",\"reason\":" + JsonQuote(failure.reason) +
                       ",\"rule\":" + JsonQuote(failure.rule_id) + ",\"trigger\":" + JsonQuote(event.id) + "}";
    KEEL_RETURN_IF_ERROR(AppendRuleEvent(event, "rule.failed", failure.rule_id, failure.action_path + "#failed",
                                         std::move(data), depth + 1, pending));
  }
  for (const DerivedEventRequest& request : reaction.events) {
    KEEL_RETURN_IF_ERROR(AppendDerived(event, request, depth + 1, pending));
  }
  return Status::OK();
}

// Every workspace has the bound, the system workspace's triggers included:
// a rule set's activation may derive up to the bound in each workspace it
// arms timers in, never more in any one.
Result<bool> EventLogImpl::ChargeCascade(const Event& trigger, std::string_view workspace, std::string_view rule_id,
                                         std::string_view action_path, std::string_view what, int depth,
                                         PendingBatch* pending) {
  auto counted = pending->cascade.derived.find(workspace);
  if (counted == pending->cascade.derived.end()) counted = pending->cascade.derived.emplace(workspace, 0).first;
  if (++counted->second <= limits_.max_derived) return true;
  // One rule.halted says so for all of the workspace's rest.
  if (!pending->cascade.limit_reached.emplace(workspace).second) return false;
  std::string data = "{\"depth\":" + std::to_string(depth) + ",\"reason\":" +
                     JsonQuote("limit of " + std::to_string(limits_.max_derived) +
                               " events derived from one input event reached in workspace '" +
                               std::string(workspace) + "'; " + std::string(what) +
                               " and the rest of the cascade there were not appended") +
                     ",\"rule\":" + JsonQuote(rule_id) + ",\"trigger\":" + JsonQuote(trigger.id) + "}";
  // Named by the workspace when it is not the trigger's, so that each
  // workspace an activation reaches gets its own rule.halted.
  std::string halt_path = std::string(action_path) + "#limit";
  if (workspace != trigger.workspace) halt_path += "/" + std::string(workspace);
  KEEL_RETURN_IF_ERROR(AppendRuleEvent(trigger, "rule.halted", rule_id, halt_path,
                                       std::move(data), depth, pending));
  return false;
}

Status EventLogImpl::AppendDerived(const Event& trigger, const DerivedEventRequest& request, int depth,
                                   PendingBatch* pending) {
  const std::string& workspace = request.workspace.empty() ? trigger.workspace : request.workspace;
  KEEL_ASSIGN_OR_RETURN(bool within_limit, ChargeCascade(trigger, workspace, request.rule_id, request.action_path,
                                                         request.type + " on " + request.subject, depth, pending));
  if (!within_limit) return Status::OK();
  if (depth > limits_.max_depth) {
    std::string data = "{\"depth\":" + std::to_string(depth) + ",\"reason\":" +
                       JsonQuote("cascade depth limit of " + std::to_string(limits_.max_depth) +
                                 " reached; " + request.type + " on " + request.subject + " was not appended") +
                       ",\"rule\":" + JsonQuote(request.rule_id) + ",\"trigger\":" + JsonQuote(trigger.id) + "}";
    return AppendRuleEvent(trigger, "rule.halted", request.rule_id, request.action_path + "#halted",
                           std::move(data), depth, pending);
  }
  if (!request.workspace.empty() && request.workspace != trigger.workspace &&
      trigger.workspace != kSystemWorkspace) {
    return Status::Internal("rule " + request.rule_id + " asked for an event in workspace '" + request.workspace +
                            "' from a trigger in '" + trigger.workspace + "'");
  }
  auto built = BuildDerivedEvent(trigger, request.rule_id, request.action_path, request.type, request.subject,
                                 request.data_json, request.workspace.empty() ? trigger.workspace : request.workspace);
  auto fail = [&](const Status& why) {
    std::string data = "{\"action\":" + JsonQuote(request.action_path) + ",\"reason\":" + JsonQuote(why.message()) +
                       ",\"rule\":" + JsonQuote(request.rule_id) + ",\"trigger\":" + JsonQuote(trigger.id) + "}";
    return AppendRuleEvent(trigger, "rule.failed", request.rule_id, request.action_path + "#failed",
                           std::move(data), depth, pending);
  };
  if (!built.ok()) return fail(built.status());
  if (Status soon = RequireRearmDelay(*built, pending->cascade.fired_at); !soon.ok()) return fail(soon);
  Event& event = pending->KeepDerived(std::move(built).value());

  // A derived id already in the workspace's part of the batch or the log:
  // a hash collision, or a rule that repeats an action path (input events
  // cannot take ids of the derived namespace). It must not append twice,
  // nor vanish without a word: the rule failed, and says so.
  std::optional<uint64_t> taken_at;
  if (const StagedIds::Entry* staged = pending->staged_ids().Find(event.workspace, event.id)) taken_at = staged->seq;
  if (!taken_at) {
    KEEL_ASSIGN_OR_RETURN(taken_at, FindSeqById(event.workspace, event.id));
  }
  if (taken_at) {
    Status taken = Status::Conflict(request.type + " on " + request.subject + " was not appended: its derived id '" +
                                    event.id + "' is already taken in workspace '" + event.workspace + "' (seq " +
                                    std::to_string(*taken_at) + ")");
    pending->DropLastDerived();
    return fail(taken);
  }

  StageRequest derived{EventOrigin::kDerived, /*expected_version=*/std::nullopt, depth, /*react=*/true};
  KEEL_ASSIGN_OR_RETURN(Staged staged, StageWithEffects(event, derived, pending));
  if (staged.refused.ok()) return Status::OK();
  pending->DropLastDerived();
  return fail(staged.refused);
}

Status EventLogImpl::AppendRuleEvent(const Event& trigger, std::string_view type, std::string_view rule_id,
                                     std::string_view action_path, std::string data_json, int depth,
                                     PendingBatch* pending) {
  KEEL_ASSIGN_OR_RETURN(Event event,
                        BuildDerivedEvent(trigger, rule_id, action_path, type, trigger.subject, data_json,
                                          trigger.workspace));
  if (pending->staged_ids().Contains(event.workspace, event.id)) return Status::OK();
  Event& stored = pending->KeepDerived(std::move(event));
  // rule.halted ends a cascade; rule.failed may be reacted to (to alert
  // someone), one level further down.
  bool react = type == "rule.failed" && depth < limits_.max_depth;
  KEEL_ASSIGN_OR_RETURN(Staged staged,
                        StageWithEffects(stored, {EventOrigin::kDerived, std::nullopt, depth, react}, pending));
  return staged.refused;  // never refused: a rule event changes no entity and no timer
}

Result<Event> EventLogImpl::BuildDerivedEvent(const Event& trigger, std::string_view rule_id,
                                              std::string_view action_path, std::string_view type,
                                              std::string_view subject, std::string_view data_json,
                                              std::string_view workspace) {
  const std::string& correlation = trigger.correlation_id.empty() ? trigger.id : trigger.correlation_id;
  std::string text;
  text.reserve(400 + data_json.size());
  text += "{\"specversion\":\"1.0\",\"id\":" + JsonQuote(DerivedEventId(trigger.id, rule_id, action_path));
  text += ",\"source\":\"keel/rules\",\"type\":" + JsonQuote(type);
  text += ",\"time\":" + JsonQuote(trigger.time) + ",\"subject\":" + JsonQuote(subject);
  text += ",\"workspace\":" + JsonQuote(workspace);
  text += ",\"actor\":" + JsonQuote("rule:" + std::string(rule_id));
  text += ",\"causationid\":" + JsonQuote(trigger.id) + ",\"correlationid\":" + JsonQuote(correlation);
  text += ",\"ruleid\":" + JsonQuote(rule_id) + ",\"rulesethash\":" + JsonQuote(reactor_->ruleset_hash());
  text += ",\"data\":";
  text += data_json;
  text += "}";
  return derived_decoder_->DecodeDerived(text);
}

}  // namespace keel
