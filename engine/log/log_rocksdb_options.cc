#include "engine/log/log_rocksdb_options.h"

#include <rocksdb/cache.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>

#include "engine/log_format.h"

namespace keel {
namespace {

using namespace log_format;

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

// RocksDB makes a database read-only after a failed write and, by default,
// resumes it in the background once there is room again. keel does not
// resume a log behind its caller's back: the error reaches the caller, who
// stops; reopening recovers.
class NoAutomaticRecovery : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status, bool* auto_recovery) override {
    *auto_recovery = false;
  }
};

}  // namespace

rocksdb::DBOptions LogDatabaseOptions(const LogOptions& options) {
  rocksdb::DBOptions db_options;
  db_options.max_background_jobs = 2;
  // One writer appends; the vector memtable of by_stream cannot take
  // concurrent inserts anyway.
  db_options.allow_concurrent_memtable_write = false;
  db_options.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(options.memtable_budget_bytes);
  // EventLog gives RocksDB keel's own info log (engine/log/rocksdb_info_log.h),
  // which a full disk cannot make abort the process.
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_options.keep_log_file_num = 2;
  db_options.listeners.push_back(std::make_shared<NoAutomaticRecovery>());
  // Point-in-time recovery (RocksDB's default) replays the write-ahead log
  // up to a damaged record and silently drops the rest, committed events
  // included. This mode drops only a torn tail and refuses other damage
  // (keel names it first: engine/log/wal_check.h).
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  return db_options;
}

std::vector<rocksdb::ColumnFamilyDescriptor> LogFamilyDescriptors(const LogOptions& options, bool read_only) {
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (std::string_view name : kAllFamilies) {
    descriptors.emplace_back(std::string(name), FamilyOptions(name, cache, read_only));
  }
  return descriptors;
}

}  // namespace keel
