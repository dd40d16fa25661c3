// keel mappings check FILE...: load each mapping file (a webhook mapping, or
//   an action mapping: top-level `action:`), every problem as file:line:col;
//   exits 1 when any fails.
// keel mappings test PATH: run mapping tests (connectors/webhooks/mapping_tests.h,
//   connectors/actions/action_tests.h for files with `action:`).
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/report.h"
#include "cli/terminal_text.h"
#include "cli/test_report.h"
#include "connectors/actions/action_mapping.h"
#include "connectors/actions/action_tests.h"
#include "connectors/webhooks/mapping.h"
#include "connectors/webhooks/mapping_tests.h"
#include "engine/schema/schema_registry.h"
#include "rules/expressions.h"

namespace keel::cli {
namespace {

int RunCheck(const std::vector<std::string>& files, bool json) {
  Result<std::unique_ptr<SchemaRegistry>> schemas = SchemaRegistry::LoadEmbedded();
  if (!schemas.ok()) return ReportError("mappings check", schemas.status());
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  size_t failed = 0;
  for (const std::string& file : files) {
    bool action = actions::IsActionMappingFile(file);
    Status loaded = Status::OK();
    std::string summary;
    if (action) {
      Result<actions::ActionMapping> mapping = actions::LoadActionMappingFile(file, rules::CelExpressions(), schemas->get());
      loaded = mapping.status();
      if (mapping.ok()) summary = "action mapping " + TerminalText(mapping->name) + ", " + Plural(mapping->cases.size(), "case");
    } else {
      Result<webhooks::Mapping> mapping = webhooks::LoadMappingFile(file, rules::CelExpressions(), schemas->get());
      loaded = mapping.status();
      if (mapping.ok()) summary = "mapping " + TerminalText(mapping->name) + ", " + Plural(mapping->cases.size(), "case");
    }
    if (!loaded.ok()) ++failed;
    if (json) {
      results.push_back({{"file", file}, {"kind", action ? "action" : "webhook"}, {"ok", loaded.ok()},
                         {"error", loaded.ok() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(loaded.message())}});
    } else if (loaded.ok()) {
      std::cout << "ok: " << TerminalText(file) << ": " << summary << "\n";
    } else {
      std::cout << TerminalLines(loaded.message()) << "\n";
    }
  }
  if (json) PrintJson({{"files", results}, {"failed", failed}});
  return failed == 0 ? kExitOk : kExitFailed;
}

int RunTests(const std::string& path, bool json) {
  Result<std::unique_ptr<SchemaRegistry>> schemas = SchemaRegistry::LoadEmbedded();
  if (!schemas.ok()) return ReportError("mappings test", schemas.status());
  Result<std::vector<std::filesystem::path>> files = webhooks::FindMappingTestFiles(path);
  if (!files.ok()) return ReportError("mappings test", files.status());
  auto run = [&schemas](const std::filesystem::path& file) -> Result<std::vector<TestCaseReport>> {
    bool action = actions::IsActionTestFile(file);
    KEEL_ASSIGN_OR_RETURN(std::vector<webhooks::MappingTestResult> results,
                          action ? actions::RunActionTestFile(file, rules::CelExpressions(), schemas->get())
                                 : webhooks::RunMappingTestFile(file, rules::CelExpressions(), schemas->get()));
    std::vector<TestCaseReport> reports;
    for (webhooks::MappingTestResult& r : results) {
      reports.push_back({r.file, r.name, r.line, r.passed, std::move(r.failures), "events", r.events,
                         Plural(r.events, action ? "answer event" : "event")});
    }
    return reports;
  };
  return ReportTestFiles(*files, run, json);
}

struct MappingsFlags {
  std::vector<std::string> files;
  std::string path;
  bool json = false;
};

}  // namespace

void AddMappingsCommand(CLI::App& app, int* exit_code) {
  CLI::App* mappings = app.add_subcommand("mappings", "Check and test webhook and action mapping files");
  mappings->require_subcommand(1);

  auto check_flags = std::make_shared<MappingsFlags>();
  CLI::App* check = mappings->add_subcommand(
      "check", "Load mapping files and print each problem as file:line:col; exits 1 if any has one");
  check->add_option("FILE", check_flags->files, "Mapping files")->required();
  AddJsonFlag(check, &check_flags->json);
  check->callback([check_flags, exit_code] { *exit_code = RunCheck(check_flags->files, check_flags->json); });

  auto test_flags = std::make_shared<MappingsFlags>();
  CLI::App* test = mappings->add_subcommand(
      "test", "Run mapping tests: YAML files that map payload files and list the events expected (partial "
              "match) or the reason ignored or refused; exits 1 if any test fails");
  test->add_option("PATH", test_flags->path, "A test file or a folder of them")->required();
  AddJsonFlag(test, &test_flags->json);
  test->callback([test_flags, exit_code] { *exit_code = RunTests(test_flags->path, test_flags->json); });
}

}  // namespace keel::cli
