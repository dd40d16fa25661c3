// RFC 3339 times: parsing event times and printing them back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace keel {

// Parses "2026-03-02T09:00:00Z" or "2026-03-02T10:00:00.250+01:00" to
// microseconds since the Unix epoch (UTC). Refuses impossible dates and times.
Result<int64_t> ParseTimeMicros(std::string_view text);

// Formats microseconds since the epoch as "2026-03-02T09:00:00Z", with
// fractional seconds only when there are any.
std::string FormatTimeMicros(int64_t micros);

}  // namespace keel
