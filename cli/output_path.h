// Where a command may write a file the user names: never inside a database
// folder, where a name like CURRENT or MANIFEST-000005 would overwrite
// RocksDB's own files and damage the log.
#pragma once

#include <string>

namespace keel::cli {

// Empty when `path` may be written; otherwise why not (for a CLI11
// validator): it is a database folder or lies inside one, a folder holding
// RocksDB's CURRENT or IDENTITY file. Symbolic links are followed.
std::string RefuseDatabaseFolder(const std::string& path);

}  // namespace keel::cli
