// Appending a group of input events: each id checked against the batch and
// the log (duplicate or conflict), the event clock's due timers fired before
// each event, each new event staged with its effects (event_log_cascade.cc),
// and the batch written once (event_log_write.cc).
#include <rocksdb/perf_level.h>

#include "engine/log/aliases.h"
#include "engine/log/event_log_impl.h"
#include "engine/log/pending_batch.h"
#include "engine/log_format.h"
#include "engine/log/rocksdb_status.h"

namespace keel {
namespace {

using namespace log_format;

std::string Abbreviate(std::string_view text, size_t limit = 300) {
  if (text.size() <= limit) return std::string(text);
  return std::string(text.substr(0, limit)) + "...";
}

AppendResult Rejected(Status error) { return {AppendOutcome::kRejected, 0, std::move(error)}; }

// Compares what was submitted: a stored event the log resolved to an
// alias's entity is the same submission as its redelivery, whatever the
// aliases say now.
AppendResult DuplicateOrConflict(const Event& event, const Event& stored, uint64_t seq) {
  if (SameSubmission(event, stored)) return {AppendOutcome::kDuplicate, seq, Status::OK()};
  return Rejected(Status::Conflict("event id '" + event.id + "' is already in the log at seq " +
                                   std::to_string(seq) + " with other content; stored: " +
                                   Abbreviate(stored.canonical) + " new: " + Abbreviate(event.canonical)));
}

// An input event about a tool's item linked to a keel entity of its kind
// (engine/log/aliases.h) is stored about that entity, with `resolvedfrom`
// keeping the subject it came with. Aliases of the batch in hand count: a
// link and the next event about its item may come in one group.
Status ResolveAlias(const PendingBatch& pending, Event* event) {
  if (!MayBeAlias(event->entity.id)) return Status::OK();
  KEEL_ASSIGN_OR_RETURN(std::optional<std::string> linked, pending.ReadAlias(event->workspace, event->entity.id));
  if (!linked || *linked == event->subject) return Status::OK();
  EntityRef entity;
  if (!ParseEntityRef(*linked, &entity) || entity.kind != event->entity.kind) return Status::OK();
  Result<Event> resolved = ResolvedTo(*event, *linked);
  KEEL_RETURN_IF_ERROR(resolved.status());
  *event = std::move(resolved).value();
  return Status::OK();
}

// RocksDB counts every key comparison and memtable step in a thread-local
// perf context unless told not to, and keel never reads those counters.
// They are off while an Append runs, then back to what the caller's thread
// had. (`keel bench ingest --events 300000`, 4 runs: writer thread 8.1 ->
// 7.5 us/event.)
class PerfCountersOff {
 public:
  PerfCountersOff() : saved_(rocksdb::GetPerfLevel()) { rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable); }
  ~PerfCountersOff() { rocksdb::SetPerfLevel(saved_); }
  PerfCountersOff(const PerfCountersOff&) = delete;
  PerfCountersOff& operator=(const PerfCountersOff&) = delete;

 private:
  rocksdb::PerfLevel saved_;
};

}  // namespace

Result<std::vector<AppendResult>> EventLogImpl::Append(std::vector<AppendRequest> group,
                                                      std::vector<MetaPut> meta) {
  if (options_.read_only) return Status::FailedPrecondition("the log is open read-only");
  for (const MetaPut& put : meta) {
    if (!IsWritableMetaKey(put.key)) {
      return Status::InvalidArgument("meta key '" + put.key + "' cannot be written with events; only " +
                                     std::string(kMetaSourcePrefix) + "... and " + std::string(kMetaOutboxPrefix) +
                                     "... can");
    }
  }
  PerfCountersOff perf_counters_off;
  // Per event: the record and the two index entries, the entity state (about
  // as long as the event) and RocksDB's framing.
  size_t expected_bytes = 0;
  for (const AppendRequest& request : group) expected_bytes += 2 * request.event.canonical.size() + 160;
  PendingBatch pending = NewBatch(expected_bytes);
  pending.Reserve(group.size());
  std::vector<AppendResult> results;
  results.reserve(group.size());
  StoredIds stored = LookUpIds(group);
  for (size_t i = 0; i < group.size(); ++i) {
    if (options_.fire_timers_at_event_time) {
      KEEL_RETURN_IF_ERROR(FireDueBeforeEvent(group[i].event.time_micros, &pending));
    }
    // An error is a reactor's: nothing of the batch is written.
    KEEL_ASSIGN_OR_RETURN(AppendResult result, AppendOne(group[i], stored.statuses[i], stored.values[i], &pending));
    results.push_back(std::move(result));
  }
  if (!pending.HasChanges() && meta.empty()) return results;
  for (const MetaPut& put : meta) pending.Put(Family(kMeta), put.key, put.value);
  KEEL_RETURN_IF_ERROR(WritePending(&pending));
  return results;
}

