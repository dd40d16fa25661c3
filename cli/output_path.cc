#include "cli/output_path.h"

#include <filesystem>

namespace keel::cli {
namespace {

namespace fs = std::filesystem;

bool HoldsDatabase(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / "CURRENT", ec) || fs::exists(dir / "IDENTITY", ec);
}

}  // namespace

std::string RefuseDatabaseFolder(const std::string& path) {
  std::error_code ec;
  fs::path resolved = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) return std::string();  // unresolvable: opening it will say why
  for (fs::path dir = resolved;; dir = dir.parent_path()) {
    if (HoldsDatabase(dir)) {
      return "'" + path + "' is inside the database folder '" + dir.string() +
             "'; writing there would damage the log: choose a path outside it";
    }
    if (dir == dir.parent_path()) return std::string();
  }
}

}  // namespace keel::cli
