// How `keel rules test` and `keel mappings test` report: each file's tests
// as PASS/FAIL lines with their failures, a file that cannot be used as an
// ERROR line, the totals; or all of it as one JSON object. Exit 1 when any
// test failed or any file could not be used.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "engine/status.h"

namespace keel::cli {

// "1 test", "3 tests".
std::string Plural(size_t n, const char* word);

struct TestCaseReport {
  std::string file;
  std::string name;
  int line = 0;
  bool passed = false;
  std::vector<std::string> failures;  // each ready to print
  const char* count_key = "";         // JSON member for `count`: "derived", "events"
  size_t count = 0;
  std::string count_text;             // the same for people: "3 derived", "1 event"
};

using RunTestFile = std::function<Result<std::vector<TestCaseReport>>(const std::filesystem::path&)>;

// Runs every file through `run` and prints the report; returns the exit code.
int ReportTestFiles(const std::vector<std::filesystem::path>& files, const RunTestFile& run, bool json);

}  // namespace keel::cli
