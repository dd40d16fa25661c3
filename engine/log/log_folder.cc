#include "engine/log/log_folder.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace keel {
namespace {

namespace fs = std::filesystem;

Status PermissionProblem(const fs::path& path, std::string_view access, int err) {
  return Status::FailedPrecondition("permission denied: keel cannot " + std::string(access) + " '" + path.string() +
                                    "' (" + std::strerror(err) + "); the database folder and its files must be " +
                                    "readable (and writable, to append) by the user running keel");
}

// Access to `path`, or the permission problem (other errors are left to
// RocksDB, which names them).
Status CheckAccess(const fs::path& path, int mode, std::string_view access) {
  if (::access(path.c_str(), mode) != 0 && (errno == EACCES || errno == EPERM)) {
    return PermissionProblem(path, access, errno);
  }
  return Status::OK();
}

// The files RocksDB writes while it creates a database, before CURRENT: a
// creation killed then leaves only these, and nothing was acknowledged.
bool IsCreationLeftover(const std::string& name) {
  return name == "LOCK" || name == "IDENTITY" || name == "LOG" || name.starts_with("LOG.old.") ||
         name == "MANIFEST-000001" || name.ends_with(".dbtmp");
}

bool IsRocksDbFile(const std::string& name) {
  return name.starts_with("MANIFEST-") || name.starts_with("OPTIONS-") || name.ends_with(".sst") ||
         name.ends_with(".log") || name.ends_with(".blob") || IsCreationLeftover(name);
}

std::string Listed(const std::vector<std::string>& names) {
  std::string text;
  for (size_t i = 0; i < names.size() && i < 4; ++i) text += (i ? ", " : "") + names[i];
  if (names.size() > 4) text += ", ... (" + std::to_string(names.size()) + " files)";
  return text;
}

}  // namespace

Result<LogFolder> InspectLogFolder(const fs::path& dir, bool for_writing) {
  std::error_code ec;
  fs::file_status status = fs::status(dir, ec);
  if (ec == std::errc::permission_denied) return PermissionProblem(dir, "reach", EACCES);
  if (!fs::exists(status)) return LogFolder::kNone;
  if (!fs::is_directory(status)) return Status::FailedPrecondition("'" + dir.string() + "' is not a folder");
  KEEL_RETURN_IF_ERROR(CheckAccess(dir, for_writing ? R_OK | W_OK | X_OK : R_OK | X_OK,
                                   for_writing ? "write in the folder" : "read the folder"));
  std::vector<std::string> names;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec == std::errc::permission_denied) return PermissionProblem(dir, "read the folder", EACCES);
  if (ec) return Status::IOError("cannot list '" + dir.string() + "': " + ec.message());
  std::sort(names.begin(), names.end());
  if (std::find(names.begin(), names.end(), "CURRENT") != names.end()) {
    for (const std::string& name : names) {
      if (!IsRocksDbFile(name) && name != "CURRENT") continue;
      KEEL_RETURN_IF_ERROR(CheckAccess(dir / name, R_OK, "read"));
    }
    return LogFolder::kDatabase;
  }
  if (std::all_of(names.begin(), names.end(), IsCreationLeftover)) return LogFolder::kNone;
  std::vector<std::string> rocksdb_files;
  std::copy_if(names.begin(), names.end(), std::back_inserter(rocksdb_files), IsRocksDbFile);
  if (!rocksdb_files.empty()) {
    return Status::Corruption("'" + dir.string() + "' is a damaged database: it holds RocksDB's files (" +
                              Listed(rocksdb_files) + ") but no CURRENT file, which names the MANIFEST to read");
  }
  return Status::FailedPrecondition("'" + dir.string() + "' holds no keel database, and it is not empty (" +
                                    Listed(names) + "): keel creates a log only in an empty or new folder");
}

}  // namespace keel
