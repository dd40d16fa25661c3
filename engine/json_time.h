// RFC 3339 times, as the event language uses them: `time`, `due`, timers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace keel {

// Parses an RFC 3339 date-time ("2026-03-02T09:00:00Z",
// "2026-03-02T10:00:00.25+01:00") to microseconds since the Unix epoch (UTC).
// Strict: four-digit year, a real calendar date, hours 00-23, an offset or Z
// (`t` and `z` may be lower case, as RFC 3339 allows). Digits past the
// microsecond are truncated. A leap second (:60) is accepted only at 23:59
// UTC and reads as 23:59:59.999999, so that times keep their order.
// Used by the engine for `time` and `--as-of`.
Result<int64_t> ParseRfc3339Micros(std::string_view text);

// The same parse without building an error: nullopt when `text` is not an
// RFC 3339 date-time. Allocation-free, for the validation hot path.
std::optional<int64_t> TryParseRfc3339Micros(std::string_view text);

// True when `text` is an RFC 3339 full-date (YYYY-MM-DD) naming a real day.
bool IsRfc3339FullDate(std::string_view text);

// Microseconds since the epoch as RFC 3339 in UTC: "2026-03-02T09:00:00Z",
// with ".ffffff" when there is a fraction of a second. nullopt outside the
// years 0000 to 9999, which RFC 3339 cannot write.
std::optional<std::string> FormatRfc3339Micros(int64_t micros);

}  // namespace keel
