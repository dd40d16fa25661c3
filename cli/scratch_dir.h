// A temporary folder for a scratch database, removed when it goes out of scope.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

namespace keel::cli {

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& label) {
    std::string pattern = (std::filesystem::temp_directory_path() / ("keel-" + label + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  bool ok() const { return !path_.empty(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace keel::cli
