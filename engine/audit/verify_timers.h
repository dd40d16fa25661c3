// The timers part of `VerifyLog` (engine/audit/verify.h), private to it: the
// `timers` family must hold exactly the timers a rebuild from the log's
// timer.scheduled, timer.cancelled and timer.fired events leaves pending
// (engine/FORMAT.md, "timers"), both keys of each. A stray timer would fire
// a reminder no event asked for; a missing one would never fire.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/log/event_log.h"
#include "engine/log/timer.h"

namespace keel {

class TimerVerifier {
 public:
  // Problems are appended to `*problems`, each naming its seq or timer.
  TimerVerifier(const EventLog& log, std::vector<std::string>* problems);

  // Called with every decoded event, in log order.
  void OnEvent(uint64_t seq, const Event& event);
  // Called after the last event. Returns an error only when the log cannot be read.
  Status Finish();

 private:
  void Problem(std::string text) { problems_.push_back(std::move(text)); }
  // The `timers` entries the rebuild implies, by key.
  std::map<std::string, std::string> ExpectedEntries() const;
  Status NameDifferences();

  const EventLog& log_;
  std::vector<std::string>& problems_;
  // The pending timers after the events so far, by `I` key.
  std::unordered_map<std::string, PendingTimer> rebuilt_;
};

}  // namespace keel
