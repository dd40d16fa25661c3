// Durable timers: the `timers` family kept in step with the events that
// schedule, cancel and fire timers, in the same WriteBatch as those events
// (so a crash never leaves a timer that fired and is still pending), and the
// firing of due timers as timer.fired events.
#include <algorithm>
#include <set>

#include "engine/canonical_json.h"
#include "engine/log/event_log_impl.h"
#include "engine/log_format.h"
#include "engine/log/rocksdb_status.h"

namespace keel {
namespace {

using namespace log_format;

std::string TimerIdOf(const Event& event) {
  std::string_view raw = FindCanonicalMember(event.data(), "timer");
  return IsJsonString(raw) ? DecodeJsonString(raw) : std::string();
}

std::string DueKeyOf(const PendingTimer& timer) {
  return TimerDueKey(timer.fire_micros, timer.workspace, timer.timer_id);
}

}  // namespace

void EventLogImpl::PutTimer(const PendingTimer& timer, PendingBatch* pending) {
  std::string due_key = DueKeyOf(timer);
  std::string id_key = TimerIdKey(timer.workspace, timer.timer_id);
  std::string fire;
  AppendOrderedMicros(timer.fire_micros, &fire);
  pending->timer_deletes.erase(due_key);
  pending->timer_deletes.erase(id_key);
  pending->timer_puts[due_key] = EncodeTimerRecord(timer);
  pending->timer_puts[id_key] = std::move(fire);
}

void EventLogImpl::DeleteTimer(const PendingTimer& timer, PendingBatch* pending) {
  for (std::string key : {DueKeyOf(timer), TimerIdKey(timer.workspace, timer.timer_id)}) {
    pending->timer_puts.erase(key);
    pending->timer_deletes.insert(std::move(key));
  }
}

Result<std::optional<PendingTimer>> EventLogImpl::ReadPendingTimer(std::string_view workspace,
                                                                   std::string_view timer_id,
                                                                   const PendingBatch& pending) const {
  std::string id_key = TimerIdKey(workspace, timer_id);
  if (pending.timer_deletes.count(id_key)) return std::optional<PendingTimer>();
  auto staged = pending.timer_puts.find(id_key);
  if (staged == pending.timer_puts.end()) return GetTimer(workspace, timer_id);
  auto record = pending.timer_puts.find(TimerDueKey(ReadOrderedMicros(staged->second), workspace, timer_id));
  if (record == pending.timer_puts.end()) return Status::Internal("a staged timer has no due entry");
  KEEL_ASSIGN_OR_RETURN(PendingTimer timer, DecodeTimerRecord(record->second));
  return std::optional<PendingTimer>(std::move(timer));
}

Status EventLogImpl::ForEachPendingTimer(std::string_view workspace, const PendingBatch& pending,
                                         const std::function<bool(const PendingTimer&)>& visit) const {
  // The ids first (stored and staged, in order), then each timer as the
  // batch sees it: a workspace's timers are read only when a rule set is
  // activated, so the simple merge is worth more than a streaming one.
  const std::string prefix = TimerIdKey(workspace, "");
  std::set<std::string> ids;
  rocksdb::ReadOptions read;
  std::string upper = prefix;
  upper.back() = static_cast<char>(kKeySeparator + 1);
  rocksdb::Slice upper_slice(upper);
  read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, Family(kTimers)));
  for (it->Seek(prefix); it->Valid(); it->Next()) ids.insert(it->key().ToString().substr(prefix.size()));
  KEEL_RETURN_IF_ERROR(FromRocksDB(it->status(), "cannot scan timers"));
  for (auto staged = pending.timer_puts.lower_bound(prefix);
       staged != pending.timer_puts.end() && staged->first.compare(0, prefix.size(), prefix) == 0; ++staged) {
    ids.insert(staged->first.substr(prefix.size()));
  }
  for (const std::string& id : ids) {
    KEEL_ASSIGN_OR_RETURN(std::optional<PendingTimer> timer, ReadPendingTimer(workspace, id, pending));
    if (timer && !visit(*timer)) return Status::OK();
  }
  return Status::OK();
}

std::vector<std::string> EventLogImpl::PendingWorkspaces(const PendingBatch& pending) const {
  std::set<std::string> names(known_workspaces_.begin(), known_workspaces_.end());
  names.insert(pending.new_workspaces.begin(), pending.new_workspaces.end());
  names.erase(std::string(kSystemWorkspace));
  return {names.begin(), names.end()};
}

