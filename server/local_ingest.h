// LocalIngest: the durable way into the one local log of embedded `keel
// serve` (no brokers). Many threads submit (the webhook receiver, POST
// /events); one writer thread appends, because the log takes one writer, and
// answers each submit only once its events are as durable as `sync` asks:
//
//   always: each submit is its own WriteBatch, fsynced before it is answered;
//   batch:  group commit: the submits that arrived while the last write ran
//           share one WriteBatch and one fsync, and are all answered after it;
//   off:    as batch, without the fsync: an answered submit survives a crash
//           of keel, not of the machine.
//
// Each event is validated as the NDJSON and Kafka paths do (EventDecoder:
// schema, size, time window) on the submitting thread; the rule set's hooks
// (PartitionRules) run on the writer thread, which also fires the log's due
// timers by the wall clock between writes. server/README.md shows the use.
//
// What follows the log (the sinks) rides on the writer (followers()): it is
// told of each Append, and its moved cursors go into the next Append's meta,
// or into a meta-only Append every cursor_interval when no submit comes.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "connectors/kafka/kafka_partition.h"
#include "connectors/serve_metrics.h"
#include "engine/clock.h"
#include "engine/ingest/scheduler.h"
#include "engine/log/append_follower.h"
#include "engine/log/event_log.h"
#include "engine/mutex.h"
#include "engine/schema/event_decoder.h"
#include "server/submit_decoder.h"

namespace keel::server {

struct LocalIngestOptions {
  std::filesystem::path dir;  // the log's folder; created when missing
  SyncMode sync = SyncMode::kBatch;
  LogOptions log;  // its `sync` and `create_if_missing` are set from the above
  DecodeOptions decode;
  // Events accepted but not yet written, all submits together: past it a
  // submit is answered "busy" (ResourceExhausted) at once, so memory stays
  // bounded however fast requests come. A single submit may hold up to this.
  size_t max_queued_events = 100000;
  // Events per shared WriteBatch under batch and off (a submit is never split).
  size_t max_group_events = 5000;
  // What time it is for the timers; nullptr: the system clock.
  const Clock* clock = nullptr;
  // How often the earliest pending timer is looked at.
  std::chrono::milliseconds timer_interval{100};
  // How often the followers' moved cursors are written when no submit
  // carries them (checked at each timer_interval).
  std::chrono::milliseconds cursor_interval{100};
  SchedulerOptions scheduler;
};

// One submit's answer: a result per event, in the submitted order (appended
// with its seq, a duplicate with the seq of the stored original, or rejected
// with the reason), or an error for the whole submit, of which nothing was
// written: ResourceExhausted when the queue is full ("busy", try again),
// FailedPrecondition when keel is stopping, IOError when the log failed.
using SubmitOutcome = Result<std::vector<AppendResult>>;
using SubmitDone = std::function<void(SubmitOutcome)>;

class LocalIngest {
 public:
  // Opens (or creates) the log in options.dir, calls hooks.opened, starts the
  // writer thread. `hooks`, `schemas`, `metrics` and options.clock must
  // outlive it.
  static Result<std::unique_ptr<LocalIngest>> Open(const LocalIngestOptions& options, const PartitionHooks& hooks,
                                                   const SchemaRegistry* schemas, ServeMetrics* metrics);
  // Closes (see Close) when not done yet.
  ~LocalIngest();
  LocalIngest(const LocalIngest&) = delete;
  LocalIngest& operator=(const LocalIngest&) = delete;

  // Submits the events of one delivery (each a JSON CloudEvent, as NDJSON
  // lines are), from any thread. All or nothing: when one event is refused
  // by validation, none is appended and every result says why; otherwise all
  // go into the same WriteBatch, where the log decides each (an id stored
  // with other content is rejected, and leaves no trace). `done` is called
  // exactly once, on the writer thread or, for an answer that needs no write
  // (busy, refused, empty), on the caller's: keep it short, never block in it.
  void Submit(std::vector<std::string> events, SubmitDone done);
  // The same, answered through a future.
  std::future<SubmitOutcome> Submit(std::vector<std::string> events);

  // Stops taking submits (they are answered FailedPrecondition), writes and
  // answers everything already accepted, stops the writer, syncs and closes
  // the log. Returns the first write failure, if any. Idempotent.
  Status Close();

  // The first failed write; OK while the log is healthy. After one, every
  // submit is answered with it (the log takes no more writes).
  Status failure() const;

  // For reads, which are safe from any thread (EventLog); nullptr after Close.
  const EventLog* log() const { return log_.get(); }
  // The same, for readers that take a non-const log (sinks::SinkParts).
  // Only the writer thread writes: never append through it.
  EventLog* log() { return log_.get(); }

  // Who follows the log (engine/log/append_follower.h): added and removed
  // from any thread. Close writes their last cursors, so stop them (their
  // cursors final) before it.
  AppendFollowers& followers() { return followers_; }

 private:
  // A submit that passed validation, waiting for the writer.
  struct Pending {
    std::vector<std::string> bytes;        // the events as submitted, for the rules' hook
    std::vector<AppendRequest> requests;
    SubmitDone done;
    std::chrono::steady_clock::time_point accepted;
  };

  LocalIngest(const LocalIngestOptions& options, const PartitionHooks& hooks, ServeMetrics* metrics);
  // Decodes every event (SubmitDecoder); refusals fill `results`.
  bool Decode(const std::vector<std::string>& events, std::vector<AppendRequest>* requests,
              std::vector<AppendResult>* results);
  // Why a submit of `count` events cannot be taken now; OK when it can.
  Status Refusal(size_t count) const REQUIRES(mu_);
  void WriterLoop();
  // Wakes an idle writer every timer_interval to look at the timers (CondVar
  // has no timed wait).
  void TickerLoop();
  void Write(std::vector<Pending> group);
  void FireDueTimers();
  // A meta-only Append of the followers' moved cursors, when any moved.
  void WriteCursors();
  void Fail(Status status);

  const LocalIngestOptions options_;
  const PartitionHooks& hooks_;
  ServeMetrics* metrics_;
  SystemClock system_clock_;  // when options give no clock
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<Scheduler> scheduler_;

  std::unique_ptr<SubmitDecoder> decoder_;
  AppendFollowers followers_;

  mutable Mutex mu_;
  CondVar wake_writer_;
  std::deque<Pending> queue_ GUARDED_BY(mu_);
  size_t queued_events_ GUARDED_BY(mu_) = 0;
  bool closing_ GUARDED_BY(mu_) = false;
  bool timers_due_ GUARDED_BY(mu_) = false;
  Status failure_ GUARDED_BY(mu_);

  Mutex close_mu_;  // one Close at a time
  bool closed_ GUARDED_BY(close_mu_) = false;
  std::chrono::steady_clock::time_point next_timer_check_;  // writer thread only
  std::chrono::steady_clock::time_point last_cursor_write_;  // writer thread only
  std::thread writer_;
  std::thread ticker_;
};

}  // namespace keel::server
