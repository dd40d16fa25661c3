// RuleReactor: a loaded RuleSet plugged into the engine's ingest path.
//
//   auto reactor = rules::AttachRuleSet(*log, std::move(set), schemas);
//   // every append now runs the rules (rules/react/attach_rule_set.h)
//
// For each event the engine appends, React looks up the rules listening to
// its type (one hash probe) and, among them, those whose condition's literal
// guard (`event.data.to == "done"`) can hold for this event (a second probe),
// keeps those whose scope holds the event's workspace, evaluates their
// conditions over `event`, `entity`, `before`,
// `parent` and `workspace`, and turns the actions of the rules that fire into
// event requests. A rule is all or nothing: when one of its actions fails
// (a template reads a missing field, ...), none of its events are requested
// and a RuleFailure names the rule, the action and why; the other rules
// still run. Nothing here reads a clock: `now()` is the event's time.
//
// The engine calls React from its writer thread only; `stats()` is read
// between appends.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/log/reactor.h"
#include "rules/ruleset.h"

namespace keel::rules {

struct ReactorStats {
  std::map<std::string, uint64_t> fired;  // rule id -> events whose conditions it matched
  uint64_t failed = 0;                    // RuleFailures reported
};

class RuleReactor final : public Reactor {
 public:
  explicit RuleReactor(RuleSet rules);

  const std::string& ruleset_hash() const override { return rules_.hash(); }
  Status React(const ReactionInput& input, StateReader& state, Reaction* reaction) override;

  const RuleSet& rules() const { return rules_; }
  const ReactorStats& stats() const { return stats_; }

 private:
  // The candidates of one event type, split by the guard most of them share.
  struct TypeIndex {
    std::vector<const Rule*> rules;            // by order, then id
    std::vector<std::string> guard_path;       // empty: no rule has a guard
    std::unordered_map<std::string, std::vector<size_t>> guarded;  // guard value key -> rules
    std::vector<size_t> unguarded;             // rules without a guard on guard_path
  };
  void BuildIndex();
  // The candidates that can fire for an event whose guard path holds
  // `value` (nullptr: it does not resolve, so all must be evaluated), in order.
  void Select(const TypeIndex& index, const cel::Value* value, std::vector<const Rule*>* out) const;

  RuleSet rules_;
  std::unordered_map<std::string, TypeIndex> index_;
  cel::Activation activation_;  // rebound for every event (React runs on the writer thread only)
  std::vector<std::string_view> event_members_;  // what this event's conditions read of it; reused
  ReactorStats stats_;
};

// The event's time as a CEL timestamp (null when out of CEL's range).
cel::Value EventTime(const Event& event);
// `event` as rules see it: the CloudEvent's attributes and data, with `time`
// the timestamp `time` (so `event.time + duration("48h")` and the accessors work).
cel::Value EventValue(const Event& event, const cel::Value& time);

// The index key of a guard's value: equal CEL values (1, 1u and 1.0) share
// it; nullopt for values no guard holds (NaN, lists, ...).
std::optional<std::string> GuardKey(const cel::Value& value);

}  // namespace keel::rules
