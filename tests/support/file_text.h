// The bytes of a file, for tests that compare or show what a run wrote.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace keel::testing {

// The whole file; empty when it cannot be read (the caller's assertion on
// the contents then says what was missing).
inline std::string ReadFileText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace keel::testing
