#include "rules/audit/whatif.h"

#include <algorithm>
#include <map>
#include <memory>
#include <utility>

#include <nlohmann/json.hpp>

#include "engine/canonical_json.h"
#include "engine/schema/schema_registry.h"
#include "engine/log/timer.h"
#include "rules/react/attach_rule_set.h"
#include "rules/react/ruleset_store.h"

namespace keel::rules {
namespace {

constexpr size_t kGroup = 1000;

// A derived event as compared: canonical JSON without `rulesethash`, which
// differs between any two rule sets by definition.
struct Effect {
  std::string id, rule, type, subject, trigger, comparable;
};

std::string Comparable(const Event& event) {
  nlohmann::json json = nlohmann::json::parse(event.canonical);
  json.erase("rulesethash");
  // When a late timer fired depends on the clock each run had, not on the rules.
  if (event.type == kTimerFired && json["data"].is_object()) json["data"].erase("fired_at");
  return json.dump();
}

// The rule an effect is counted under. A timer.fired is the engine's, not a
// rule's: it counts under the time rule its name is for ("due:remind" ->
// remind), or as "timer:NAME" for a timer a `schedule` action set.
std::string RuleOf(const Event& event) {
  if (!event.rule_id.empty()) return event.rule_id;
  std::string_view raw = FindCanonicalMember(event.data(), "name");
  std::string name = IsJsonString(raw) ? DecodeJsonString(raw) : std::string();
  for (std::string_view prefix : {"due:", "overdue:", "idle:", "schedule:"}) {
    if (name.compare(0, prefix.size(), prefix) == 0) return name.substr(prefix.size());
  }
  return "timer:" + name;
}

// What the rules made: derived events, and the timers that fired.
bool IsEffect(const Event& event) { return event.is_derived() || event.type == kTimerFired; }

bool InRange(int64_t micros, const WhatIfOptions& options) {
  return (!options.from_micros || micros >= *options.from_micros) && (!options.to_micros || micros <= *options.to_micros);
}

// Effects by (workspace, event id).
using EffectsById = std::map<std::pair<std::string, std::string>, Effect>;

Result<EffectsById> Effects(const EventLog& log, const WhatIfOptions& options) {
  EffectsById effects;
  KEEL_RETURN_IF_ERROR(log.Scan(1, UINT64_MAX, [&](const StoredEvent& stored) {
    const Event& e = stored.event;
    if (IsEffect(e) && InRange(e.time_micros, options)) {
      // Ids are unique per workspace: two workspaces' triggers of one id
      // derive the same ids, and both are effects.
      effects[{e.workspace, e.id}] = {e.id, RuleOf(e), e.type, e.subject, e.causation_id, Comparable(e)};
    }
    return true;
  }));
  return effects;
}

}  // namespace

Result<WhatIfResult> WhatIf(const EventLog& recorded, const RuleSet& candidate, const std::filesystem::path& scratch_dir,
                            const WhatIfOptions& options) {
  LogOptions log_options;
  log_options.create_if_missing = true;
  log_options.sync = SyncMode::kOff;
  // The event clock, as `keel run --clock=events`: the candidate's timers
  // fire where they fall among the recorded inputs.
  log_options.fire_timers_at_event_time = true;
  // The candidate runs under the cascade limits the recorded rules ran
  // under, so a limit is not a difference between the two.
  KEEL_ASSIGN_OR_RETURN(CascadeLimits limits, recorded.ActiveRuleSetLimits());
  log_options.max_cascade_depth = limits.max_depth;
  log_options.max_derived_per_input = limits.max_derived;
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<EventLog> scratch, EventLog::Open(scratch_dir, log_options));
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<SchemaRegistry> schemas, SchemaRegistry::LoadEmbedded());
  for (const auto& [type, schema] : candidate.custom_event_types()) {
    KEEL_RETURN_IF_ERROR(schemas->AddType(type, RuleSet::CustomEventSchema(type, schema)));
  }
  AttachRuleSet(*scratch, candidate, schemas.get());

  WhatIfResult result;
  std::vector<AppendRequest> group;
  Status failed;
  const uint64_t head = recorded.Head().seq;
  auto flush = [&]() -> Status {
    if (group.empty()) return Status::OK();
    KEEL_ASSIGN_OR_RETURN(std::vector<AppendResult> appended, scratch->Append(std::move(group)));
    group.clear();
    (void)appended;
    return Status::OK();
  };
  bool activated = false;
  std::optional<int64_t> latest;  // the latest time of any recorded event
  KEEL_RETURN_IF_ERROR(recorded.Scan(1, UINT64_MAX, [&](const StoredEvent& stored) {
    const Event& e = stored.event;
    if (options.progress && stored.seq % 10000 == 0) options.progress(stored.seq, head);
    latest = std::max(latest.value_or(e.time_micros), e.time_micros);
    // Recorded timer.fired events are the old rules' timers: the candidate's
    // own fire on the event clock instead.
    if (e.is_derived() || e.type == kTimerFired) return true;
    if (options.to_micros && e.time_micros > *options.to_micros) return true;
    if (!activated) {
      // The candidate goes live where the log begins, so it arms its
      // schedules (and due timers) as an activation in `keel run` does.
      Result<uint64_t> seq = ActivateRuleSet(*scratch, candidate, e.time);
      failed = seq.status();
      activated = true;
      if (!failed.ok()) return false;
    }
    if (e.type == "ruleset.activated") return true;
    ++result.inputs;
    group.push_back({e, std::nullopt});
    if (group.size() >= kGroup) failed = flush();
    return failed.ok();
  }));
  KEEL_RETURN_IF_ERROR(failed);
  KEEL_RETURN_IF_ERROR(flush());
  // The event clock stops at the last input, and the recorded history's
  // went on beyond it when it fired timers later (keel run --until, the
  // wall clock): the candidate's clock runs on to the end of the window, by
  // default as far as the recorded clock is known to have gone (its latest
  // event), so both histories end at the same time.
  std::optional<int64_t> clock_end = options.to_micros ? options.to_micros : latest;
  if (clock_end && activated) {
    for (;;) {
      KEEL_ASSIGN_OR_RETURN(size_t fired, scratch->FireDueTimers(*clock_end, kGroup));
      if (fired == 0) break;
    }
  }

  KEEL_ASSIGN_OR_RETURN(auto before, Effects(recorded, options));
  KEEL_ASSIGN_OR_RETURN(auto after, Effects(*scratch, options));
  auto note = [&](const std::string& change, const Effect& e, std::string old_text, std::string new_text) {
    RuleCounts& counts = result.by_rule[e.rule];
    (change == "added" ? counts.added : change == "removed" ? counts.removed : counts.changed)++;
    (change == "added" ? result.added : change == "removed" ? result.removed : result.changed)++;
    result.details.push_back({change, e.rule, e.id, e.type, e.subject, e.trigger, std::move(old_text), std::move(new_text)});
  };
  for (const auto& [key, old_effect] : before) {
    auto it = after.find(key);
    if (it == after.end()) {
      note("removed", old_effect, old_effect.comparable, "");
    } else if (it->second.comparable != old_effect.comparable) {
      note("changed", it->second, old_effect.comparable, it->second.comparable);
    } else {
      ++result.unchanged;
    }
  }
  for (const auto& [key, new_effect] : after) {
    if (!before.count(key)) note("added", new_effect, "", new_effect.comparable);
  }
  std::stable_sort(result.details.begin(), result.details.end(), [](const EffectDifference& a, const EffectDifference& b) {
    return a.rule != b.rule ? a.rule < b.rule : a.id < b.id;
  });
  return result;
}

}  // namespace keel::rules
