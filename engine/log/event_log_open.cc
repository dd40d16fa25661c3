// Opening a log: the RocksDB options, the column families, the head.
#include <system_error>

#include "engine/log/event_log_impl.h"
#include "engine/log/log_folder.h"
#include "engine/log_format.h"
#include "engine/log/log_rocksdb_options.h"
#include "engine/log/wal_check.h"
#include "engine/log/rocksdb_info_log.h"
#include "engine/log/rocksdb_status.h"

namespace keel {
namespace {

namespace fs = std::filesystem;
using namespace log_format;

}  // namespace

Result<SyncMode> ParseSyncMode(std::string_view text) {
  if (text == "always") return SyncMode::kAlways;
  if (text == "batch") return SyncMode::kBatch;
  if (text == "off") return SyncMode::kOff;
  return Status::InvalidArgument("unknown sync mode '" + std::string(text) +
                                 "' (expected always, batch or off)");
}

std::string_view SyncModeName(SyncMode mode) {
  switch (mode) {
    case SyncMode::kAlways: return "always";
    case SyncMode::kBatch: return "batch";
    case SyncMode::kOff: return "off";
  }
  return "?";
}

Result<std::unique_ptr<EventLog>> EventLog::Open(const fs::path& dir, const LogOptions& options) {
  auto log = std::make_unique<EventLogImpl>(dir, options);
  KEEL_RETURN_IF_ERROR(log->OpenDatabase());
  return std::unique_ptr<EventLog>(std::move(log));
}

EventLogImpl::EventLogImpl(fs::path dir, LogOptions options)
    : dir_(std::move(dir)),
      options_(std::move(options)),
      limits_{options_.max_cascade_depth, options_.max_derived_per_input},
      entity_cache_(options_.entity_cache_entries),
      last_sync_(std::chrono::steady_clock::now()) {}

EventLogImpl::~EventLogImpl() {
  if (!db_) return;
  // After a failed write (a full disk) RocksDB's WAL writer must not be
  // synced or flushed again: RocksDB asserts on it and aborts the process.
  if (!write_failure_.ok()) {
    CloseAfterWriteFailure();
    return;
  }
  bool durable = options_.sync != SyncMode::kOff && !unsynced_writes_;
  if (!options_.read_only && unsynced_writes_ && options_.sync != SyncMode::kOff) durable = db_->SyncWAL().ok();
  // RocksDB keeps the memtables' contents only in the write-ahead log at
  // close, and every later open would replay it into memory first: the
  // commands that follow a run (verify, explain, replay) started up to a
  // second late and then read from skip lists instead of sorted files.
  // Flushing once here makes the next open cheap.
  if (!options_.read_only && wrote_since_open_) {
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    for (auto& [name, handle] : families_) handles.push_back(handle);
    if (db_->Flush(rocksdb::FlushOptions(), handles).ok()) durable = true;
    if (durable) RecordDurableHead(/*force=*/true);
  }
  for (auto& [name, handle] : families_) (void)db_->DestroyColumnFamilyHandle(handle);
  (void)db_->Close();
}

Status EventLogImpl::OpenDatabase() {
  KEEL_ASSIGN_OR_RETURN(LogFolder folder, InspectLogFolder(dir_, !options_.read_only));
  bool exists = folder == LogFolder::kDatabase;
  if (!exists && !options_.create_if_missing) {
    return Status::FailedPrecondition("'" + dir_.string() + "' holds no keel database");
  }
  std::error_code ec;
  if (!exists) {
    fs::create_directories(dir_, ec);
    if (ec) return Status::IOError("cannot create database folder '" + dir_.string() + "': " + ec.message());
  }

  rocksdb::DBOptions db_options = LogDatabaseOptions(options_);
  db_options.info_log = NewInfoLog(dir_, options_.read_only);
  db_options.create_if_missing = !exists;
  db_options.create_missing_column_families = !exists;

  // Decided before any read-write open: the probe reads the log read-only
  // (and checks its write-ahead logs first).
  if (exists && !options_.read_only) KEEL_RETURN_IF_ERROR(ProbeBeforeWriting(db_options));
  if (exists && options_.read_only) KEEL_RETURN_IF_ERROR(CheckWriteAheadLogs(dir_));

  bool may_finish_creation = exists && options_.create_if_missing && !options_.read_only;
  if (may_finish_creation) {
    KEEL_RETURN_IF_ERROR(CheckOnlyKeelFamilies(db_options));
    db_options.create_missing_column_families = true;
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      options_.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, dir_.string(), LogFamilyDescriptors(options_, true), &handles, &raw)
          : rocksdb::DB::Open(db_options, dir_.string(), LogFamilyDescriptors(options_, false), &handles, &raw);
  if (!s.ok()) return exists ? DescribeOpenFailure(s) : FromRocksDB(s, "cannot create database '" + dir_.string() + "'");
  db_.reset(raw);
  for (auto* handle : handles) families_.emplace(handle->GetName(), handle);
  if (!exists || (may_finish_creation && IsUnfinishedCreation())) KEEL_RETURN_IF_ERROR(CreateLayout());
  KEEL_RETURN_IF_ERROR(CheckHoldsKeelLog());
  KEEL_RETURN_IF_ERROR(LoadHead());
  KEEL_ASSIGN_OR_RETURN(auto workspaces, Workspaces());
  known_workspaces_.insert(workspaces.begin(), workspaces.end());
  return Status::OK();
}

// A writer killed while creating a log leaves a RocksDB database that has
// some of keel's column families and no `format` record. Nothing was
// acknowledged yet, so the next writer may finish the creation; a database
// with any other column family is someone else's and is left alone.
Status EventLogImpl::CheckOnlyKeelFamilies(const rocksdb::DBOptions& db_options) const {
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(db_options, dir_.string(), &names);
  if (!s.ok()) return FromRocksDB(s, "cannot read database '" + dir_.string() + "'");
  for (const std::string& name : names) {
    bool known = name == rocksdb::kDefaultColumnFamilyName;
    for (std::string_view family : kAllFamilies) known = known || name == family;
    if (!known) {
      return Status::FailedPrecondition("'" + dir_.string() + "' holds a RocksDB database that is not a keel log "
                                        "(column family '" + name + "')");
    }
  }
  return Status::OK();
}

bool EventLogImpl::IsUnfinishedCreation() const {
  std::string format;
  if (!db_->Get(rocksdb::ReadOptions(), Family(kMeta), std::string(kMetaFormat), &format).IsNotFound()) return false;
  for (auto* family : {db_->DefaultColumnFamily(), Family(kEvents), Family(kMeta)}) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family));
    it->SeekToFirst();
    if (it->Valid()) return false;
  }
  return true;
}

