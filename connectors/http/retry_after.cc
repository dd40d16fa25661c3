// ParseRetryAfter (http_client.h): the two forms of Retry-After in RFC 9110,
// section 10.2.3: delay-seconds, or an HTTP-date in the preferred
// IMF-fixdate form ("Sun, 06 Nov 1994 08:49:37 GMT", section 5.6.7).
#include <array>
#include <chrono>
#include <algorithm>

#include "connectors/http/http_client.h"

namespace keel::http {
namespace {

// Longer waits are cut here: a receiver's day-long delay must not overflow
// the arithmetic, and the sink caps the wait far below it anyway.
constexpr int64_t kMaxDelaySeconds = int64_t{366} * 24 * 3600;

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Exactly `digits` ASCII digits at `text[at]`, or -1.
int Digits(std::string_view text, size_t at, size_t digits) {
  int value = 0;
  for (size_t i = at; i < at + digits; ++i) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

std::optional<int64_t> DelaySeconds(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t seconds = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = std::min(kMaxDelaySeconds, seconds * 10 + (c - '0'));
  }
  return seconds;
}

// Seconds since the epoch of an IMF-fixdate, or nullopt.
std::optional<int64_t> ImfFixdate(std::string_view text) {
  static constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // "Sun, 06 Nov 1994 08:49:37 GMT": every field at a fixed place.
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' ||
      text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  if (std::find(kDays.begin(), kDays.end(), text.substr(0, 3)) == kDays.end()) return std::nullopt;
  auto month = std::find(kMonths.begin(), kMonths.end(), text.substr(8, 3));
  if (month == kMonths.end()) return std::nullopt;
  int day = Digits(text, 5, 2), year = Digits(text, 12, 4);
  int hour = Digits(text, 17, 2), minute = Digits(text, 20, 2), second = Digits(text, 23, 2);
  if (day < 0 || year < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
    return std::nullopt;
  }
  std::chrono::year_month_day date{std::chrono::year(year),
                                   std::chrono::month(static_cast<unsigned>(month - kMonths.begin() + 1)),
                                   std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return std::nullopt;
  int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  return days * 86400 + hour * 3600 + minute * 60 + second;
}

}  // namespace

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value, int64_t now_unix_seconds) {
  value = TrimSpaces(value);
  if (std::optional<int64_t> seconds = DelaySeconds(value)) return std::chrono::seconds(*seconds);
  std::optional<int64_t> at = ImfFixdate(value);
  if (!at) return std::nullopt;
  // A date already past asks for no wait at all.
  int64_t seconds = std::clamp<int64_t>(*at - now_unix_seconds, 0, kMaxDelaySeconds);
  return std::chrono::seconds(seconds);
}

}  // namespace keel::http
