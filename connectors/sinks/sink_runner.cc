// The SinkRunner's life and its reader: reading ahead, the cursor, metrics.
// The workers are in sink_runner_try.cc.
#include "connectors/sinks/sink_runner.h"

#include <algorithm>

#include "connectors/json_log.h"
#include "connectors/letter_folder.h"
#include "connectors/sinks/sink_runner_impl.h"
#include "engine/log/stored_positions.h"

namespace keel::sinks {
namespace {

// Events looked at in one pass of the reader, so that it checks for the
// stop and hands what it found to the workers now and then.
constexpr uint64_t kScanChunk = 4096;

Status CheckOptions(const SinkOptions& options, const SinkParts& parts) {
  auto bad = [&](const std::string& why) { return Status::InvalidArgument("sink " + options.name + ": " + why); };
  if (!IsFileSafeName(options.name)) {
    return Status::InvalidArgument("a sink's name must be 1 to 64 letters, digits, '.', '_' or '-', not starting "
                                   "with '.': '" + options.name + "'");
  }
  if (options.kind.empty()) return bad("it has no kind");
  if (options.concurrency < 1) return bad("concurrency must be at least 1");
  if (options.rate_per_second < 0) return bad("rate_per_second must not be negative");
  if (options.max_pending < 1) return bad("max_pending must be at least 1");
  if (options.retry.max_attempts < 1) return bad("retry.max_attempts must be at least 1");
  if (options.retry.initial_delay.count() < 0 || options.retry.max_delay < options.retry.initial_delay) {
    return bad("retry delays must satisfy 0 <= initial_delay <= max_delay");
  }
  if (parts.log == nullptr || parts.channel == nullptr || parts.dead_letters == nullptr) {
    return bad("the runner needs a log, a channel and a dead-letter store");
  }
  return Status::OK();
}

}  // namespace

std::string SinkCursorName(std::string_view kind, std::string_view name) {
  return std::string(kind) + "/" + std::string(name);
}

Result<std::unique_ptr<SinkRunner>> SinkRunner::Create(SinkOptions options, SinkParts parts) {
  KEEL_RETURN_IF_ERROR(CheckOptions(options, parts));
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<SinkSelection> selection,
                        SinkSelection::Create(options.name, options.selection, parts.expressions));
  KEEL_ASSIGN_OR_RETURN(std::optional<uint64_t> stored,
                        ReadSinkCursor(*parts.log, SinkCursorName(options.kind, options.name)));
  return std::unique_ptr<SinkRunner>(
      new SinkRunner(std::move(options), std::move(parts), std::move(selection), stored.value_or(0)));
}

SinkRunner::SinkRunner(SinkOptions options, SinkParts parts, std::unique_ptr<SinkSelection> selection,
                       uint64_t cursor)
    : options_(std::move(options)),
      parts_(std::move(parts)),
      cursor_name_(SinkCursorName(options_.kind, options_.name)),
      selection_(std::move(selection)),
      clock_(parts_.clock != nullptr ? parts_.clock : &system_clock_),
      read_to_(cursor),
      stored_cursor_(cursor),
      bucket_(options_.rate_per_second, options_.rate_per_second),
      generator_(std::random_device{}()) {}

SinkRunner::~SinkRunner() { Stop(); }

void SinkRunner::Start() {
  if (!threads_.empty()) return;
  threads_.emplace_back([this] { ReadLoop(); });
  for (int i = 0; i < options_.concurrency; ++i) threads_.emplace_back([this] { WorkLoop(); });
}

void SinkRunner::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    stop_requested_ = true;
    work_ready_.SignalAll();
    read_more_.SignalAll();
  }
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

void SinkRunner::NotifyAppended(uint64_t head) {
  MutexLock lock(&mu_);
  notified_head_ = std::max(notified_head_, head);
  read_more_.Signal();
}

void SinkRunner::ReadLoop() {
  while (true) {
    size_t room = 0;
    uint64_t from = 0;
    {
      MutexLock lock(&mu_);
      if (stopping_) return;
      room = options_.max_pending - std::min(options_.max_pending, pending_.size());
      from = read_to_ + 1;
    }
    bool more = false;
    if (room > 0) {
      if (Status read = ReadAhead(from, room, &more); !read.ok()) {
        Log(LogLevel::kWarning, "a sink cannot read the log; trying again",
            {{"sink", options_.name}, {"error", read.ToString()}});
        more = false;
      }
    }
    MutexLock lock(&mu_);
    if (stopping_) return;
    bool full = pending_.size() >= options_.max_pending;
    if (full || (!more && notified_head_ <= read_to_)) {
      read_more_.WaitFor(&mu_, options_.poll_interval);
    }
  }
}

