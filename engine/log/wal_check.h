// Checks RocksDB's write-ahead log files before a log is opened.
//
// RocksDB's own recovery modes either drop everything after a damaged
// record without a word (point-in-time) or refuse without saying where.
// An audit log must refuse, and say which file and where, so that an
// operator can restore that file; only a torn tail (the last record of a
// file cut short by a killed process, or never-written zeros after it) may
// be dropped, because it was never acknowledged as durable.
#pragma once

#include <filesystem>

#include "engine/status.h"

namespace keel {

// Reads every write-ahead log file (`NNNNNN.log`) in `dir` record by record
// (RocksDB's log format: 32 KiB blocks of checksummed physical records).
// Returns Corruption naming the file and the byte offset of the first record
// that is damaged anywhere but in the file's torn tail; OK otherwise.
Status CheckWriteAheadLogs(const std::filesystem::path& dir);

}  // namespace keel
