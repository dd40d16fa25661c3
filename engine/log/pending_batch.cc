// The batch in hand: staging, reads through it, timers, and the final write.
#include "engine/log/pending_batch.h"

#include <rocksdb/iterator.h>

#include "engine/canonical_json.h"
#include "engine/log/aliases.h"
#include "engine/log/rocksdb_status.h"
#include "engine/log/timer.h"
#include "engine/log_format.h"
#include "engine/sha256.h"

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

PendingBatch::PendingBatch(const BatchTarget& target, LogHead head, size_t reserved_bytes)
    : target_(target), batch_(reserved_bytes), head_(head) {}

void PendingBatch::Reserve(size_t count) {
  entities_.reserve(count);
  staged_ids_.Reserve(count);
}

uint64_t PendingBatch::Stage(const Event& event, std::string entity_key, EntityState* state) {
  uint64_t seq = ++head_.seq;
  head_.hash = ChainHash(head_.hash, event.canonical);
  // Keys and records go into the batch in parts (rocksdb::SliceParts), so
  // none of them is built as a string of its own first: the same bytes as
  // EventKey, StreamKey and the record layout of log_format.h.
  char seq_bytes[8];
  EncodeBigEndian64(seq, seq_bytes);
  const char version = static_cast<char>(kEventRecordV1);
  const char separator = kKeySeparator;
  rocksdb::Slice seq_slice(seq_bytes, sizeof seq_bytes);
  rocksdb::Slice record[] = {rocksdb::Slice(&version, 1),
                             rocksdb::Slice(reinterpret_cast<const char*>(head_.hash.data()), kHashSize),
                             event.canonical};
  batch_.Put(target_.events, rocksdb::SliceParts(&seq_slice, 1), rocksdb::SliceParts(record, 3));
  rocksdb::Slice stream_key[] = {event.workspace, rocksdb::Slice(&separator, 1), event.entity.kind,
                                 rocksdb::Slice(&separator, 1), event.entity.id, rocksdb::Slice(&separator, 1),
                                 seq_slice};
  rocksdb::Slice empty;
  batch_.Put(target_.by_stream, rocksdb::SliceParts(stream_key, 7), rocksdb::SliceParts(&empty, 1));
  rocksdb::Slice id_key[] = {event.workspace, rocksdb::Slice(&separator, 1), event.id};
  batch_.Put(target_.by_id, rocksdb::SliceParts(id_key, 3), rocksdb::SliceParts(&seq_slice, 1));
  if (state != nullptr) entities_[std::move(entity_key)] = std::move(*state);
  staged_ids_.Insert(&event, seq);
  if (!target_.known_workspaces->count(event.workspace)) new_workspaces_.insert(event.workspace);
  ++appended_;
  return seq;
}

Result<EntityState> PendingBatch::LoadEntityForWrite(const std::string& key) {
  if (auto it = entities_.find(key); it != entities_.end()) return it->second;
  if (auto cached = target_.entity_cache->Take(key)) return std::move(*cached);
  rocksdb::PinnableSlice value;
  rocksdb::Status s = target_.db->Get(rocksdb::ReadOptions(), target_.entities, key, &value);
  if (s.IsNotFound()) return EntityState();
  KEEL_RETURN_IF_ERROR(FromRocksDB(s, "cannot read entity state"));
  if (value.empty() || static_cast<uint8_t>(value[0]) != kEntityRecordV1) {
    return Status::Corruption("entity record has an unknown version");
  }
  return EntityState::FromCanonical(std::string_view(value.data() + 1, value.size() - 1));
}

const EntityState* PendingBatch::StagedEntity(const std::string& key) const {
  auto it = entities_.find(key);
  return it == entities_.end() ? nullptr : &it->second;
}

Result<std::optional<EntityState>> PendingBatch::ReadEntity(std::string_view workspace,
                                                            const EntityRef& entity) const {
  std::string key = EntityKey(workspace, entity.kind, entity.id);
  if (auto it = entities_.find(key); it != entities_.end()) {
    return std::optional<EntityState>(it->second);
  }
  if (const EntityState* cached = target_.entity_cache->Peek(key)) return std::optional<EntityState>(*cached);
  return target_.log->GetEntity(workspace, entity);
}

