// Reactor: how rules plug into the ingest pipeline without the engine
// knowing rules/. The engine calls React for every event it appends (input or
// derived) inside the batch in hand; the reactor answers with the events its
// rules derive. The engine stamps, validates and appends them in the same
// WriteBatch, and lets them react in turn, up to a depth limit.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/state/entity_state.h"
#include "engine/event.h"
#include "engine/status.h"
#include "engine/log/timer.h"

namespace keel {

// Entity state as the batch in hand sees it: its own changes included.
class StateReader {
 public:
  virtual ~StateReader() = default;
  virtual Result<std::optional<EntityState>> Get(std::string_view workspace, const EntityRef& entity) = 0;
  // Visits every entity of `kind` in `workspace` (its id and state), in id
  // order, until `visit` returns false. Reads the whole kind: for roll-ups,
  // which must see every member.
  virtual Status ForEachEntity(std::string_view workspace, std::string_view kind,
                               const std::function<bool(std::string_view id, const EntityState& state)>& visit) = 0;
  // A pending timer of `workspace`, the batch's own changes included;
  // nullopt when it is not pending (never scheduled, fired or cancelled).
  virtual Result<std::optional<PendingTimer>> GetTimer(std::string_view workspace, std::string_view timer_id) = 0;
  // Visits every pending timer of `workspace`, the batch's changes included,
  // in timer id order, until `visit` returns false.
  virtual Status ForEachTimer(std::string_view workspace,
                              const std::function<bool(const PendingTimer& timer)>& visit) = 0;
  // The tenant workspaces of the log, sorted: every workspace an event was
  // appended to (the batch's included), without the engine's `system`. The
  // engine knows them already (one meta key each), so a rule set being
  // activated reaches every tenant's entities without scanning the log.
  virtual Result<std::vector<std::string>> Workspaces() = 0;
};

// Its pointers are valid during Reactor::React only.
struct ReactionInput {
  const Event& event;            // just appended
  const EntityState* before;     // the entity before it; nullptr when it had no state
  const EntityState* after;      // the entity after it; nullptr when the event changes no state
  int depth;                     // 0 for an input event, 1 for what it derived, ...
};

// One event a rule wants appended. The engine fills in the rest: a derived id
// (from the trigger's id, the rule id and the action path, so a redelivered
// trigger derives the same ids), the trigger's time and workspace (rules
// cannot reach another workspace), source, actor, causation, correlation,
// rule id and rule-set hash.
struct DerivedEventRequest {
  std::string rule_id;
  std::string action_path;  // e.g. "then[1].create_task"; unique within one rule's reaction
  std::string type;
  std::string subject;      // KIND/ID in the trigger's workspace
  std::string data_json;    // a JSON object; need not be canonical
  // Empty: the trigger's workspace, always for tenant events (invariant 8).
  // Only a trigger in the engine's `system` workspace (ruleset.activated),
  // which belongs to no tenant, may name the workspace of what it derives:
  // that is how a rule set arms its schedules in the workspaces they serve.
  std::string workspace;
};

// A rule that could not run (a template read a missing field, ...): the
// engine appends a `rule.failed` event with the reason; other rules still run.
struct RuleFailure {
  std::string rule_id;
  std::string action_path;
  std::string reason;
};

struct Reaction {
  std::vector<DerivedEventRequest> events;
  std::vector<RuleFailure> failures;
};

class Reactor {
 public:
  virtual ~Reactor() = default;
  // The hash of the active rule set, stamped on every derived event.
  virtual const std::string& ruleset_hash() const = 0;
  // Appends to `*reaction` what the rules derive from `input`, in a
  // deterministic order. Must not depend on anything but its arguments and
  // the rule set (invariant 4). An error return aborts the whole batch.
  virtual Status React(const ReactionInput& input, StateReader& state, Reaction* reaction) = 0;
};

}  // namespace keel
