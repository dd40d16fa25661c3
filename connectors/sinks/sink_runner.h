// SinkRunner: one sink of `keel serve`. It reads the log from the sink's
// stored cursor, selects events (sink_selection.h), and hands each to its
// Channel: in log order within a workspace (a workspace's next event waits
// until the one before is delivered or dead-lettered), several workspaces at
// once (`concurrency` worker threads), within the sink's rate limit. A try
// that fails is tried again after a backoff (retry_delay.h); an event the
// receiver refuses for good, or still cannot take after the last try, goes to
// the sink's dead letters (sink_dead_letters.h) and its workspace moves on.
//
// At least once: the cursor (TakeCursorUpdate) never passes an event that is
// not delivered or dead-lettered; the server's writer stores it with its
// next Append, and after a crash the runner starts again from it. What a
// receiver answered (TryResult::answer_events) is handed to the server's
// appender, with derived ids (answer_events.h), before the event counts as
// delivered.
//
// Memory is bounded: at most `max_pending` selected events are read ahead.
// A sink that is down delays only itself: it has its own threads, and the
// writer never waits for it.
//
// Safe for concurrent use without external synchronization.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/sinks/channel.h"
#include "connectors/sinks/retry_delay.h"
#include "connectors/sinks/sink_dead_letters.h"
#include "connectors/sinks/sink_metrics.h"
#include "connectors/sinks/sink_selection.h"
#include "connectors/sinks/token_bucket.h"
#include "engine/clock.h"
#include "engine/expression.h"
#include "engine/log/event_log.h"
#include "engine/mutex.h"
#include "engine/status.h"

namespace keel::sinks {

struct SinkOptions {
  std::string name;                  // [a-z0-9._-]{1,64}, unique among the sinks
  std::string kind;                  // webhook, slack, teams, email, http: the cursor is KIND/NAME
  SelectionOptions selection;
  int concurrency = 4;               // workspaces sent to at once
  double rate_per_second = 0;        // sends a second, burst as many; 0: no limit
  RetryPolicy retry;
  size_t max_pending = 10000;        // selected events read ahead at most
  std::chrono::milliseconds poll_interval{100};  // the log is looked at this often without NotifyAppended
  // How often a sink whose dead letters are full tries again to keep the
  // letter it holds back.
  std::chrono::milliseconds letter_retry_interval{1000};
};

// Appends what a receiver answered, as any input is (embedded: LocalIngest;
// with brokers: the input topic). OK once they are durable (or duplicates).
// InvalidArgument when the log refuses them (a schema, an id stored with
// other content): sending again cannot help, so the event becomes a dead
// letter with the reason. Any other error (busy, stopping) is a failed try,
// sent again after the backoff.
using AnswerAppender = std::function<Status(std::vector<nlohmann::json> events)>;

struct SinkParts {
  EventLog* log = nullptr;                     // read only; must outlive the runner
  std::shared_ptr<const Channel> channel;
  SinkDeadLetterStore* dead_letters = nullptr;  // shared by the sinks; must outlive the runner
  const ExpressionCompiler* expressions = nullptr;  // needed with a condition; must outlive the runner
  AnswerAppender append_answers;               // empty: an answer is an error (tried again)
  const Clock* clock = nullptr;                // nullptr: the system clock
  std::function<double()> random;              // uniform in [0, 1), for the jitter; empty: a seeded generator
};

// The name of a sink's stored cursor (engine/log/stored_positions.h): KIND/NAME.
std::string SinkCursorName(std::string_view kind, std::string_view name);

class SinkRunner {
 public:
  // Checks the options, compiles the condition and reads the stored cursor;
  // starts no thread.
  static Result<std::unique_ptr<SinkRunner>> Create(SinkOptions options, SinkParts parts);
  ~SinkRunner();  // Stop()s

  // Starts the reader and the workers. Once.
  void Start();
  // Stops the threads: tries in flight finish (a Send is bounded by its
  // channel's timeout); one waiting for the rate limit is abandoned. What
  // was not confirmed keeps the cursor behind it. Idempotent.
  void Stop();

  // The writer appended up to `head`: look at the log now, not at the next poll.
  void NotifyAppended(uint64_t head);

  // The cursor to store with the writer's next Append, when it moved since
  // the last call.
  std::optional<MetaPut> TakeCursorUpdate();
  // Every selected event up to here is delivered, dead-lettered or ignored.
  uint64_t cursor() const;
  // Every selected event up to the log's head is.
  bool CaughtUp() const;

  SinkMetrics Metrics() const;
  const SinkOptions& options() const { return options_; }
  const std::string& cursor_name() const { return cursor_name_; }

 private:
  struct Pending;
  struct Lane;
  struct Attempted;

  SinkRunner(SinkOptions options, SinkParts parts, std::unique_ptr<SinkSelection> selection, uint64_t cursor);

  // The reader thread: reads ahead of the workers while there is room.
  void ReadLoop();
  Status ReadAhead(uint64_t from, size_t room, bool* more);
  // A worker thread: takes the first event of a workspace that is due,
  // tries it, and records what came of it.
  void WorkLoop();
  Pending* NextDue(Lane** lane);
  Attempted Attempt(Pending& event);
  Attempted RetryOrGiveUp(Pending& event, std::optional<std::chrono::milliseconds> retry_after);
  Attempted GiveUp(Pending& event);
  bool WaitUnlessStopped(int64_t micros);
  void Finish(Lane* lane, Pending* event, const Attempted& attempted);
  uint64_t CursorLocked() const REQUIRES(mu_);
  int64_t NowMicros() const { return clock_->NowMicros(); }

  const SinkOptions options_;
  const SinkParts parts_;
  const std::string cursor_name_;
  std::unique_ptr<SinkSelection> selection_;  // the reader thread's
  SystemClock system_clock_;
  const Clock* clock_;
  SinkCounters counters_;
  std::atomic<bool> stop_requested_{false};
  bool logged_condition_error_ = false;       // the reader thread's
  std::atomic<bool> logged_letters_full_{false};

  mutable Mutex mu_;
  CondVar work_ready_;  // an event became due or the stop was asked
  CondVar read_more_;   // the writer appended, room was freed, or the stop was asked
  bool stopping_ GUARDED_BY(mu_) = false;
  uint64_t read_to_ GUARDED_BY(mu_);         // the last seq the reader looked at
  uint64_t notified_head_ GUARDED_BY(mu_) = 0;
  uint64_t stored_cursor_ GUARDED_BY(mu_);   // the last cursor handed out
  std::map<uint64_t, std::unique_ptr<Pending>> pending_ GUARDED_BY(mu_);  // by seq
  std::map<std::string, Lane, std::less<>> lanes_ GUARDED_BY(mu_);         // by workspace
  std::deque<Lane*> ready_ GUARDED_BY(mu_);  // lanes with events and no worker, in turn
  size_t stalled_ GUARDED_BY(mu_) = 0;
  TokenBucket bucket_ GUARDED_BY(mu_);
  std::mt19937_64 generator_ GUARDED_BY(mu_);
  std::vector<std::thread> threads_;
};

}  // namespace keel::sinks
