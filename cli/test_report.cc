#include "cli/test_report.h"

#include <iostream>

#include "cli/json_output.h"
#include "cli/report.h"
#include "cli/terminal_text.h"

namespace keel::cli {

std::string Plural(size_t n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

int ReportTestFiles(const std::vector<std::filesystem::path>& files, const RunTestFile& run, bool json) {
  size_t passed = 0, failed = 0;
  nlohmann::ordered_json tests = nlohmann::ordered_json::array();
  nlohmann::ordered_json file_errors = nlohmann::ordered_json::array();
  for (const std::filesystem::path& file : files) {
    Result<std::vector<TestCaseReport>> results = run(file);
    if (!results.ok()) {
      ++failed;
      file_errors.push_back({{"file", file.generic_string()}, {"error", results.status().message()}});
      if (!json) std::cout << "ERROR " << TerminalLines(results.status().message()) << "\n";
      continue;
    }
    if (!json) std::cout << TerminalText(file.generic_string()) << "\n";
    for (const TestCaseReport& r : *results) {
      (r.passed ? passed : failed)++;
      tests.push_back({{"file", r.file}, {"name", r.name}, {"line", r.line}, {"passed", r.passed},
                       {r.count_key, r.count}, {"failures", r.failures}});
      if (json) continue;
      std::cout << (r.passed ? "  PASS  " : "  FAIL  ") << TerminalText(r.name) << " (line " << r.line << ", "
                << r.count_text << ")\n";
      for (const std::string& failure : r.failures) std::cout << "    " << TerminalLines(failure) << "\n";
    }
  }
  if (json) {
    PrintJson({{"passed", passed}, {"failed", failed}, {"tests", tests}, {"file_errors", file_errors}});
  } else {
    std::cout << Plural(passed + failed, "test") << ": " << passed << " passed, " << failed << " failed\n";
  }
  return failed == 0 ? kExitOk : kExitFailed;
}

}  // namespace keel::cli
