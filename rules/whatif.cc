#include "rules/whatif.h"

#include <memory>

#include <nlohmann/json.hpp>

#include "engine/schema_registry.h"
#include "rules/rule_reactor.h"

namespace keel::rules {
namespace {

constexpr size_t kGroup = 1000;

// A derived event as compared: canonical JSON without `rulesethash`, which
// differs between any two rule sets by definition.
struct Effect {
  std::string rule, type, subject, trigger, comparable;
};

std::string Comparable(const Event& event) {
  nlohmann::json json = nlohmann::json::parse(event.canonical);
  json.erase("rulesethash");
  return json.dump();
}

bool InRange(int64_t micros, const WhatIfOptions& options) {
  return (!options.from_micros || micros >= *options.from_micros) && (!options.to_micros || micros <= *options.to_micros);
}

Result<std::map<std::string, Effect>> Effects(const EventLog& log, const WhatIfOptions& options) {
  std::map<std::string, Effect> effects;
  KEEL_RETURN_IF_ERROR(log.Scan(1, UINT64_MAX, [&](const StoredEvent& stored) {
    const Event& e = stored.event;
    if (e.is_derived() && InRange(e.time_micros, options)) {
      effects[e.id] = {e.rule_id, e.type, e.subject, e.causation_id, Comparable(e)};
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
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<EventLog> scratch, EventLog::Open(scratch_dir, log_options));
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<SchemaRegistry> schemas, SchemaRegistry::LoadEmbedded());
  for (const auto& [type, schema] : candidate.custom_event_types()) {
    KEEL_RETURN_IF_ERROR(schemas->AddType(type, RuleSet::CustomEventSchema(type, schema)));
  }
  scratch->SetReactor(std::make_shared<RuleReactor>(candidate), schemas.get());

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
  KEEL_RETURN_IF_ERROR(recorded.Scan(1, UINT64_MAX, [&](const StoredEvent& stored) {
    const Event& e = stored.event;
    if (options.progress && stored.seq % 10000 == 0) options.progress(stored.seq, head);
    if (e.is_derived() || e.type == "ruleset.activated") return true;
    if (options.to_micros && e.time_micros > *options.to_micros) return true;
    ++result.inputs;
    group.push_back({e, std::nullopt});
    if (group.size() >= kGroup) failed = flush();
    return failed.ok();
  }));
  KEEL_RETURN_IF_ERROR(failed);
  KEEL_RETURN_IF_ERROR(flush());

  KEEL_ASSIGN_OR_RETURN(auto before, Effects(recorded, options));
  KEEL_ASSIGN_OR_RETURN(auto after, Effects(*scratch, options));
  auto note = [&](const std::string& change, const std::string& id, const Effect& e, std::string old_text,
                  std::string new_text) {
    RuleCounts& counts = result.by_rule[e.rule];
    (change == "added" ? counts.added : change == "removed" ? counts.removed : counts.changed)++;
    (change == "added" ? result.added : change == "removed" ? result.removed : result.changed)++;
    result.details.push_back({change, e.rule, id, e.type, e.subject, e.trigger, std::move(old_text), std::move(new_text)});
  };
  for (const auto& [id, old_effect] : before) {
    auto it = after.find(id);
    if (it == after.end()) {
      note("removed", id, old_effect, old_effect.comparable, "");
    } else if (it->second.comparable != old_effect.comparable) {
      note("changed", id, it->second, old_effect.comparable, it->second.comparable);
    } else {
      ++result.unchanged;
    }
  }
  for (const auto& [id, new_effect] : after) {
    if (!before.count(id)) note("added", id, new_effect, "", new_effect.comparable);
  }
  std::stable_sort(result.details.begin(), result.details.end(), [](const EffectDifference& a, const EffectDifference& b) {
    return a.rule != b.rule ? a.rule < b.rule : a.id < b.id;
  });
  return result;
}

}  // namespace keel::rules
