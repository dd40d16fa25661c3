// Scheduler: fires the log's due timers as time passes.
//
//   SystemClock clock;
//   Scheduler scheduler(log.get(), &clock);
//   KEEL_ASSIGN_OR_RETURN(uint64_t fired, scheduler.FireDue());
//
// `keel run` calls FireDue between input batches; `keel serve` calls
// FireBatchDueUntil from each partition's periodic service.
//
// What is due is read from the `timers` family a batch at a time (never all
// pending timers at once). After a restart the first FireDue fires every
// timer that fell due while keel was down (catch-up), each once: a timer
// leaves `timers` in the WriteBatch that appends its timer.fired, and a
// timer.fired id already in the log is never appended again.
//
// Not thread-safe: call it from the thread that appends to the log.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/clock.h"
#include "engine/log/event_log.h"

namespace keel {

struct SchedulerOptions {
  size_t timers_per_batch = 1000;  // timer.fired events per WriteBatch
};

class Scheduler {
 public:
  // `log` and `clock` must outlive the scheduler.
  Scheduler(EventLog* log, const Clock* clock, SchedulerOptions options = {})
      : log_(log), clock_(clock), options_(options) {}

  // Fires every timer due at or before the clock's now, including the ones
  // that cascades of those firings make due. Returns how many it took.
  Result<uint64_t> FireDue() { return FireDueUntil(clock_->NowMicros()); }
  // The same up to `micros`, whatever the clock says (`keel run --until`).
  Result<uint64_t> FireDueUntil(int64_t micros);
  // One WriteBatch of at most `timers_per_batch` of the timers due at or
  // before `micros`, for a loop with other work between batches (keel
  // serve polls Kafka in between). Fewer than a batch means none is left.
  Result<size_t> FireBatchDueUntil(int64_t micros) {
    return log_->FireDueTimers(micros, options_.timers_per_batch);
  }

  const Clock& clock() const { return *clock_; }
  const SchedulerOptions& options() const { return options_; }

 private:
  EventLog* log_;
  const Clock* clock_;
  SchedulerOptions options_;
};

}  // namespace keel
