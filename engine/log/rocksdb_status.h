// Converts RocksDB's status into keel's, once, where RocksDB is called.
#pragma once

#include <string_view>

#include <rocksdb/status.h>

#include "engine/status.h"

namespace keel {

inline Status FromRocksDB(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::OK();
  std::string msg(context);
  msg += ": ";
  msg += s.ToString();
  if (s.IsNotFound()) return Status::NotFound(std::move(msg));
  if (s.IsCorruption()) return Status::Corruption(std::move(msg));
  if (s.IsInvalidArgument()) return Status::InvalidArgument(std::move(msg));
  return Status::IOError(std::move(msg));
}

}  // namespace keel
