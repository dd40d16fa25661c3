// Rule tests: YAML files that name a rule set, feed it input events, and say
// which derived events (and entity states) must come out. Modeled on
// `promtool test rules`. Format: rules/README.md, "Testing rules".
//
//   KEEL_ASSIGN_OR_RETURN(auto results, rules::RunRuleTestFile("pack/tests/kickoff.yaml"));
//   for (const auto& r : results) if (!r.passed) ...
//
// Each test runs in a fresh, temporary log with the rule set plugged in, so
// events go through the same decoding, validation, rules and cascades as
// `keel run`; the log is removed afterwards.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/status.h"

namespace keel::rules {

struct RuleTestResult {
  std::string file;  // the test file, as given
  std::string name;
  int line = 0;      // of the test in its file
  bool passed = false;
  // Each: what was expected and what came instead, ready to print.
  std::vector<std::string> failures;
  size_t derived = 0;  // derived events the test's input produced
};

struct RuleTestOptions {
  // Where the temporary logs go; empty: the system's temporary folder.
  std::filesystem::path scratch_dir;
};

// Runs every test of one file. An error means the file itself is unusable
// (unreadable, not a test file, its rule set does not load); its message says
// where.
Result<std::vector<RuleTestResult>> RunRuleTestFile(const std::filesystem::path& file,
                                                    const RuleTestOptions& options = {});

// The test files `path` stands for: itself when a file; a pack's tests/
// folder; else the *.yaml and *.yml files under it, sorted.
Result<std::vector<std::filesystem::path>> FindRuleTestFiles(const std::filesystem::path& path);

}  // namespace keel::rules
