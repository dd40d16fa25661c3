// Mapping tests (`keel mappings test`): YAML files that feed payload files
// with headers to a mapping and list the events expected, each a partial
// match, or the reason it ignores or refuses. Format:
// schemas/mapping-test.schema.json, connectors/webhooks/README.md "Testing mappings".
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/webhooks/mapping.h"

namespace keel::webhooks {

struct MappingTestResult {
  std::string file;
  std::string name;
  int line = 0;
  bool passed = false;
  size_t events = 0;  // how many the mapping produced
  std::vector<std::string> failures;
};

// The test files under `path`: the file itself, or every *.yaml/*.yml below a folder (sorted).
Result<std::vector<std::filesystem::path>> FindMappingTestFiles(const std::filesystem::path& path);

// Runs one test file. An error for a file that cannot be used (unreadable,
// bad keys, a mapping that does not load); failed tests are results.
Result<std::vector<MappingTestResult>> RunMappingTestFile(const std::filesystem::path& file,
                                                          const ExpressionCompiler& compiler,
                                                          const SchemaRegistry* schemas);

// The whole of a file a test names (the test file, a payload, an event),
// up to 16 MiB; `what` names it in the error.
Result<std::string> ReadTestInput(const std::filesystem::path& path, const char* what);

// Whether `actual` has every member `expected` has, recursively (objects
// partially, lists item by item with the same length, scalars equal).
// Appends "PATH: expected X, got Y" for each difference.
bool PartialMatch(const nlohmann::json& expected, const nlohmann::json& actual, const std::string& path,
                  std::vector<std::string>* failures);

}  // namespace keel::webhooks