Status SinkRunner::ReadAhead(uint64_t from, size_t room, bool* more) {
  uint64_t head = parts_.log->Head().seq;
  if (from > head) return Status::OK();
  uint64_t to = std::min(head, from + kScanChunk - 1);
  *more = to < head;
  std::vector<std::unique_ptr<Pending>> selected;
  uint64_t looked_to = from - 1;
  std::string failed;
  uint64_t condition_errors = 0;
  KEEL_RETURN_IF_ERROR(parts_.log->Scan(from, to, [&](const StoredEvent& stored) {
    if (stop_requested_) return false;
    if (selection_->Selects(stored, &failed)) {
      auto pending = std::make_unique<Pending>();
      pending->stored = stored;
      pending->read_micros = NowMicros();
      selected.push_back(std::move(pending));
    } else if (!failed.empty()) {
      ++condition_errors;
      if (!logged_condition_error_) {  // once: the metric counts the rest
        logged_condition_error_ = true;
        Log(LogLevel::kWarning, "a sink's `if` cannot be evaluated on an event; it is not sent",
            {{"sink", options_.name}, {"seq", std::to_string(stored.seq)}, {"error", failed}});
      }
    }
    looked_to = stored.seq;
    if (selected.size() >= room) {
      *more = true;
      return false;
    }
    return true;
  }));
  counters_.condition_errors.fetch_add(condition_errors, std::memory_order_relaxed);
  if (looked_to < to && !stop_requested_) *more = true;
  MutexLock lock(&mu_);
  for (std::unique_ptr<Pending>& pending : selected) {
    const std::string& workspace = pending->stored.event.workspace;
    auto lane = lanes_.find(workspace);
    if (lane == lanes_.end()) lane = lanes_.emplace(workspace, Lane{workspace, {}, false}).first;
    if (lane->second.events.empty() && !lane->second.busy) ready_.push_back(&lane->second);
    lane->second.events.push_back(pending.get());
    uint64_t seq = pending->stored.seq;
    pending_.emplace(seq, std::move(pending));
  }
  read_to_ = std::max(read_to_, looked_to);
  if (!selected.empty()) work_ready_.SignalAll();
  return Status::OK();
}

uint64_t SinkRunner::CursorLocked() const {
  return pending_.empty() ? read_to_ : pending_.begin()->first - 1;
}

uint64_t SinkRunner::cursor() const {
  MutexLock lock(&mu_);
  return CursorLocked();
}

std::optional<MetaPut> SinkRunner::TakeCursorUpdate() {
  MutexLock lock(&mu_);
  uint64_t cursor = CursorLocked();
  if (cursor == stored_cursor_) return std::nullopt;
  stored_cursor_ = cursor;
  return SinkCursorPut(cursor_name_, cursor);
}

bool SinkRunner::CaughtUp() const {
  uint64_t head = parts_.log->Head().seq;
  MutexLock lock(&mu_);
  return pending_.empty() && read_to_ >= head;
}

SinkMetrics SinkRunner::Metrics() const {
  SinkMetrics metrics;
  metrics.sink = options_.name;
  metrics.delivered = counters_.delivered.load(std::memory_order_relaxed);
  metrics.ignored = counters_.ignored.load(std::memory_order_relaxed);
  metrics.retried = counters_.retried.load(std::memory_order_relaxed);
  metrics.dead_lettered = counters_.dead_lettered.load(std::memory_order_relaxed);
  metrics.condition_errors = counters_.condition_errors.load(std::memory_order_relaxed);
  uint64_t head = parts_.log->Head().seq;
  int64_t now = NowMicros();
  MutexLock lock(&mu_);
  uint64_t cursor = CursorLocked();
  metrics.lag_events = head > cursor ? head - cursor : 0;
  if (!pending_.empty()) {
    int64_t waited = now - pending_.begin()->second->read_micros;
    metrics.oldest_undelivered_seconds = waited > 0 ? static_cast<double>(waited) / 1e6 : 0.0;
  }
  metrics.pending = pending_.size();
  metrics.stalled = stalled_;
  return metrics;
}

}  // namespace keel::sinks
