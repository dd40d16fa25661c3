// Rule sets in the log: activating one (its sources stored under its hash, a
// `ruleset.activated` event appended) and loading a stored one again, for
// replays and audits.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "engine/ingest/ingest.h"
#include "engine/log/event_log.h"
#include "engine/schema/time_window.h"
#include "engine/status.h"
#include "rules/ruleset.h"

namespace keel::rules {

// The bytes stored under a rule set's hash: for each file, sorted by key, the
// key, a NUL byte, the size as 8 bytes big-endian, and the bytes; exactly
// what the hash covers, so SHA-256 of the stored value is its key.
std::string SerializeRuleSetSources(const RuleSetSources& sources);
// The reverse. Corruption when the bytes are not in that shape.
Result<RuleSetSources> ParseRuleSetSources(std::string_view bytes);

// Makes `rules` the log's active rule set, taking effect at `time` (RFC
// 3339; the time of the first event it will see), under `limits` (nullopt:
// the limits the log runs under, from its LogOptions). Returns the seq of
// the `ruleset.activated` event, or 0 when `rules` was already active under
// the same limits.
Result<uint64_t> ActivateRuleSet(EventLog& log, const RuleSet& rules, std::string time,
                                 std::optional<CascadeLimits> limits = std::nullopt);

// The rule set stored under `hash`, loaded again.
Result<RuleSet> LoadStoredRuleSet(const EventLog& log, std::string_view hash, const LoadOptions& options = {});

// The log's active rule set, loaded again; nullopt when none was activated.
Result<std::optional<RuleSet>> LoadActiveRuleSet(const EventLog& log);

// The time of the first item that has one inside `window`: when a newly
// loaded rule set takes effect. From the input, never the clock, so runs are
// reproducible; an item ingest will refuse for its time (year 0001, 9999)
// must not move every workspace's schedules with it.
std::optional<std::string> FirstEventTime(std::span<const IngestItem> items, const TimeWindow& window);

}  // namespace keel::rules
