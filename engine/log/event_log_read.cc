// Reading: single events, scans, streams, entity state, pending timers.
#include <rocksdb/iterator.h>

#include "engine/log/event_record.h"
#include "engine/log/event_log_impl.h"
#include "engine/log_format.h"
#include "engine/log/rocksdb_status.h"

namespace keel {
namespace {

using namespace log_format;

// For a pass over a whole family (verify, replay, whatif): its blocks are
// read once, so keeping them in the block cache only costs the inserts and
// evicts what point lookups would use again; large reads ahead cut the
// number of read calls. Not for short scans that come back often, such as
// the outbox relay's from its cursor: those would read 2 MiB each time and
// find nothing cached.
rocksdb::ReadOptions WholeScanReadOptions() {
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  read.readahead_size = size_t{2} << 20;
  return read;
}

Status CheckEventRecord(uint64_t seq, std::string_view record) {
  if (record.size() < 1 + kHashSize || static_cast<uint8_t>(record[0]) != kEventRecordV1) {
    return Status::Corruption("event record at seq " + std::to_string(seq) + " has an unknown format");
  }
  return Status::OK();
}

Result<StoredEvent> DecodeEventRecord(uint64_t seq, std::string_view record) {
  KEEL_RETURN_IF_ERROR(CheckEventRecord(seq, record));
  StoredEvent stored;
  stored.seq = seq;
  std::copy(record.begin() + 1, record.begin() + 1 + kHashSize, stored.hash.begin());
  auto event = EventFromCanonical(std::string(record.substr(1 + kHashSize)));
  if (!event.ok()) return event.status().WithContext("seq " + std::to_string(seq));
  stored.event = std::move(event).value();
  return stored;
}

std::string_view View(const rocksdb::Slice& slice) { return {slice.data(), slice.size()}; }

}  // namespace

LogHead EventLogImpl::Head() const {
  MutexLock lock(&head_mu_);
  return head_;
}

Result<StoredEvent> EventLogImpl::Read(uint64_t seq) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Family(kEvents), EventKey(seq), &value);
  if (s.IsNotFound()) return Status::NotFound("no event at seq " + std::to_string(seq));
  KEEL_RETURN_IF_ERROR(FromRocksDB(s, "cannot read event"));
  return DecodeEventRecord(seq, View(value));
}

Result<std::optional<uint64_t>> EventLogImpl::FindSeqById(std::string_view workspace,
                                                           std::string_view event_id) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Family(kById), IdKey(workspace, event_id), &value);
  if (s.IsNotFound()) return std::optional<uint64_t>();
  KEEL_RETURN_IF_ERROR(FromRocksDB(s, "cannot look up event id"));
  if (value.size() != 8) return Status::Corruption("by_id entry of '" + std::string(event_id) + "' is malformed");
  return std::optional<uint64_t>(ReadBigEndian64(value));
}

Result<std::optional<EntityState>> EventLogImpl::GetEntity(std::string_view workspace,
                                                           const EntityRef& entity) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Family(kEntities),
                               EntityKey(workspace, entity.kind, entity.id), &value);
  if (s.IsNotFound()) return std::optional<EntityState>();
  KEEL_RETURN_IF_ERROR(FromRocksDB(s, "cannot read entity state"));
  if (value.empty() || static_cast<uint8_t>(value[0]) != kEntityRecordV1) {
    return Status::Corruption("entity record of " + entity.ToString() + " has an unknown format");
  }
  return std::optional<EntityState>(EntityState::FromCanonical(View(value).substr(1)));
}

Result<std::vector<std::string>> EventLogImpl::Workspaces() const {
  // Only the `workspace/` keys: `meta` also holds the aliases, two per
  // external link, which a scan of the whole family would read too.
  std::vector<std::string> names;
  rocksdb::ReadOptions read;
  read.total_order_seek = true;
  std::string upper(kMetaWorkspacePrefix);
  upper.back() = static_cast<char>(upper.back() + 1);
  rocksdb::Slice upper_slice(upper);
  read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, Family(kMeta)));
  for (it->Seek(std::string(kMetaWorkspacePrefix)); it->Valid(); it->Next()) {
    names.emplace_back(View(it->key()).substr(kMetaWorkspacePrefix.size()));
  }
  KEEL_RETURN_IF_ERROR(FromRocksDB(it->status(), "cannot scan meta"));
  return names;
}

Status EventLogImpl::ForEachEntity(
    std::string_view workspace, std::string_view kind, std::string_view after_id,
    const std::function<bool(std::string_view id, std::string_view state)>& visit) const {
  std::string prefix = EntityKey(workspace, kind, "");
  std::string upper = prefix;
  upper.back() = static_cast<char>(kKeySeparator + 1);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read;
  read.total_order_seek = true;  // the entities memtable hashes whole keys
  read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, Family(kEntities)));
  std::string start = prefix + std::string(after_id);
  for (it->Seek(start); it->Valid(); it->Next()) {
    std::string_view key = View(it->key());
    std::string_view id = key.substr(prefix.size());
    if (!after_id.empty() && id == after_id) continue;
    std::string_view value = View(it->value());
    if (value.empty() || static_cast<uint8_t>(value[0]) != kEntityRecordV1) {
      return Status::Corruption("entity record of " + PrintableKey(key) + " has an unknown format");
    }
    if (!visit(id, value.substr(1))) break;
  }
  return FromRocksDB(it->status(), "cannot scan the entities of kind '" + std::string(kind) + "'");
}

