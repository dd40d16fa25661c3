// TimeWindow: how far an input event's time may lie from the clock's now.
//
// An event's time is where rules and timers place it: a rule set takes
// effect at the time of the first event after it is loaded, and schedules
// count from there. One workspace's event dated year 0001 or 9999 would move
// every workspace's schedules with it (invariant 8), so ingest refuses input
// dated further from now than the window, either way.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/clock.h"
#include "engine/status.h"

namespace keel {

struct TimeWindow {
  // About ten years: room to import a decade of a tool's history, and clock
  // skew of any size; year 0001 and 9999 are far outside. 0: no bound.
  static constexpr int64_t kDefaultDays = 3660;

  int64_t days = kDefaultDays;
  const Clock* clock = nullptr;  // nullptr: the system clock

  // OK when `event_micros` lies within `days` of now; otherwise
  // InvalidArgument naming the time (`time_text`), how far it lies and the bound.
  Status Check(std::string_view time_text, int64_t event_micros) const;
  bool Contains(int64_t event_micros) const;
};

}  // namespace keel
