// Firing due timers as timer.fired events, in the same WriteBatch as what
// they cause (so a crash never leaves a timer that fired and is still
// pending). The batch keeps the `timers` family in step with the events that
// schedule, cancel and fire timers (engine/log/pending_batch.h).
#include <algorithm>

#include "engine/log/event_log_impl.h"
#include "engine/log/pending_batch.h"
#include "engine/log_format.h"
#include "engine/log/rocksdb_status.h"

namespace keel {

using namespace log_format;

Status EventLogImpl::FireTimer(const PendingTimer& timer, int64_t now_micros, PendingBatch* pending) {
  pending->DeleteTimer(timer);
  KEEL_ASSIGN_OR_RETURN(Event built, TimerFiredEvent(timer, now_micros));
  // Already fired (only a damaged timers family could hold it still): the
  // timer goes, the event is not appended twice.
  if (pending->staged_ids().Contains(built.workspace, built.id)) return Status::OK();
  KEEL_ASSIGN_OR_RETURN(std::optional<uint64_t> stored, FindSeqById(built.workspace, built.id));
  if (stored) return Status::OK();
  Event& event = pending->KeepDerived(std::move(built));
  // The timer is deleted above, so its timer.fired changes no timer more;
  // the cascade it starts is a new one (depth 0), as an input's.
  StageRequest fired{EventOrigin::kDerived, /*expected_version=*/std::nullopt, /*depth=*/0, /*react=*/true};
  KEEL_ASSIGN_OR_RETURN(Staged staged, StageWithEffects(event, fired, pending));
  return staged.refused;  // never refused: a timer.fired changes no entity
}

Status EventLogImpl::FireDueInBatch(int64_t up_to_micros, size_t max, PendingBatch* pending, size_t* taken) {
  const std::string lower(1, kTimerDuePrefix);
  const std::string upper = TimerDueBound(up_to_micros);
  rocksdb::ReadOptions read;
  rocksdb::Slice upper_slice(upper);
  read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, Family(kTimers)));
  // The iterator sees the database as it was when the batch began; the
  // batch's own puts and deletes are merged in, in key (fire time) order.
  it->Seek(std::max(lower, timer_floor_));
  while (*taken < max) {
    while (it->Valid() && pending->DeletesTimerKey(it->key().ToString())) it->Next();
    auto staged = pending->timer_puts().lower_bound(lower);
    bool staged_due = staged != pending->timer_puts().end() && staged->first < upper;
    if (!staged_due && !it->Valid()) break;
    std::string record;
    if (staged_due && (!it->Valid() || rocksdb::Slice(staged->first).compare(it->key()) <= 0)) {
      if (it->Valid() && rocksdb::Slice(staged->first) == it->key()) it->Next();
      record = staged->second;
    } else {
      record = it->value().ToString();
      pending->timer_floor = it->key().ToString();
      it->Next();
    }
    KEEL_ASSIGN_OR_RETURN(PendingTimer timer, DecodeTimerRecord(record));
    KEEL_RETURN_IF_ERROR(FireTimer(timer, up_to_micros, pending));
    ++*taken;
  }
  return FromRocksDB(it->status(), "cannot scan due timers");
}

Status EventLogImpl::FireDueBeforeEvent(int64_t micros, PendingBatch* pending) {
  if (!pending->earliest_due) {
    if (!earliest_due_) {
      KEEL_ASSIGN_OR_RETURN(std::optional<int64_t> next, NextTimerDue());
      earliest_due_ = next.value_or(INT64_MAX);
    }
    pending->earliest_due = earliest_due_;
  }
  bool may_be_due = *pending->earliest_due <= micros;
  auto staged = pending->timer_puts().lower_bound(std::string(1, kTimerDuePrefix));
  if (staged != pending->timer_puts().end() && staged->first[0] == kTimerDuePrefix &&
      ReadOrderedMicros(std::string_view(staged->first).substr(1, 8)) <= micros) {
    may_be_due = true;
  }
  if (!may_be_due) return Status::OK();
  size_t taken = 0;
  KEEL_RETURN_IF_ERROR(FireDueInBatch(micros, SIZE_MAX, pending, &taken));
  // Every timer of the database due by `micros` is now deleted in the batch
  // (the batch's own puts are looked at above, each time).
  pending->earliest_due = std::max(*pending->earliest_due, micros + 1);
  return Status::OK();
}

Result<size_t> EventLogImpl::FireDueTimers(int64_t up_to_micros, size_t max) {
  if (options_.read_only) return Status::FailedPrecondition("the log is open read-only");
  PendingBatch pending = NewBatch();
  size_t taken = 0;
  KEEL_RETURN_IF_ERROR(FireDueInBatch(up_to_micros, max, &pending, &taken));
  if (taken == 0) return taken;
  KEEL_RETURN_IF_ERROR(WritePending(&pending));
  return taken;
}

}  // namespace keel