Status EventLogImpl::Scan(uint64_t from, uint64_t to,
                          const std::function<bool(const StoredEvent&)>& visit) const {
  return ScanRecords(from, to, [&](uint64_t seq, std::string_view record) -> Result<bool> {
    KEEL_ASSIGN_OR_RETURN(StoredEvent stored, DecodeEventRecord(seq, record));
    return visit(stored);
  });
}

Status EventLogImpl::ScanCanonical(uint64_t from, uint64_t to,
                                   const std::function<bool(uint64_t, std::string_view)>& visit) const {
  return ScanRecords(from, to, [&](uint64_t seq, std::string_view record) -> Result<bool> {
    KEEL_RETURN_IF_ERROR(CheckEventRecord(seq, record));
    return visit(seq, record.substr(1 + kHashSize));
  });
}

Status EventLogImpl::ScanRecords(uint64_t from, uint64_t to,
                                 const std::function<Result<bool>(uint64_t, std::string_view)>& visit) const {
  bool whole_log = from <= 1 && to == UINT64_MAX;
  rocksdb::ReadOptions read = whole_log ? WholeScanReadOptions() : rocksdb::ReadOptions();
  std::string upper = EventKey(to == UINT64_MAX ? to : to + 1);
  rocksdb::Slice upper_slice(upper);
  if (to != UINT64_MAX) read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, Family(kEvents)));
  for (it->Seek(EventKey(from)); it->Valid(); it->Next()) {
    if (it->key().size() != 8) return Status::Corruption("event key of the wrong size");
    KEEL_ASSIGN_OR_RETURN(bool more, visit(ReadBigEndian64(View(it->key())), View(it->value())));
    if (!more) return Status::OK();
  }
  return FromRocksDB(it->status(), "cannot scan events");
}

Status EventLogImpl::ScanStream(std::string_view workspace, const EntityRef& entity,
                                const std::function<bool(uint64_t seq)>& visit) const {
  std::string prefix = StreamPrefix(workspace, entity.kind, entity.id);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), Family(kByStream)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view key = View(it->key());
    if (key.size() != prefix.size() + 8) continue;  // a longer id that shares the prefix cannot: ids hold no NUL
    if (!visit(ReadBigEndian64(key.substr(prefix.size())))) break;
  }
  return FromRocksDB(it->status(), "cannot scan stream");
}

Status EventLogImpl::ScanEntities(
    std::string_view workspace, const EntityRef& start,
    const std::function<bool(const EntityRef& entity, const EntityState& state)>& visit) const {
  std::string prefix(workspace);
  prefix.push_back(kKeySeparator);
  rocksdb::ReadOptions read;
  read.total_order_seek = true;  // the memtable hashes whole keys; a prefix walk needs the order
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, Family(kEntities)));
  it->Seek(start.kind.empty() ? prefix : EntityKey(workspace, start.kind, start.id));
  for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view rest = View(it->key()).substr(prefix.size());
    size_t separator = rest.find(kKeySeparator);
    if (separator == std::string_view::npos) return Status::Corruption("entity key without a kind");
    EntityRef entity{std::string(rest.substr(0, separator)), std::string(rest.substr(separator + 1))};
    std::string_view value = View(it->value());
    if (value.empty() || static_cast<uint8_t>(value[0]) != kEntityRecordV1) {
      return Status::Corruption("entity record of " + entity.ToString() + " has an unknown format");
    }
    if (!visit(entity, EntityState::FromCanonical(value.substr(1)))) break;
  }
  return FromRocksDB(it->status(), "cannot scan entities");
}

Status EventLogImpl::ScanColumnFamily(
    std::string_view name, const std::function<bool(std::string_view, std::string_view)>& visit) const {
  rocksdb::ColumnFamilyHandle* family = Family(name);
  if (family == nullptr) return Status::NotFound("no column family '" + std::string(name) + "'");
  rocksdb::ReadOptions read = WholeScanReadOptions();
  read.total_order_seek = true;  // by_id and entities hash their memtables by key
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, family));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!visit(View(it->key()), View(it->value()))) break;
  }
  return FromRocksDB(it->status(), "cannot scan " + std::string(name));
}

Result<std::string> EventLogImpl::GetRaw(std::string_view column_family, std::string_view key) const {
  rocksdb::ColumnFamilyHandle* family = Family(column_family);
  if (family == nullptr) return Status::NotFound("no column family '" + std::string(column_family) + "'");
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), family, key, &value);
  if (s.IsNotFound()) return Status::NotFound("no key in " + std::string(column_family));
  KEEL_RETURN_IF_ERROR(FromRocksDB(s, "cannot read " + std::string(column_family)));
  return value;
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
