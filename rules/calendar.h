// Business calendars per workspace, declared in a rules file:
//
//   calendars:
//     acme:                        # a workspace, or "*" for every other one
//       timezone: Europe/Paris     # where days begin and end (default UTC)
//       weekend: [SAT, SUN]        # default [SAT, SUN]; [] for none
//       holidays: [2026-01-01, 2026-05-01]
//
// They are part of the rule set's sources, so its hash covers them and a
// replay counts business days as the first run did. Internal to rules/.
#pragma once

#include <bitset>
#include <cstdint>
#include <set>
#include <string>

#include "rules/cel/cel.h"

namespace keel::rules {

// Immutable once loaded; safe for concurrent use.
class WorkspaceCalendar final : public cel::BusinessCalendar {
 public:
  WorkspaceCalendar(std::string time_zone, std::bitset<7> weekend, std::set<int64_t> holidays)
      : time_zone_(std::move(time_zone)), weekend_(weekend), holidays_(std::move(holidays)) {}

  bool IsBusinessDay(const cel::CivilDay& day, int weekday) const override;
  std::string_view TimeZone() const override { return time_zone_; }

 private:
  std::string time_zone_;
  std::bitset<7> weekend_;      // 0 = Sunday
  std::set<int64_t> holidays_;  // days since 1970-01-01
};

}  // namespace keel::rules