Status EventLogImpl::StageTimerChange(const Event& event, PendingBatch* pending) {
  if (!ChangesTimers(event.type)) return Status::OK();
  if (event.type == kTimerScheduled) {
    // Scheduling a timer id that is pending replaces it: one timer per id.
    KEEL_ASSIGN_OR_RETURN(PendingTimer timer, TimerFromScheduledEvent(event));
    KEEL_ASSIGN_OR_RETURN(std::optional<PendingTimer> existing,
                          ReadPendingTimer(timer.workspace, timer.timer_id, *pending));
    if (existing) DeleteTimer(*existing, pending);
    PutTimer(timer, pending);
    return Status::OK();
  }
  KEEL_ASSIGN_OR_RETURN(std::optional<PendingTimer> existing,
                        ReadPendingTimer(event.workspace, TimerIdOf(event), *pending));
  if (!existing) return Status::OK();  // fired or cancelled before: nothing left to do
  // A timer.fired is about one scheduling (its causationid); a later
  // scheduling of the same id stays pending.
  if (event.type == kTimerFired && event.causation_id != existing->scheduled_by) return Status::OK();
  DeleteTimer(*existing, pending);
  return Status::OK();
}

Status EventLogImpl::FireTimer(const PendingTimer& timer, int64_t now_micros, PendingBatch* pending) {
  DeleteTimer(timer, pending);
  KEEL_ASSIGN_OR_RETURN(Event built, TimerFiredEvent(timer, now_micros));
  // Already fired (only a damaged timers family could hold it still): the
  // timer goes, the event is not appended twice.
  if (pending->staged_ids.Contains(built.workspace, built.id)) return Status::OK();
  KEEL_ASSIGN_OR_RETURN(std::optional<uint64_t> stored, FindSeqById(built.workspace, built.id));
  if (stored) return Status::OK();
  Event& event = pending->derived.emplace_back(std::move(built));
  Stage(event, {}, nullptr, pending);
  if (reactor_) return ReactTo(event, /*before=*/nullptr, /*depth=*/0, pending);
  return Status::OK();
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
    while (it->Valid() && pending->timer_deletes.count(it->key().ToString())) it->Next();
    auto staged = pending->timer_puts.lower_bound(lower);
    bool staged_due = staged != pending->timer_puts.end() && staged->first < upper;
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
  auto staged = pending->timer_puts.lower_bound(std::string(1, kTimerDuePrefix));
  if (staged != pending->timer_puts.end() && staged->first[0] == kTimerDuePrefix &&
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
  PendingBatch pending;
  pending.head = Head();
  size_t taken = 0;
  KEEL_RETURN_IF_ERROR(FireDueInBatch(up_to_micros, max, &pending, &taken));
  if (taken == 0) return taken;
  KEEL_RETURN_IF_ERROR(WritePending(&pending));
  return taken;
}

Result<std::optional<PendingTimer>> EventLogImpl::GetTimer(std::string_view workspace,
                                                           std::string_view timer_id) const {
  rocksdb::PinnableSlice fire;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Family(kTimers), TimerIdKey(workspace, timer_id), &fire);
  if (s.IsNotFound()) return std::optional<PendingTimer>();
  KEEL_RETURN_IF_ERROR(FromRocksDB(s, "cannot read a timer"));
  if (fire.size() != 8) return Status::Corruption("timer index entry of '" + std::string(timer_id) + "' is malformed");
  std::string due_key = TimerDueKey(ReadOrderedMicros(std::string_view(fire.data(), 8)), workspace, timer_id);
  rocksdb::PinnableSlice record;
  s = db_->Get(rocksdb::ReadOptions(), Family(kTimers), due_key, &record);
  if (s.IsNotFound()) return Status::Corruption("timer '" + std::string(timer_id) + "' is indexed but not stored");
  KEEL_RETURN_IF_ERROR(FromRocksDB(s, "cannot read a timer"));
  KEEL_ASSIGN_OR_RETURN(PendingTimer timer, DecodeTimerRecord(std::string_view(record.data(), record.size())));
  return std::optional<PendingTimer>(std::move(timer));
}

Status EventLogImpl::ScanDueTimers(int64_t up_to_micros, const std::function<bool(const PendingTimer&)>& visit) const {
  const std::string upper = TimerDueBound(up_to_micros);
  rocksdb::ReadOptions read;
  rocksdb::Slice upper_slice(upper);
  read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, Family(kTimers)));
  for (it->Seek(std::string(1, kTimerDuePrefix)); it->Valid(); it->Next()) {
    KEEL_ASSIGN_OR_RETURN(PendingTimer timer,
                          DecodeTimerRecord(std::string_view(it->value().data(), it->value().size())));
    if (!visit(timer)) return Status::OK();
  }
  return FromRocksDB(it->status(), "cannot scan timers");
}

Result<std::optional<int64_t>> EventLogImpl::NextTimerDue() const {
  const std::string upper(1, kTimerDuePrefix + 1);
  rocksdb::ReadOptions read;
  rocksdb::Slice upper_slice(upper);
  read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, Family(kTimers)));
  it->Seek(std::string(1, kTimerDuePrefix));  // not from timer_floor_: reads may come from any thread
  if (!it->Valid()) {
    KEEL_RETURN_IF_ERROR(FromRocksDB(it->status(), "cannot scan timers"));
    return std::optional<int64_t>();
  }
  if (it->key().size() < 9) return Status::Corruption("a timers key is too short");
  return std::optional<int64_t>(ReadOrderedMicros(std::string_view(it->key().data() + 1, 8)));
}

}  // namespace keel
