#include "engine/schema/time_window.h"

#include <string>

#include "engine/json_time.h"

namespace keel {
namespace {

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;
constexpr int64_t kWidestDays = 4'000'000;  // more than years 0000 to 9999

int64_t NowMicros(const TimeWindow& window) {
  static const SystemClock system_clock;
  return (window.clock != nullptr ? window.clock : &system_clock)->NowMicros();
}

}  // namespace

bool TimeWindow::Contains(int64_t event_micros) const {
  // Event times are years 0000 to 9999 (RFC 3339), so the gap fits in 64
  // bits; a window wider than that range bounds nothing.
  if (days <= 0 || days > kWidestDays) return true;
  int64_t now = NowMicros(*this);
  int64_t gap = event_micros > now ? event_micros - now : now - event_micros;
  return gap <= days * kMicrosPerDay;
}

Status TimeWindow::Check(std::string_view time_text, int64_t event_micros) const {
  if (Contains(event_micros)) return Status::OK();
  int64_t now = NowMicros(*this);
  bool before = event_micros < now;
  int64_t distance_days = (before ? now - event_micros : event_micros - now) / kMicrosPerDay;
  std::string clock_time = FormatRfc3339Micros(now - now % 1000000).value_or("now");  // to the second
  return Status::InvalidArgument("time " + std::string(time_text) + " lies " + std::to_string(distance_days) +
                                 " days " + (before ? "before" : "after") + " the clock (" + clock_time +
                                 "); an input event may lie at most " + std::to_string(days) +
                                 " days from it (--event-time-window; in serve.yaml event_time_window_days)");
}

}  // namespace keel
