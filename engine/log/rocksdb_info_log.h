// RocksDB's informational log (the LOG file in the database folder), kept
// by keel so that writing it can fail without harm.
//
// RocksDB's own LOG writer asserts, and so aborts the process, when it is
// written again after a failed write: on a full disk, RocksDB's error
// recovery thread logs a line after the disk filled, and `keel ingest`
// ended with exit 134 instead of its message.
#pragma once

#include <filesystem>
#include <memory>

#include <rocksdb/env.h>

namespace keel {

// A writer's log appends warnings and errors to `dir`/LOG and ignores
// failures to do so; a reader's (`read_only`) writes nothing, so reading a
// log leaves its folder untouched.
std::shared_ptr<rocksdb::Logger> NewInfoLog(const std::filesystem::path& dir, bool read_only);

}  // namespace keel
