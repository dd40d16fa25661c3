// Durable timers as the engine keeps them: one record per pending timer in
// the `timers` column family, written by the append path from the events
// that schedule, cancel and fire timers (engine/FORMAT.md, "timers").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/event.h"
#include "engine/status.h"

namespace keel {

// The event types that change the `timers` column family.
inline constexpr std::string_view kTimerScheduled = "timer.scheduled";
inline constexpr std::string_view kTimerCancelled = "timer.cancelled";
inline constexpr std::string_view kTimerFired = "timer.fired";
// source and actor of the timer.fired events the engine appends.
inline constexpr std::string_view kTimerSource = "keel/timers";
inline constexpr std::string_view kEngineActor = "system:keel";

bool ChangesTimers(std::string_view event_type);

// A timer waiting for its time. Timer ids are unique per workspace.
struct PendingTimer {
  std::string workspace;
  std::string timer_id;
  std::string name;
  std::string subject;        // KIND/ID, the timer.scheduled event's
  std::string scheduled_for;  // RFC 3339, as scheduled: the fired event's time
  int64_t fire_micros = 0;    // scheduled_for in microseconds since the epoch
  std::string scheduled_by;   // id of the timer.scheduled event
  std::string correlation_id; // of the timer.scheduled event (its id when it has none)
  std::string target;         // canonical JSON of data.target, or empty
  std::string payload;        // canonical JSON of data.payload, or empty

  bool operator==(const PendingTimer&) const = default;
};

// The timer a timer.scheduled event asks for. InvalidArgument when its data
// lacks the timer id, the name or a valid scheduled_for.
Result<PendingTimer> TimerFromScheduledEvent(const Event& scheduled);

// The `timers` value: [kTimerRecordV1][canonical JSON of the timer].
std::string EncodeTimerRecord(const PendingTimer& timer);
Result<PendingTimer> DecodeTimerRecord(std::string_view record);

// The timer.fired event of `timer`, in canonical form: id "f-" + 32 hex of
// SHA-256 over the scheduling event's id (so one scheduling fires at most
// once, however often a crash makes the scheduler try), time = scheduled_for
// (never the clock), subject and workspace of the timer, source keel/timers,
// actor system:keel, causationid the scheduling event, data {timer, name,
// scheduled_for, fired_at?, target?, payload?}. `fired_at_micros` is the
// clock's time of the firing (the scheduler's now; under the event clock, the
// next event's time): recorded as fired_at when it is kLateFiringMicros or
// more after scheduled_for, so that a schedule far behind the clock skips
// ahead the same way in every replay, while a timer fired on time stays a
// function of its scheduling alone.
inline constexpr int64_t kLateFiringMicros = int64_t{60} * 1000000;
Result<Event> TimerFiredEvent(const PendingTimer& timer, int64_t fired_at_micros);

}  // namespace keel