Status PendingBatch::ForEachEntity(std::string_view workspace, std::string_view kind,
                                   const std::function<bool(std::string_view, const EntityState&)>& visit) const {
  // The batch's states win over the stored ones; both are merged in key
  // (so id) order.
  std::string prefix = EntityKey(workspace, kind, "");
  std::map<std::string_view, const EntityState*> staged;
  for (const auto& [key, state] : entities_) {
    if (key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0) staged[key] = &state;
  }
  auto emit = [&](std::string_view key, const EntityState& state) {
    return visit(key.substr(prefix.size()), state);
  };
  rocksdb::ReadOptions read;
  read.total_order_seek = true;  // the entities memtable hashes whole keys
  std::string upper = prefix;
  upper.back() = static_cast<char>(kKeySeparator + 1);
  rocksdb::Slice upper_slice(upper);
  read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(target_.db->NewIterator(read, target_.entities));
  auto next_staged = staged.begin();
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    for (; next_staged != staged.end() && next_staged->first < key; ++next_staged) {
      if (!emit(next_staged->first, *next_staged->second)) return Status::OK();
    }
    if (next_staged != staged.end() && next_staged->first == key) {
      if (!emit(key, *next_staged->second)) return Status::OK();
      ++next_staged;
      continue;
    }
    std::string_view value(it->value().data(), it->value().size());
    if (value.empty() || static_cast<uint8_t>(value[0]) != kEntityRecordV1) {
      return Status::Corruption("entity record has an unknown version");
    }
    EntityState state = EntityState::FromCanonical(value.substr(1));
    if (!emit(key, state)) return Status::OK();
  }
  KEEL_RETURN_IF_ERROR(FromRocksDB(it->status(), "cannot scan entities"));
  for (; next_staged != staged.end(); ++next_staged) {
    if (!emit(next_staged->first, *next_staged->second)) return Status::OK();
  }
  return Status::OK();
}

Status PendingBatch::StageTimerChange(const Event& event) {
  if (!ChangesTimers(event.type)) return Status::OK();
  if (event.type == kTimerScheduled) {
    // Scheduling a timer id that is pending replaces it: one timer per id.
    KEEL_ASSIGN_OR_RETURN(PendingTimer timer, TimerFromScheduledEvent(event));
    KEEL_ASSIGN_OR_RETURN(std::optional<PendingTimer> existing, ReadTimer(timer.workspace, timer.timer_id));
    if (existing) DeleteTimer(*existing);
    PutTimer(timer);
    return Status::OK();
  }
  KEEL_ASSIGN_OR_RETURN(std::optional<PendingTimer> existing, ReadTimer(event.workspace, TimerIdOf(event)));
  if (!existing) return Status::OK();  // fired or cancelled before: nothing left to do
  // A timer.fired is about one scheduling (its causationid); a later
  // scheduling of the same id stays pending.
  if (event.type == kTimerFired && event.causation_id != existing->scheduled_by) return Status::OK();
  DeleteTimer(*existing);
  return Status::OK();
}

void PendingBatch::PutTimer(const PendingTimer& timer) {
  std::string due_key = DueKeyOf(timer);
  std::string id_key = TimerIdKey(timer.workspace, timer.timer_id);
  std::string fire;
  AppendOrderedMicros(timer.fire_micros, &fire);
  timer_deletes_.erase(due_key);
  timer_deletes_.erase(id_key);
  timer_puts_[due_key] = EncodeTimerRecord(timer);
  timer_puts_[id_key] = std::move(fire);
}

void PendingBatch::DeleteTimer(const PendingTimer& timer) {
  for (std::string key : {DueKeyOf(timer), TimerIdKey(timer.workspace, timer.timer_id)}) {
    timer_puts_.erase(key);
    timer_deletes_.insert(std::move(key));
  }
}

Result<std::optional<PendingTimer>> PendingBatch::ReadTimer(std::string_view workspace,
                                                            std::string_view timer_id) const {
  std::string id_key = TimerIdKey(workspace, timer_id);
  if (timer_deletes_.count(id_key)) return std::optional<PendingTimer>();
  auto staged = timer_puts_.find(id_key);
  if (staged == timer_puts_.end()) return target_.log->GetTimer(workspace, timer_id);
  auto record = timer_puts_.find(TimerDueKey(ReadOrderedMicros(staged->second), workspace, timer_id));
  if (record == timer_puts_.end()) return Status::Internal("a staged timer has no due entry");
  KEEL_ASSIGN_OR_RETURN(PendingTimer timer, DecodeTimerRecord(record->second));
  return std::optional<PendingTimer>(std::move(timer));
}