Status EventLogImpl::CreateLayout() {
  rocksdb::WriteOptions write;
  write.sync = options_.sync != SyncMode::kOff;
  return FromRocksDB(db_->Put(write, Family(kMeta), std::string(kMetaFormat), std::string(kFormatName)),
                     "cannot initialise database");
}

Status EventLogImpl::CheckHoldsKeelLog() {
  std::string format;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Family(kMeta), std::string(kMetaFormat), &format);
  if (s.IsNotFound()) return DescribeMissingFormat();
  if (s.ok() && format == kFormatNameV1) {
    return Status::FailedPrecondition(
        "'" + dir_.string() + "' is a " + std::string(kFormatNameV1) + " log; this keel reads " +
        std::string(kFormatName) + " (event ids are unique per workspace since). Export it with the keel that "
        "wrote it (keel export --db DIR --out FILE) and ingest its input events (those without a causationid, "
        "outside the system workspace) into a new folder with the same rules: keel derives the rest again");
  }
  if (s.ok() && format != kFormatName) {
    return Status::FailedPrecondition("'" + dir_.string() + "' is not a keel log (format '" + format + "')");
  }
  return FromRocksDB(s, "cannot read log format");
}

Status EventLogImpl::LoadHead() {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Family(kMeta), std::string(kMetaHead), &value);
  if (s.IsNotFound()) return Status::OK();  // an empty log
  KEEL_RETURN_IF_ERROR(FromRocksDB(s, "cannot read log head"));
  if (value.size() != 8 + kHashSize) return Status::Corruption("log head record has the wrong size");
  MutexLock lock(&head_mu_);
  head_.seq = ReadBigEndian64(value);
  std::copy(value.begin() + 8, value.end(), head_.hash.begin());
  return Status::OK();
}

rocksdb::ColumnFamilyHandle* EventLogImpl::Family(std::string_view name) const {
  auto it = families_.find(name);
  return it == families_.end() ? nullptr : it->second;
}

}  // namespace keel
