// The log's side of a batch: a new one against the open database, its write
// (once a write fails the log takes no more), and the syncs that make what
// was written durable. The bottom of EventLogImpl's append path.
#include "engine/log/event_log_impl.h"
#include "engine/log/pending_batch.h"
#include "engine/log/rocksdb_status.h"
#include "engine/log_format.h"

namespace keel {

using namespace log_format;

PendingBatch EventLogImpl::NewBatch(size_t reserved_bytes) {
  BatchTarget target;
  target.log = this;
  target.db = db_.get();
  target.events = Family(kEvents);
  target.by_stream = Family(kByStream);
  target.by_id = Family(kById);
  target.entities = Family(kEntities);
  target.timers = Family(kTimers);
  target.meta = Family(kMeta);
  target.entity_cache = &entity_cache_;
  target.known_workspaces = &known_workspaces_;
  target.timer_floor = &timer_floor_;
  target.earliest_due = &earliest_due_;
  return PendingBatch(target, Head(), reserved_bytes);
}

Status EventLogImpl::WritePending(PendingBatch* pending) {
  if (options_.before_write) KEEL_RETURN_IF_ERROR(options_.before_write());
  KEEL_RETURN_IF_ERROR(write_failure_);
  rocksdb::WriteOptions write;
  write.sync = options_.sync == SyncMode::kAlways;
  if (Status written = pending->Write(write); !written.ok()) {
    write_failure_ = Status::IOError(written.message() + " (the log takes no more writes until it is opened again)");
    return written;
  }

  // Written: only now does the head move on.
  {
    MutexLock lock(&head_mu_);
    head_ = pending->head();
  }
  unsynced_writes_ = options_.sync != SyncMode::kAlways;
  wrote_since_open_ = true;
  if (options_.sync == SyncMode::kAlways) RecordDurableHead(false);
  MaybeGroupCommit();
  return Status::OK();
}

void EventLogImpl::MaybeGroupCommit() {
  if (options_.sync != SyncMode::kBatch || !write_failure_.ok()) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_sync_ < options_.group_commit_interval) return;
  if (db_->SyncWAL().ok()) {
    unsynced_writes_ = false;
    RecordDurableHead(false);
  }
  last_sync_ = now;
}

Status EventLogImpl::Sync() {
  if (options_.read_only) return Status::OK();
  KEEL_RETURN_IF_ERROR(write_failure_);
  if (unsynced_writes_) {
    KEEL_RETURN_IF_ERROR(FromRocksDB(db_->SyncWAL(), "cannot sync the write-ahead log"));
    unsynced_writes_ = false;
    last_sync_ = std::chrono::steady_clock::now();
  }
  // The caller acknowledges what it wrote once this returns (the end of an
  // ingest, a Kafka offset commit): the durable head must say so.
  RecordDurableHead(/*force=*/true);
  return Status::OK();
}

}  // namespace keel
