// The SinkRunner's workers: which event goes next, one try of it, and what
// comes of the try (delivered, tried again later, dead-lettered).
#include <algorithm>
#include <limits>

#include "connectors/json_log.h"
#include "connectors/sinks/answer_events.h"
#include "connectors/sinks/sink_runner.h"
#include "connectors/sinks/sink_runner_impl.h"
#include "engine/json_time.h"

namespace keel::sinks {
namespace {

std::string WallTime(int64_t micros) { return FormatRfc3339Micros(micros).value_or(""); }

}  // namespace

void SinkRunner::WorkLoop() {
  Lane* lane = nullptr;
  while (Pending* event = NextDue(&lane)) {
    Attempted attempted = Attempt(*event);
    Finish(lane, event, attempted);
  }
}

// The first event of the first lane in turn whose backoff is over; waits
// for one. nullptr once the runner stops.
SinkRunner::Pending* SinkRunner::NextDue(Lane** lane) {
  MutexLock lock(&mu_);
  while (!stopping_) {
    int64_t now = NowMicros();
    int64_t next_due = std::numeric_limits<int64_t>::max();
    for (auto it = ready_.begin(); it != ready_.end(); ++it) {
      Pending* first = (*it)->events.front();
      if (first->not_before_micros <= now) {
        *lane = *it;
        ready_.erase(it);
        (*lane)->busy = true;
        return first;
      }
      next_due = std::min(next_due, first->not_before_micros);
    }
    // A poll at the latest: an injected clock may move without a signal.
    int64_t wait = std::min<int64_t>(next_due - now, std::chrono::microseconds(options_.poll_interval).count());
    work_ready_.WaitFor(&mu_, std::chrono::microseconds(std::max<int64_t>(wait, 1)));
  }
  return nullptr;
}

bool SinkRunner::WaitUnlessStopped(int64_t micros) {
  int64_t deadline = NowMicros() + micros;
  MutexLock lock(&mu_);
  while (!stopping_) {
    int64_t left = deadline - NowMicros();
    if (left <= 0) return true;
    int64_t poll = std::chrono::microseconds(options_.poll_interval).count();
    work_ready_.WaitFor(&mu_, std::chrono::microseconds(std::min(left, poll)));
  }
  return false;
}

SinkRunner::Attempted SinkRunner::Attempt(Pending& event) {
  if (event.letter_refused) return GiveUp(event);  // still waiting for room among the dead letters
  if (!event.prepared) {
    Result<std::optional<OutboundMessage>> prepared = parts_.channel->Prepare(event.stored);
    if (!prepared.ok()) {
      event.last_status = 0;
      event.last_detail = "cannot prepare the message: " + prepared.status().message();
      return GiveUp(event);
    }
    event.prepared = true;
    event.message = std::move(prepared).value();
  }
  if (!event.message) return {Attempted::kIgnored, std::nullopt};
  int64_t wait = 0;
  {
    MutexLock lock(&mu_);
    wait = bucket_.Reserve(NowMicros());
  }
  if (wait > 0 && !WaitUnlessStopped(wait)) return {Attempted::kAbandoned, std::nullopt};
  int64_t now = NowMicros();
  if (event.attempts == 0) event.first_try_micros = now;
  event.last_try_micros = now;
  ++event.attempts;
  TryResult result = parts_.channel->Send(event.stored, *event.message);
  event.last_status = StatusOfDetail(result.detail);
  event.last_detail = std::move(result.detail);
  switch (result.outcome) {
    case TryOutcome::kDelivered:
      break;
    case TryOutcome::kRetry:
      return RetryOrGiveUp(event, result.retry_after);
    case TryOutcome::kPermanent:
      return GiveUp(event);
  }
  if (!result.answer_events.empty()) {
    CompleteAnswerEvents(event.stored.event, options_.name, result.answer_events);
    Status appended = parts_.append_answers
                          ? parts_.append_answers(std::move(result.answer_events))
                          : Status::FailedPrecondition("nothing appends the answer events of sink " + options_.name);
    if (!appended.ok()) {
      event.last_detail = "delivered, but cannot append the answer events: " + appended.message();
      if (appended.code() == StatusCode::kInvalidArgument) return GiveUp(event);  // refused for good
      // Not in the log yet: send again (with the same idempotency key)
      // rather than lose the answer.
      return RetryOrGiveUp(event, std::nullopt);
    }
  }
  return {Attempted::kDelivered, std::nullopt};
}

SinkRunner::Attempted SinkRunner::RetryOrGiveUp(Pending& event, std::optional<std::chrono::milliseconds> retry_after) {
  if (event.attempts >= options_.retry.max_attempts) return GiveUp(event);
  return {Attempted::kRetry, retry_after};
}

SinkRunner::Attempted SinkRunner::GiveUp(Pending& event) {
  SinkDeadLetter letter;
  letter.sink = options_.name;
  letter.seq = event.stored.seq;
  letter.event_id = event.stored.event.id;
  letter.workspace = event.stored.event.workspace;
  letter.attempts = event.attempts;
  letter.status = event.last_status;
  letter.reason = event.last_detail;
  int64_t now = NowMicros();
  letter.first_try = WallTime(event.first_try_micros != 0 ? event.first_try_micros : now);
  letter.last_try = WallTime(event.last_try_micros != 0 ? event.last_try_micros : now);
  Status kept = parts_.dead_letters->Put(letter);
  if (kept.ok()) {
    event.letter_refused = false;
    return {Attempted::kDeadLettered, std::nullopt};
  }
  // Passing the event without its letter would lose it: hold the workspace
  // back (the stalled metric shows it) and try again later.
  if (!event.letter_refused && !logged_letters_full_.exchange(true)) {
    Log(LogLevel::kError, "a sink cannot keep a dead letter; it holds the event back until it can",
        {{"sink", options_.name}, {"seq", std::to_string(event.stored.seq)}, {"error", kept.ToString()}});
  }
  event.letter_refused = true;
  return {Attempted::kLetterRefused, std::nullopt};
}

void SinkRunner::Finish(Lane* lane, Pending* event, const Attempted& attempted) {
  MutexLock lock(&mu_);
  lane->busy = false;
  bool done = false;
  switch (attempted.kind) {
    case Attempted::kDelivered:
      counters_.delivered.fetch_add(1, std::memory_order_relaxed);
      done = true;
      break;
    case Attempted::kIgnored:
      counters_.ignored.fetch_add(1, std::memory_order_relaxed);
      done = true;
      break;
    case Attempted::kDeadLettered:
      counters_.dead_lettered.fetch_add(1, std::memory_order_relaxed);
      done = true;
      break;
    case Attempted::kRetry: {
      counters_.retried.fetch_add(1, std::memory_order_relaxed);
      double fraction = parts_.random ? parts_.random() : std::uniform_real_distribution<double>(0, 1)(generator_);
      auto delay = RetryDelay(options_.retry, event->attempts, attempted.retry_after, fraction);
      event->not_before_micros = NowMicros() + std::chrono::microseconds(delay).count();
      break;
    }
    case Attempted::kLetterRefused:
      if (!event->stalled) ++stalled_;
      event->stalled = true;
      event->not_before_micros =
          NowMicros() + std::chrono::microseconds(options_.letter_retry_interval).count();
      break;
    case Attempted::kAbandoned:
      break;
  }
  if (done) {
    if (event->stalled) --stalled_;
    bool was_full = pending_.size() >= options_.max_pending;
    lane->events.pop_front();
    pending_.erase(event->stored.seq);  // frees `event`
    if (was_full) read_more_.Signal();
  }
  if (lane->events.empty()) {
    std::string workspace = lane->workspace;  // not a reference into the node erased
    lanes_.erase(workspace);
  } else {
    ready_.push_back(lane);
    // All: a worker waiting out the rate limit waits on the same signal.
    work_ready_.SignalAll();
  }
}

}  // namespace keel::sinks
