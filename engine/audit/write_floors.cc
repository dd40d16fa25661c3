#include "engine/audit/write_floors.h"

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "engine/log/event_log.h"
#include "engine/log/event_record.h"
#include "engine/log_format.h"
#include "engine/log/log_rocksdb_options.h"
#include "engine/log/record_chunks.h"
#include "engine/state/reducers.h"

namespace keel {
namespace {

using namespace log_format;
using SteadyClock = std::chrono::steady_clock;

// Batches are prepared this many events at a time, then written timed.
constexpr size_t kPrepareChunk = 10000;

enum FamilyIndex : uint8_t { kEventsFamily, kByStreamFamily, kByIdFamily, kEntitiesFamily, kMetaFamily, kFamilies };

struct Put {
  FamilyIndex family;
  std::string key;
  std::string value;
};

// What one WriteBatch of the log held: every put, in the log's order.
struct PreparedBatch {
  std::vector<Put> puts;
};

class FloorDatabase {
 public:
  ~FloorDatabase() {
    for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  }

  Status Open(const std::filesystem::path& dir) {
    LogOptions options;
    rocksdb::DBOptions db_options = LogDatabaseOptions(options);
    db_options.create_if_missing = true;
    db_options.create_missing_column_families = true;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s =
        rocksdb::DB::Open(db_options, dir.string(), LogFamilyDescriptors(options, false), &handles_, &raw);
    if (!s.ok()) return Status::IOError("layout floor: " + s.ToString());
    db_.reset(raw);
    const std::string_view names[kFamilies] = {kEvents, kByStream, kById, kEntities, kMeta};
    for (int i = 0; i < kFamilies; ++i) {
      for (auto* handle : handles_) {
        if (handle->GetName() == names[i]) families_[i] = handle;
      }
    }
    return Status::OK();
  }

  Status Write(const PreparedBatch& prepared, uint64_t* bytes) {
    rocksdb::WriteBatch batch;
    for (const Put& put : prepared.puts) {
      batch.Put(families_[put.family], put.key, put.value);
      *bytes += put.key.size() + put.value.size();
    }
    rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &batch);  // WAL on, no fsync
    return s.ok() ? Status::OK() : Status::IOError("layout floor: " + s.ToString());
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* families_[kFamilies] = {};
};

// Turns the log's events back into the batches that wrote them, with entity
// states folded by the same reducers. An entity touched twice in one batch is
// written once, with its last state, as the append path does.
class BatchPreparer {
 public:
  explicit BatchPreparer(size_t group) : group_(group) {}

  Status Add(std::string_view key, std::string_view record) {
    if (record.size() < 1 + kHashSize) return Status::Corruption("layout floor: short event record");
    KEEL_ASSIGN_OR_RETURN(Event event, EventFromCanonical(std::string(record.substr(1 + kHashSize))));
    uint64_t seq = ReadBigEndian64(key);
    current_.puts.push_back({kEventsFamily, std::string(key), std::string(record)});
    current_.puts.push_back(
        {kByStreamFamily, StreamKey(event.workspace, event.entity.kind, event.entity.id, seq), std::string()});
    current_.puts.push_back({kByIdFamily, IdKey(event.workspace, event.id), std::string(key)});
    if (ChangesEntityState(event.type)) {
      std::string entity_key = EntityKey(event.workspace, event.entity.kind, event.entity.id);
      KEEL_RETURN_IF_ERROR(ApplyEvent(event, &states_[entity_key]));
      touched_.insert(std::move(entity_key));
    }
    head_ = std::string(key);
    head_.append(record.substr(1, kHashSize));
    if (++events_in_batch_ == group_) Close();
    return Status::OK();
  }

  // Ends the batch being prepared, if any.
  void Close() {
    if (events_in_batch_ == 0) return;
    for (const std::string& entity_key : touched_) {
      std::string value(1, static_cast<char>(kEntityRecordV1));
      value.append(states_[entity_key].canonical_view());
      current_.puts.push_back({kEntitiesFamily, entity_key, std::move(value)});
    }
    current_.puts.push_back({kMetaFamily, std::string(kMetaHead), head_});
    ready_.push_back(std::move(current_));
    current_ = PreparedBatch();
    touched_.clear();
    events_in_batch_ = 0;
  }

  std::vector<PreparedBatch>* ready() { return &ready_; }

 private:
  size_t group_;
  size_t events_in_batch_ = 0;
  PreparedBatch current_;
  std::unordered_map<std::string, EntityState> states_;
  std::unordered_set<std::string> touched_;
  std::string head_;
  std::vector<PreparedBatch> ready_;
};

}  // namespace

Result<FloorMeasured> MeasureLayoutFloor(const std::filesystem::path& keel_log, const std::filesystem::path& scratch,
                                         size_t group) {
  LogOptions read_options;
  read_options.read_only = true;
  KEEL_ASSIGN_OR_RETURN(auto log, EventLog::Open(keel_log, read_options));
  FloorDatabase floor;
  KEEL_RETURN_IF_ERROR(floor.Open(scratch));
  BatchPreparer preparer(group);
  FloorMeasured measured;
  auto write_ready = [&]() -> Status {
    auto start = SteadyClock::now();
    for (const PreparedBatch& batch : *preparer.ready()) KEEL_RETURN_IF_ERROR(floor.Write(batch, &measured.bytes));
    measured.seconds += std::chrono::duration<double>(SteadyClock::now() - start).count();
    preparer.ready()->clear();
    return Status::OK();
  };
  ColumnFamilyReader reader(*log, kEvents);
  std::string_view key, record;
  while (reader.Next(&key, &record)) {
    KEEL_RETURN_IF_ERROR(preparer.Add(key, record));
    if (++measured.events % kPrepareChunk == 0) KEEL_RETURN_IF_ERROR(write_ready());
  }
  KEEL_RETURN_IF_ERROR(reader.status());
  preparer.Close();
  KEEL_RETURN_IF_ERROR(write_ready());
  return measured;
}

RawEventWriter::RawEventWriter(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}
RawEventWriter::~RawEventWriter() = default;

Result<std::unique_ptr<RawEventWriter>> RawEventWriter::Open(const std::filesystem::path& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir.string(), &raw);
  if (!s.ok()) return Status::IOError("baseline: " + s.ToString());
  return std::unique_ptr<RawEventWriter>(new RawEventWriter(std::unique_ptr<rocksdb::DB>(raw)));
}

Status RawEventWriter::Write(std::span<const IngestItem> events) {
  rocksdb::WriteBatch batch;
  for (const IngestItem& event : events) {
    batch.Put(log_format::EventKey(++seq_), rocksdb::Slice(event.bytes.data(), event.bytes.size()));
  }
  rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &batch);  // WAL on, no fsync: as keel's --sync=off
  return s.ok() ? Status::OK() : Status::IOError("baseline: " + s.ToString());
}

}  // namespace keel
