// What a database folder holds, decided from its file names and permissions
// before RocksDB touches it: RocksDB opened read-write deletes files its
// MANIFEST does not name and creates a database in any folder without a
// CURRENT file, so keel looks first.
#pragma once

#include <filesystem>

#include "engine/status.h"

namespace keel {

enum class LogFolder {
  kNone,      // missing, empty, or left by a creation killed before CURRENT: a log may be created
  kDatabase,  // a RocksDB database (it has CURRENT): to be opened and checked
};

// Refuses, with a message saying what is wrong and where:
// - a folder or file keel may not read (or, `for_writing`, write): a
//   permission problem;
// - RocksDB's files without CURRENT: a damaged database;
// - anything else that is not empty: not a keel log, and no place to create one.
Result<LogFolder> InspectLogFolder(const std::filesystem::path& dir, bool for_writing);

}  // namespace keel
