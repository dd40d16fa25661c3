// The ids keel derives from what caused them, never drawn at random: a
// redelivered trigger derives the same ids again, so what it would add is
// found as a duplicate instead of added twice. The shapes are part of the log
// format (engine/FORMAT.md, "Derived ids"): a replay derives them again and
// compares, so changing one makes every recorded history diverge.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace keel {

// A derived event: "d-" and 32 hex digits of SHA-256 over 32 zero bytes,
// then `trigger_id` NUL `rule_id` NUL `action_path`.
std::string DerivedEventId(std::string_view trigger_id, std::string_view rule_id, std::string_view action_path);

// An entity an action creates (a task, an approval, a timer): `prefix` and 16
// hex digits of the same hash as DerivedEventId's.
std::string DerivedEntityId(std::string_view prefix, std::string_view trigger_id, std::string_view rule_id,
                            std::string_view action_path);

// The firing of a pending timer: "f-" and 32 hex digits of plain SHA-256
// over "timer.fired" NUL `scheduled_by` (the id of the event that armed it).
std::string TimerFiringId(std::string_view scheduled_by);

// A rule set's activation at `seq`: "ruleset-" SEQ "-" and the first 16 hex
// digits of the rule set's hash.
std::string RuleSetActivationId(uint64_t seq, std::string_view ruleset_hash);

// True for an id of the form the engine gives the events it makes: "d-" or
// "f-" and 32 lower-case hex digits (derived events and timer firings), or
// "ruleset-" SEQ "-" and 16 hex digits (ruleset.activated). Input events may not take
// one: an input holding the id a rule will derive would take its place.
bool IsDerivedEventId(std::string_view id);

}  // namespace keel
