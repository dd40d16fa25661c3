// What writing a log costs RocksDB alone, for `keel bench ingest` to hold
// keel's ingest against.
//
// The layout floor: the keys and values a keel log holds, written again
// straight to RocksDB with the log's own options and batch size and nothing
// else: no decoding, validation, canonical form, hashing, reducing, dedupe
// lookups or entity loads. keel cannot go below it without writing fewer or
// smaller keys; the gap between it and keel is keel's own work.
//
// The raw baseline: event bytes as they come in, each under its event key,
// into a plain RocksDB database: what storing the bytes alone costs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

#include "engine/ingest/ingest.h"
#include "engine/status.h"

namespace rocksdb {
class DB;
}

namespace keel {

struct FloorMeasured {
  double seconds = 0;  // writing only; preparing the batches is not timed
  uint64_t events = 0;
  uint64_t bytes = 0;  // keys and values written
};

// Reads the log in `keel_log` and writes what it holds for each event (the
// event record, its by_stream and by_id keys, the state of its entity as it
// stood after each batch, the head) into a fresh database in `scratch`, one
// WriteBatch per `group` events, WAL on and no fsync (keel's --sync=off).
Result<FloorMeasured> MeasureLayoutFloor(const std::filesystem::path& keel_log, const std::filesystem::path& scratch,
                                         size_t group);

// Writes the input events given to it into a fresh plain RocksDB database
// (RocksDB's default options) under the keys the log stores events under,
// seq 1, 2, ... in the order given.
class RawEventWriter {
 public:
  static Result<std::unique_ptr<RawEventWriter>> Open(const std::filesystem::path& dir);
  ~RawEventWriter();

  // Writes `events`' bytes in one WriteBatch, WAL on and no fsync (keel's
  // --sync=off).
  Status Write(std::span<const IngestItem> events);

 private:
  explicit RawEventWriter(std::unique_ptr<rocksdb::DB> db);
  std::unique_ptr<rocksdb::DB> db_;
  uint64_t seq_ = 0;
};

}  // namespace keel
