// keel rules check DIR [--templates DIR]: every problem of a rule set, with
//   file:line:col and a caret; exits 1 on errors (warnings alone exit 0).
// keel rules graph DIR [--templates DIR] [--format text|dot]: which rule
//   listens to and emits which event types.
//
// DIR is the rules folder, or a rule pack holding rules/ and templates/.
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/report.h"
#include "cli/commands.h"
#include "cli/rule_pack.h"
#include "cli/test_report.h"
#include "cli/terminal_text.h"
#include "rules/load/rule_graph.h"
#include "rules/audit/rule_tests.h"
#include "rules/ruleset.h"

namespace keel::cli {
namespace {

struct RulesFlags {
  std::string dir;
  std::string templates;
  std::string format = "text";
  bool json = false;
};

// A pack (DIR/rules, DIR/templates) stands for its two folders.
void ResolvePack(RulesFlags* flags) {
  RulePackPaths paths = ResolveRulePack(flags->dir, flags->templates);
  flags->dir = paths.rules;
  flags->templates = paths.templates;
}

size_t CountErrors(const std::vector<rules::Diagnostic>& diagnostics) {
  return std::count_if(diagnostics.begin(), diagnostics.end(),
                       [](const rules::Diagnostic& d) { return d.severity == rules::Severity::kError; });
}

int RunCheck(RulesFlags flags) {
  ResolvePack(&flags);
  std::vector<rules::Diagnostic> diagnostics;
  Result<rules::RuleSet> set = rules::RuleSet::Load(flags.dir, flags.templates, {}, &diagnostics);
  if (!set.ok() && diagnostics.empty()) return ReportError("rules check", set.status());
  size_t errors = CountErrors(diagnostics);
  if (flags.json) {
    PrintJson(rules::DiagnosticsToJson(diagnostics));
    return errors > 0 ? kExitFailed : kExitOk;
  }
  for (const rules::Diagnostic& d : diagnostics) std::cout << TerminalLines(rules::FormatDiagnostic(d)) << "\n";
  size_t warnings = diagnostics.size() - errors;
  if (errors > 0) {
    std::cout << Plural(errors, "error") << ", " << Plural(warnings, "warning") << "\n";
    return kExitFailed;
  }
  std::cout << "ok: " << Plural(set->rules().size(), "rule") << ", " << Plural(set->templates().size(), "template")
            << ", " << Plural(warnings, "warning") << "; rule set " << set->hash() << "\n";
  return kExitOk;
}

nlohmann::ordered_json GraphToJson(const rules::RuleGraph& graph) {
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    nlohmann::ordered_json triggers = nlohmann::ordered_json::array();
    for (const rules::RuleGraph::Edge& edge : graph.edges) {
      if (edge.from == i) triggers.push_back({{"rule", graph.nodes[edge.to].rule->id}, {"via", edge.via}});
    }
    const rules::RuleGraph::Node& node = graph.nodes[i];
    rules.push_back({{"id", node.rule->id}, {"enabled", node.rule->enabled}, {"listens", node.listens},
                     {"emits", node.emits}, {"triggers", std::move(triggers)}});
  }
  nlohmann::ordered_json cycles = nlohmann::ordered_json::array();
  for (const auto& cycle : graph.cycles) {
    nlohmann::ordered_json ids = nlohmann::ordered_json::array();
    for (size_t v : cycle) ids.push_back(graph.nodes[v].rule->id);
    cycles.push_back(std::move(ids));
  }
  return {{"rules", std::move(rules)}, {"cycles", std::move(cycles)}};
}

int RunGraph(RulesFlags flags) {
  ResolvePack(&flags);
  std::vector<rules::Diagnostic> diagnostics;
  Result<rules::RuleSet> set = rules::RuleSet::Load(flags.dir, flags.templates, {}, &diagnostics);
  if (!set.ok()) {
    for (const rules::Diagnostic& d : diagnostics) {
      if (d.severity == rules::Severity::kError) std::cerr << TerminalLines(rules::FormatDiagnostic(d)) << "\n";
    }
    return ReportError("rules graph", set.status().message().find('\n') == std::string::npos
                                          ? set.status()
                                          : Status::InvalidArgument("the rule set has errors; run keel rules check"));
  }
  rules::RuleGraph graph = rules::BuildRuleGraph(set->rules());
  if (flags.json) {
    PrintJson(GraphToJson(graph));
  } else if (flags.format == "dot") {
    std::cout << rules::RenderGraphDot(graph);
  } else {
    std::cout << rules::RenderGraphText(graph);
  }
  return kExitOk;
}

// keel rules test PATH: every test file under PATH (a file, a folder, or a
// pack with tests/); exits 1 when any test fails or a file cannot be used.
int RunTests(const std::string& path, bool json) {
  Result<std::vector<std::filesystem::path>> files = rules::FindRuleTestFiles(path);
  if (!files.ok()) return ReportError("rules test", files.status());
  auto run = [](const std::filesystem::path& file) -> Result<std::vector<TestCaseReport>> {
    KEEL_ASSIGN_OR_RETURN(std::vector<rules::RuleTestResult> results, rules::RunRuleTestFile(file));
    std::vector<TestCaseReport> reports;
    for (rules::RuleTestResult& r : results) {
      reports.push_back({r.file, r.name, r.line, r.passed, std::move(r.failures), "derived", r.derived,
                         std::to_string(r.derived) + " derived"});
    }
    return reports;
  };
  return ReportTestFiles(*files, run, json);
}

void AddFolderOptions(CLI::App* command, RulesFlags* flags) {
  command->add_option("DIR", flags->dir, "The rules folder, or a pack folder holding rules/ and templates/")
      ->required();
  command->add_option("--templates", flags->templates, "The task templates folder (default: the pack's templates/)");
  AddJsonFlag(command, &flags->json);
}

}  // namespace

void AddRulesCommand(CLI::App& app, int* exit_code) {
  CLI::App* rules = app.add_subcommand("rules", "Check rule sets and show how their rules connect");
  rules->require_subcommand(1);

  auto check_flags = std::make_shared<RulesFlags>();
  CLI::App* check = rules->add_subcommand(
      "check", "Load a rule set and print every problem as file:line:col with a caret; exits 1 on errors, "
               "0 when there are only warnings");
  AddFolderOptions(check, check_flags.get());
  check->callback([check_flags, exit_code] { *exit_code = RunCheck(*check_flags); });

  auto graph_flags = std::make_shared<RulesFlags>();
  CLI::App* graph = rules->add_subcommand(
      "graph", "Show which rule listens to and emits which event types, and the cycles among rules");
  AddFolderOptions(graph, graph_flags.get());
  graph->add_option("--format", graph_flags->format, "text or dot (Graphviz)")
      ->check(CLI::IsMember({"text", "dot"}));
  graph->callback([graph_flags, exit_code] { *exit_code = RunGraph(*graph_flags); });

  auto test_flags = std::make_shared<RulesFlags>();
  CLI::App* test = rules->add_subcommand(
      "test", "Run rule tests: YAML files that feed events to a rule set and list the derived events expected "
              "(partial match); prints expected against got for each failure; exits 1 if any test fails");
  test->add_option("PATH", test_flags->dir, "A test file, a folder of them, or a pack folder holding tests/")
      ->required();
  AddJsonFlag(test, &test_flags->json);
  test->callback([test_flags, exit_code] { *exit_code = RunTests(test_flags->dir, test_flags->json); });
}

}  // namespace keel::cli
