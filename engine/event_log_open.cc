// Opening a log: the RocksDB options, the column families, the head.
#include <system_error>

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>

#include "engine/event_log_impl.h"
#include "engine/log_format.h"
#include "engine/rocksdb_status.h"

namespace keel {
namespace {

namespace fs = std::filesystem;
using namespace log_format;

constexpr std::string_view kAllFamilies[] = {kEvents, kByStream, kById, kEntities, kTimers, kMeta, kRulesets};

// `read_only`: the memtables only hold what a write-ahead log replays at open
// and serve reads; skip lists serve them best. A vector memtable sorts a copy
// of itself for every Get and iterator, and a hash one for every total-order
// iterator: after an ingest that did not flush, `keel verify` of a million
// events took minutes instead of seconds.
rocksdb::ColumnFamilyOptions FamilyOptions(std::string_view name, const std::shared_ptr<rocksdb::Cache>& cache,
                                           bool read_only) {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Point lookups by event id and entity key mostly miss or hit once: bloom
  // filters keep the misses cheap, in SST files and in the memtable.
  if (name == kById || name == kEntities) {
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    cf.memtable_prefix_bloom_size_ratio = 0.05;
    cf.memtable_whole_key_filtering = true;
  }
  // by_stream is only ever scanned, never read by key while appending: a
  // vector memtable appends in O(1) and sorts once at flush, where a skip list
  // pays a cache-missing search for every random stream key.
  if (name == kByStream && !read_only) cf.memtable_factory = std::make_shared<rocksdb::VectorRepFactory>();
  // entities gets a new version of a random key for every entity a batch
  // touches: hash buckets make that O(1) in the memtable, where a skip list
  // pays a cache-missing search per insert. Scans (verify) ask for total order.
  // by_id stays a skip list: event ids mostly arrive in order (time-ordered
  // ids, as the benchmark's), and a skip list starts each insert from the
  // last one, while a hash memtable must copy every entry into a sorted list
  // at flush, on the core the writer would use. `keel bench ingest --events
  // 1000000`, process CPU per event, medians of 3: both hashed 21.9 us, both
  // skip lists 21.2 us, this split 18.7 us.
  if (name == kEntities && !read_only) {
    cf.prefix_extractor.reset(rocksdb::NewNoopTransform());
    cf.memtable_factory.reset(rocksdb::NewHashSkipListRepFactory(size_t{1} << 16));
  }
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Flushes write level 0 uncompressed and only compactions into the last
  // level compress: flushing runs next to the writer on a 2-core machine,
  // and LZ4 there was 3.2% of keel's CPU samples, about 0.7 us per event
  // (perf, `keel bench ingest --events 300000`), for files that compaction
  // rewrites soon anyway. After: no LZ4 in flushes; the flush thread's share
  // of the samples 24.0% -> 22.2%.
  cf.compression = rocksdb::kNoCompression;
  cf.bottommost_compression = rocksdb::kLZ4Compression;
  cf.write_buffer_size = size_t{32} << 20;
  return cf;
}

std::vector<rocksdb::ColumnFamilyDescriptor> Descriptors(const std::shared_ptr<rocksdb::Cache>& cache,
                                                         bool read_only) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (std::string_view name : kAllFamilies) {
    descriptors.emplace_back(std::string(name), FamilyOptions(name, cache, read_only));
  }
  return descriptors;
}

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
      entity_cache_(options_.entity_cache_entries),
      last_sync_(std::chrono::steady_clock::now()) {}

EventLogImpl::~EventLogImpl() {
  if (!db_) return;
  if (!options_.read_only && unsynced_writes_ && options_.sync != SyncMode::kOff) {
    (void)db_->SyncWAL();
  }
  // RocksDB keeps the memtables' contents only in the write-ahead log at
  // close, and every later open would replay it into memory first: the
  // commands that follow a run (verify, explain, replay) started up to a
  // second late and then read from skip lists instead of sorted files.
  // Flushing once here makes the next open cheap.
  if (!options_.read_only && wrote_since_open_) {
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    for (auto& [name, handle] : families_) handles.push_back(handle);
    (void)db_->Flush(rocksdb::FlushOptions(), handles);
  }
  for (auto& [name, handle] : families_) (void)db_->DestroyColumnFamilyHandle(handle);
  (void)db_->Close();
}

Status EventLogImpl::OpenDatabase() {
  std::error_code ec;
  bool exists = fs::exists(dir_ / "CURRENT", ec);
  if (!exists && !options_.create_if_missing) {
    return Status::FailedPrecondition("'" + dir_.string() + "' holds no keel database");
  }
  if (!exists) {
    fs::create_directories(dir_, ec);
    if (ec) return Status::IOError("cannot create database folder '" + dir_.string() + "': " + ec.message());
  }

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = !exists;
  db_options.create_missing_column_families = !exists;
  db_options.max_background_jobs = 2;
  // One writer appends; the vector memtable of by_stream cannot take
  // concurrent inserts anyway.
  db_options.allow_concurrent_memtable_write = false;
  db_options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(options_.memtable_budget_bytes);
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_options.keep_log_file_num = 2;
  auto cache = rocksdb::NewLRUCache(options_.block_cache_bytes);

  bool may_finish_creation = exists && options_.create_if_missing && !options_.read_only;
  if (may_finish_creation) {
    KEEL_RETURN_IF_ERROR(CheckOnlyKeelFamilies(db_options));
    db_options.create_missing_column_families = true;
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      options_.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, dir_.string(), Descriptors(cache, true), &handles, &raw)
          : rocksdb::DB::Open(db_options, dir_.string(), Descriptors(cache, false), &handles, &raw);
  if (!s.ok()) {
    if (exists && s.IsInvalidArgument()) {
      return Status::FailedPrecondition("'" + dir_.string() + "' holds a RocksDB database that is not a keel log (" +
                                        s.ToString() + ")");
    }
    return FromRocksDB(s, "cannot open database '" + dir_.string() + "'");
  }
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
  if (s.IsNotFound() || (s.ok() && format != kFormatName)) {
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
  std::lock_guard lock(head_mu_);
  head_.seq = ReadBigEndian64(value);
  std::copy(value.begin() + 8, value.end(), head_.hash.begin());
  return Status::OK();
}

rocksdb::ColumnFamilyHandle* EventLogImpl::Family(std::string_view name) const {
  auto it = families_.find(name);
  return it == families_.end() ? nullptr : it->second;
}

}  // namespace keel
