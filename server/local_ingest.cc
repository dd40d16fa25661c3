#include "server/local_ingest.h"

#include <span>
#include <system_error>

namespace keel::server {
namespace {

// The log's own sync setting under each of serve's: under `always` and
// `batch` every WriteBatch is written with fsync, and what tells the two
// apart is how many submits share one (see WriterLoop).
SyncMode LogSyncMode(SyncMode serve_sync) {
  return serve_sync == SyncMode::kOff ? SyncMode::kOff : SyncMode::kAlways;
}

}  // namespace

LocalIngest::LocalIngest(const LocalIngestOptions& options, const PartitionHooks& hooks, ServeMetrics* metrics)
    : options_(options), hooks_(hooks), metrics_(metrics) {}

Result<std::unique_ptr<LocalIngest>> LocalIngest::Open(const LocalIngestOptions& options,
                                                       const PartitionHooks& hooks, const SchemaRegistry* schemas,
                                                       ServeMetrics* metrics) {
  if (options.max_queued_events == 0 || options.max_group_events == 0) {
    return Status::InvalidArgument("the local ingest queue and group sizes must be at least 1");
  }
  std::unique_ptr<LocalIngest> ingest(new LocalIngest(options, hooks, metrics));
  ingest->decoder_ = std::make_unique<SubmitDecoder>(schemas, options.decode);
  LogOptions log_options = options.log;
  log_options.sync = LogSyncMode(options.sync);
  log_options.create_if_missing = true;
  std::error_code ignored;  // a folder that cannot be made is reported by the open below
  std::filesystem::create_directories(options.dir.parent_path(), ignored);
  KEEL_ASSIGN_OR_RETURN(ingest->log_, EventLog::Open(options.dir, log_options));
  if (hooks.opened) KEEL_RETURN_IF_ERROR(hooks.opened(*ingest->log_));
  const Clock* clock = options.clock != nullptr ? options.clock : &ingest->system_clock_;
  ingest->scheduler_ = std::make_unique<Scheduler>(ingest->log_.get(), clock, options.scheduler);
  ingest->next_timer_check_ = std::chrono::steady_clock::now();
  ingest->last_cursor_write_ = ingest->next_timer_check_;
  ingest->writer_ = std::thread([raw = ingest.get()] { raw->WriterLoop(); });
  ingest->ticker_ = std::thread([raw = ingest.get()] { raw->TickerLoop(); });
  return ingest;
}

LocalIngest::~LocalIngest() { (void)Close(); }

bool LocalIngest::Decode(const std::vector<std::string>& events, std::vector<AppendRequest>* requests,
                         std::vector<AppendResult>* results) {
  std::vector<Event> decoded;
  if (!decoder_->DecodeAll(events, "appended", &decoded, results)) return false;
  requests->resize(decoded.size());
  for (size_t i = 0; i < decoded.size(); ++i) (*requests)[i].event = std::move(decoded[i]);
  return true;
}

void LocalIngest::Submit(std::vector<std::string> events, SubmitDone done) {
  if (events.empty()) return done(std::vector<AppendResult>());
  const size_t count = events.size();
  if (count > options_.max_queued_events) {
    return done(Status::InvalidArgument("a submit of " + std::to_string(count) + " events is over the limit of " +
                                        std::to_string(options_.max_queued_events)));
  }
  // Looked at before decoding too, so that a busy or stopping keel spends
  // nothing on what it refuses; decided under the lock below.
  Status refused;
  {
    MutexLock lock(&mu_);
    refused = Refusal(count);
  }
  if (!refused.ok()) return done(std::move(refused));

  Pending pending;
  std::vector<AppendResult> results;
  if (!Decode(events, &pending.requests, &results)) return done(std::move(results));
  pending.bytes = std::move(events);
  pending.done = std::move(done);
  pending.accepted = std::chrono::steady_clock::now();
  {
    MutexLock lock(&mu_);
    refused = Refusal(count);
    if (refused.ok()) {
      queued_events_ += count;
      queue_.push_back(std::move(pending));
    }
  }
  // Signalled after the lock is let go, so that the writer does not wake
  // only to wait for it.
  if (refused.ok()) return wake_writer_.Signal();
  pending.done(std::move(refused));
}

Status LocalIngest::Refusal(size_t count) const {
  if (!failure_.ok()) return failure_;
  if (closing_) return Status::FailedPrecondition("keel is stopping; nothing more is taken");
  if (queued_events_ + count > options_.max_queued_events) {
    return Status::ResourceExhausted("busy: " + std::to_string(queued_events_) +
                                     " events are waiting to be written; try again later");
  }
  return Status::OK();
}

std::future<SubmitOutcome> LocalIngest::Submit(std::vector<std::string> events) {
  auto promise = std::make_shared<std::promise<SubmitOutcome>>();
  std::future<SubmitOutcome> answer = promise->get_future();
  Submit(std::move(events), [promise](SubmitOutcome outcome) { promise->set_value(std::move(outcome)); });
  return answer;
}

void LocalIngest::WriterLoop() {
  while (true) {
    std::vector<Pending> group;
    {
      MutexLock lock(&mu_);
      while (queue_.empty() && !closing_ && !timers_due_) wake_writer_.Wait(&mu_);
      if (queue_.empty() && closing_) return;
      timers_due_ = false;
      // Everything that queued while the last write ran, up to a group.
      size_t events = 0;
      while (!queue_.empty()) {
        size_t next = queue_.front().requests.size();
        if (!group.empty() && (options_.sync == SyncMode::kAlways || events + next > options_.max_group_events)) {
          break;
        }
        events += next;
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queued_events_ -= events;
    }
    if (!group.empty()) Write(std::move(group));
    if (std::chrono::steady_clock::now() >= next_timer_check_) FireDueTimers();
    if (std::chrono::steady_clock::now() - last_cursor_write_ >= options_.cursor_interval) WriteCursors();
  }
}

void LocalIngest::TickerLoop() {
  while (true) {
    std::this_thread::sleep_for(options_.timer_interval);
    MutexLock lock(&mu_);
    if (closing_) return;
    timers_due_ = true;
    wake_writer_.Signal();
  }
}

void LocalIngest::Write(std::vector<Pending> group) {
  Status failed = failure();
  std::vector<AppendRequest> requests;
  std::vector<IngestItem> items;  // for the rules' hook (activation at the first event's time)
  for (Pending& pending : group) {
    for (size_t i = 0; i < pending.requests.size(); ++i) {
      requests.push_back(std::move(pending.requests[i]));
      items.push_back({pending.bytes[i], requests.size()});
    }
  }
  if (failed.ok() && hooks_.before_group) failed = hooks_.before_group(*log_, items);
  // The followers' cursors move in the same WriteBatch as the events.
  Result<std::vector<AppendResult>> appended =
      failed.ok() ? log_->Append(std::move(requests), followers_.TakeCursorUpdates()) : failed;
  if (!appended.ok()) {
    Fail(appended.status());
    for (Pending& pending : group) pending.done(appended.status());
    return;
  }
  last_cursor_write_ = std::chrono::steady_clock::now();
  followers_.NotifyAppended(log_->Head().seq);
  metrics_->batches.fetch_add(1, std::memory_order_relaxed);
  metrics_->ObserveBatch(std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                               group.front().accepted));
  size_t next = 0;
  for (Pending& pending : group) {
    std::vector<AppendResult> results(std::make_move_iterator(appended->begin() + next),
                                      std::make_move_iterator(appended->begin() + next + pending.requests.size()));
    next += pending.requests.size();
    for (const AppendResult& result : results) {
      if (result.outcome == AppendOutcome::kAppended) metrics_->events_in.fetch_add(1, std::memory_order_relaxed);
      if (result.outcome == AppendOutcome::kDuplicate) metrics_->duplicates.fetch_add(1, std::memory_order_relaxed);
    }
    pending.done(std::move(results));
  }
}

void LocalIngest::FireDueTimers() {
  next_timer_check_ = std::chrono::steady_clock::now() + options_.timer_interval;
  if (!failure().ok()) return;
  Result<std::optional<int64_t>> next_due = log_->NextTimerDue();
  if (!next_due.ok()) return Fail(next_due.status());
  const int64_t now = scheduler_->clock().NowMicros();
  if (!*next_due || **next_due > now) return;
  if (hooks_.before_timers) {
    if (Status activated = hooks_.before_timers(*log_, **next_due); !activated.ok()) return Fail(activated);
  }
  Result<size_t> fired = scheduler_->FireBatchDueUntil(now);
  if (!fired.ok()) return Fail(fired.status());
  metrics_->timers_fired.fetch_add(*fired, std::memory_order_relaxed);
  if (*fired > 0) followers_.NotifyAppended(log_->Head().seq);
  // A full batch may have left more due: go on after the next write.
  if (*fired >= scheduler_->options().timers_per_batch) next_timer_check_ = std::chrono::steady_clock::now();
}

void LocalIngest::WriteCursors() {
  last_cursor_write_ = std::chrono::steady_clock::now();
  if (!failure().ok()) return;
  std::vector<MetaPut> cursors = followers_.TakeCursorUpdates();
  if (cursors.empty()) return;
  if (Status written = log_->Append({}, std::move(cursors)).status(); !written.ok()) Fail(written);
}

void LocalIngest::Fail(Status status) {
  MutexLock lock(&mu_);
  if (failure_.ok()) failure_ = std::move(status);
}

Status LocalIngest::failure() const {
  MutexLock lock(&mu_);
  return failure_;
}

Status LocalIngest::Close() {
  MutexLock close_lock(&close_mu_);
  if (closed_) return failure();
  closed_ = true;
  {
    MutexLock lock(&mu_);
    closing_ = true;
    wake_writer_.Signal();
  }
  if (writer_.joinable()) writer_.join();
  if (ticker_.joinable()) ticker_.join();
  if (log_) WriteCursors();  // the followers' last ones
  Status closed = failure();
  if (closed.ok() && log_) closed = log_->Sync();
  scheduler_.reset();
  log_.reset();
  return closed;
}

}  // namespace keel::server
