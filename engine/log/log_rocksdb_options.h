// The RocksDB options a keel log opens with. EventLog uses them; so does
// `keel bench ingest`'s layout floor, which writes a log's keys with no keel
// logic around them and must pay exactly what the log pays for them.
#pragma once

#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include "engine/log/event_log.h"

namespace keel {

// Database-wide options. The caller sets create_if_missing and
// create_missing_column_families.
rocksdb::DBOptions LogDatabaseOptions(const LogOptions& options);

// "default" and every family of log_format::kAllFamilies, with their tuning.
// `read_only`: for a database opened only to be read.
std::vector<rocksdb::ColumnFamilyDescriptor> LogFamilyDescriptors(const LogOptions& options, bool read_only);

}  // namespace keel
