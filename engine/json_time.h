// RFC 3339 times, as the event language uses them (`time`, `due`, timers)
// and as CEL's timestamps read and print them: keel's one reader and writer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace keel {

// An instant to the nanosecond: whole seconds since the Unix epoch (UTC) and
// the nanoseconds past them, 0 to 999'999'999 (also before 1970).
struct Rfc3339Instant {
  int64_t seconds = 0;
  int32_t nanos = 0;
};
Rfc3339Instant InstantFromMicros(int64_t micros);

// What a reader takes beyond the strict form. The defaults are the event
// language's; CEL's timestamp() also takes a space for the 'T' and refuses
// leap seconds.
struct Rfc3339Syntax {
  bool space_separator = false;  // "2026-03-02 09:00:00Z"
  bool leap_second = true;       // 23:59:60 UTC
};

// Parses an RFC 3339 date-time ("2026-03-02T09:00:00Z",
// "2026-03-02T10:00:00.25+01:00"). Strict: four-digit year, a real calendar
// date, hours 00-23, an offset or Z (`t` and `z` may be lower case, as RFC
// 3339 allows). Digits past the nanosecond are truncated. A leap second (:60)
// is accepted only at 23:59 UTC and reads as 23:59:59.999999999, so that
// times keep their order. nullopt when `text` is not one. Allocation-free.
std::optional<Rfc3339Instant> TryParseRfc3339(std::string_view text, Rfc3339Syntax syntax = {});

// The same to microseconds since the epoch (digits past the microsecond
// truncated). Used by the engine for `time` and `--as-of`.
Result<int64_t> ParseRfc3339Micros(std::string_view text);
// Without building an error, for the validation hot path.
std::optional<int64_t> TryParseRfc3339Micros(std::string_view text);

// True when `text` is an RFC 3339 full-date (YYYY-MM-DD) naming a real day.
bool IsRfc3339FullDate(std::string_view text);
// The days from 1970-01-01 to that day; nullopt when it is not one.
std::optional<int64_t> ParseRfc3339FullDate(std::string_view text);

// How a writer shows the fraction of a second.
enum class Rfc3339Fraction {
  kNone,      // whole seconds, the fraction dropped: "09:00:00Z"
  kMillis,    // always three digits: "09:00:00.250Z" (log lines)
  kMicros,    // six digits when the microseconds are not zero: "09:00:00.250000Z"
  kShortest,  // the fewest digits that say it, to the nanosecond: "09:00:00.25Z" (CEL)
};

// `instant` as RFC 3339 in UTC: "2026-03-02T09:00:00Z" and the fraction as
// asked. nullopt outside the years 0000 to 9999, which RFC 3339 cannot write.
std::optional<std::string> FormatRfc3339(Rfc3339Instant instant, Rfc3339Fraction fraction);
// Microseconds since the epoch, with Rfc3339Fraction::kMicros.
std::optional<std::string> FormatRfc3339Micros(int64_t micros);

}  // namespace keel