EventLogImpl::StoredIds EventLogImpl::LookUpIds(const std::vector<AppendRequest>& group) {
  StoredIds stored;
  stored.values.resize(group.size());
  stored.statuses.resize(group.size());
  std::vector<std::string> id_keys;
  id_keys.reserve(group.size());
  for (const AppendRequest& request : group) id_keys.push_back(IdKey(request.event.workspace, request.event.id));
  std::vector<rocksdb::Slice> keys(id_keys.begin(), id_keys.end());
  if (!keys.empty()) {
    db_->MultiGet(rocksdb::ReadOptions(), Family(kById), keys.size(), keys.data(), stored.values.data(),
                  stored.statuses.data());
  }
  return stored;
}

Result<AppendResult> EventLogImpl::AppendOne(AppendRequest& request, const rocksdb::Status& id_status,
                                             const rocksdb::PinnableSlice& stored_seq, PendingBatch* pending) {
  // An event read back from a log (a replay, a re-ingested export) comes
  // resolved: it is resolved again from what was submitted, by this log's aliases.
  if (!ResolvedFrom(request.event).empty()) {
    Result<Event> submitted = SubmittedForm(request.event);
    if (!submitted.ok()) return Rejected(submitted.status());
    request.event = std::move(submitted).value();
  }
  if (auto known = CheckIdempotency(request.event, id_status, stored_seq, *pending)) return *known;
  if (Status resolved = ResolveAlias(*pending, &request.event); !resolved.ok()) return Rejected(std::move(resolved));
  StageRequest input{EventOrigin::kInput, request.expected_version, /*depth=*/0, /*react=*/true};
  KEEL_ASSIGN_OR_RETURN(Staged staged, StageWithEffects(request.event, input, pending));
  if (!staged.refused.ok()) return Rejected(std::move(staged.refused));
  return AppendResult{AppendOutcome::kAppended, staged.seq, Status::OK()};
}

std::optional<AppendResult> EventLogImpl::CheckIdempotency(const Event& event, const rocksdb::Status& id_status,
                                                          const rocksdb::PinnableSlice& stored_seq,
                                                          const PendingBatch& pending) {
  if (const StagedIds::Entry* staged = pending.staged_ids().Find(event.workspace, event.id)) {
    return DuplicateOrConflict(event, *staged->event, staged->seq);
  }
  if (id_status.IsNotFound()) return std::nullopt;
  if (!id_status.ok()) return Rejected(FromRocksDB(id_status, "cannot look up event id"));
  if (stored_seq.size() != 8) return Rejected(Status::Corruption("by_id entry of '" + event.id + "' is malformed"));
  uint64_t seq = ReadBigEndian64(std::string_view(stored_seq.data(), stored_seq.size()));
  auto stored = Read(seq);
  if (!stored.ok()) return Rejected(stored.status());
  // by_id is keyed by workspace, so this cannot happen but on a damaged
  // index; even then the refusal never shows another workspace's event.
  if (stored->event.workspace != event.workspace) {
    return Rejected(Status::Corruption("by_id entry of '" + event.id + "' in workspace '" + event.workspace +
                                       "' points at seq " + std::to_string(seq) + " of another workspace"));
  }
  return DuplicateOrConflict(event, stored->event, seq);
}

}  // namespace keel