Status PendingBatch::ForEachTimer(std::string_view workspace,
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
  std::unique_ptr<rocksdb::Iterator> it(target_.db->NewIterator(read, target_.timers));
  for (it->Seek(prefix); it->Valid(); it->Next()) ids.insert(it->key().ToString().substr(prefix.size()));
  KEEL_RETURN_IF_ERROR(FromRocksDB(it->status(), "cannot scan timers"));
  for (auto staged = timer_puts_.lower_bound(prefix);
       staged != timer_puts_.end() && staged->first.compare(0, prefix.size(), prefix) == 0; ++staged) {
    ids.insert(staged->first.substr(prefix.size()));
  }
  for (const std::string& id : ids) {
    KEEL_ASSIGN_OR_RETURN(std::optional<PendingTimer> timer, ReadTimer(workspace, id));
    if (timer && !visit(*timer)) return Status::OK();
  }
  return Status::OK();
}

Result<std::optional<std::string>> PendingBatch::ReadAlias(std::string_view workspace,
                                                          std::string_view name) const {
  std::string key = AliasKey(workspace, name);
  if (auto staged = alias_puts_.find(key); staged != alias_puts_.end()) {
    return std::optional<std::string>(staged->second);
  }
  std::string value;
  rocksdb::Status s = target_.db->Get(rocksdb::ReadOptions(), target_.meta, key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  KEEL_RETURN_IF_ERROR(FromRocksDB(s, "cannot read alias"));
  return std::optional<std::string>(std::move(value));
}

void PendingBatch::StageAliases(const Event& event) {
  for (const std::string& name : AliasNamesOf(event)) alias_puts_[AliasKey(event.workspace, name)] = event.subject;
}

std::vector<std::string> PendingBatch::Workspaces() const {
  std::set<std::string> names(target_.known_workspaces->begin(), target_.known_workspaces->end());
  names.insert(new_workspaces_.begin(), new_workspaces_.end());
  names.erase(std::string(kSystemWorkspace));
  return {names.begin(), names.end()};
}

Status PendingBatch::Write(const rocksdb::WriteOptions& options) {
  const char version = static_cast<char>(kEntityRecordV1);
  for (const auto& [key, state] : entities_) {
    rocksdb::Slice key_slice(key);
    rocksdb::Slice record[] = {rocksdb::Slice(&version, 1), state.canonical_view()};
    batch_.Put(target_.entities, rocksdb::SliceParts(&key_slice, 1), rocksdb::SliceParts(record, 2));
  }
  for (const std::string& key : timer_deletes_) batch_.Delete(target_.timers, key);
  for (const auto& [key, value] : timer_puts_) batch_.Put(target_.timers, key, value);
  for (const auto& [key, subject] : alias_puts_) batch_.Put(target_.meta, key, subject);
  for (const std::string& workspace : new_workspaces_) {
    batch_.Put(target_.meta, std::string(kMetaWorkspacePrefix) + workspace, rocksdb::Slice());
  }
  std::string head = EventKey(head_.seq);
  head.append(reinterpret_cast<const char*>(head_.hash.data()), kHashSize);
  batch_.Put(target_.meta, std::string(kMetaHead), head);
  KEEL_RETURN_IF_ERROR(FromRocksDB(target_.db->Write(options, &batch_), "cannot write batch"));
  MoveWriterOn();
  return Status::OK();
}

void PendingBatch::MoveWriterOn() {
  for (auto& [key, state] : entities_) target_.entity_cache->Put(key, std::move(state));
  target_.known_workspaces->insert(new_workspaces_.begin(), new_workspaces_.end());
  // What the batch fired is gone; what it scheduled may be earlier still.
  std::string& floor = *target_.timer_floor;
  std::optional<int64_t>& earliest = *target_.earliest_due;
  if (timer_floor > floor) floor = timer_floor;
  if (earliest_due) earliest = earliest_due;
  for (const auto& [key, value] : timer_puts_) {
    if (key[0] != kTimerDuePrefix) continue;
    if (key < floor) floor = key;
    int64_t due = ReadOrderedMicros(std::string_view(key).substr(1, 8));
    if (earliest && due < *earliest) earliest = due;
  }
  // Deletes can only make the earliest later: it stays a lower bound.
}

}  // namespace keel
