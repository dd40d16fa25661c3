#include "rules/calendar.h"

#include "rules/cel/time_zone.h"

namespace keel::rules {

bool WorkspaceCalendar::IsBusinessDay(const cel::CivilDay& day, int weekday) const {
  if (weekend_[weekday]) return false;
  return !holidays_.count(cel::DaysFromCivil(day.year, day.month, day.day));
}

}  // namespace keel::rules
