#include "tests/fuzz/fuzz_corpus.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/file_text.h"

namespace keel::fuzz {
namespace {

namespace fs = std::filesystem;

// Files under `root` whose path passes `keep`, in a stable order.
std::vector<fs::path> FilesUnder(const fs::path& root, bool (*keep)(const fs::path&)) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file() && keep(it->path())) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool IsEventsFile(const fs::path& path) { return path.extension() == ".ndjson"; }
bool IsYamlIn(const fs::path& path, const char* folder) {
  return (path.extension() == ".yaml" || path.extension() == ".yml") && path.parent_path().filename() == folder;
}
bool IsRuleFile(const fs::path& path) { return IsYamlIn(path, "rules"); }
bool IsTemplateFile(const fs::path& path) { return IsYamlIn(path, "templates"); }
bool Anything(const fs::path&) { return true; }

}  // namespace

std::vector<std::string> CorpusInputs(const std::string& target, const std::string& source_dir) {
  std::vector<std::string> inputs;
  for (const fs::path& file : FilesUnder(fs::path(source_dir) / "tests" / "fuzz" / "corpus" / target, Anything)) {
    inputs.push_back(testing::ReadFileText(file));
  }
  fs::path examples = fs::path(source_dir) / "examples";
  if (target == "event_decoder") {
    for (const fs::path& file : FilesUnder(examples, IsEventsFile)) {
      std::istringstream lines(testing::ReadFileText(file));
      for (std::string line; std::getline(lines, line);) {
        if (!line.empty()) inputs.push_back(line);
      }
    }
  } else if (target == "rule_file") {
    for (const fs::path& file : FilesUnder(examples, IsRuleFile)) inputs.push_back(testing::ReadFileText(file));
  } else if (target == "template_file") {
    for (const fs::path& file : FilesUnder(examples, IsTemplateFile)) inputs.push_back(testing::ReadFileText(file));
  }
  return inputs;
}

}  // namespace keel::fuzz
