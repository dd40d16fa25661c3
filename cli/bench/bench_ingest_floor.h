// keel bench ingest's layout floor: the keys and values a keel log holds
// after the benchmark's ingest, written again straight to RocksDB with the
// log's own options and batch size and nothing else: no decoding, validation,
// canonical form, hashing, reducing, dedupe lookups or entity loads. keel
// cannot go below it without writing fewer or smaller keys; the gap between
// it and keel is keel's own work.
#pragma once

#include <cstdint>
#include <filesystem>

#include "engine/status.h"

namespace keel::cli {

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

}  // namespace keel::cli
