// A database folder's files as bytes, for tests that damage one on purpose
// and then check that keel left every file as it was.
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/support/file_text.h"

namespace keel::testing {

// Every file of `dir` by name, with its bytes; RocksDB's info logs (LOG,
// LOG.old.*) are left out: they record each attempt to open, and hold no data.
inline std::map<std::string, std::string> DbFiles(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (name == "LOG" || name.starts_with("LOG.old.")) continue;
    files[name] = ReadFileText(entry.path());
  }
  return files;
}

// The files of `dir` whose names end with `suffix` or start with `prefix`, sorted.
inline std::vector<std::filesystem::path> FilesNamed(const std::filesystem::path& dir, const std::string& prefix,
                                                     const std::string& suffix) {
  std::vector<std::filesystem::path> found;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with(prefix) && name.ends_with(suffix)) found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace keel::testing
