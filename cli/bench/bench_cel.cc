// keel bench cel: what one evaluation of a typical rule condition costs, on a
// bound task.status_changed event and the task it changed. The same
// condition as tests/bench/cel_bench.cc (Google Benchmark, more cases); then
// a condition written with optional values and the strings extension.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "cli/bench/bench.h"
#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/report.h"
#include "rules/cel/cel.h"

namespace keel::cli {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kCondition[] =
    R"(event.data.to == "in_progress" && entity.team in ["marketing", "it"] && size(entity.title) > 3)";
// Reads fields a tracker may not send the way rule authors coming from
// Kubernetes write it: `.?field.orValue(default)`.
constexpr char kOptionalCondition[] =
    R"(entity.?team.orValue("none").lowerAscii() == "marketing" && "q2" in entity.?labels.orValue([]) && )"
    R"(entity.?owner.orValue("").indexOf(":") == 4)";
constexpr char kEvent[] =
    R"({"specversion":"1.0","id":"01HZX3K4T9V6Q2W8E5R7Y1U0IP","source":"jira/acme","type":"task.status_changed",)"
    R"("time":"2026-03-02T09:00:00Z","subject":"task/T-1042","workspace":"acme","actor":"user:alice",)"
    R"("data":{"from":"planned","to":"in_progress"}})";
constexpr char kEntity[] =
    R"({"id":"T-1042","kind":"task","workspace":"acme","title":"Prepare launch brief","status":"in_progress",)"
    R"("team":"marketing","owner":"user:alice","assignee":"user:bob","priority":2,"parent":"initiative/IN-7",)"
    R"("labels":["launch","q2"],"due":"2026-03-06T17:00:00Z","version":7})";

struct CelBenchFlags {
  uint64_t evaluations = 2000000;
  int repetitions = 5;
  bool json = false;
};

// ns per evaluation of `condition` in each run; an error when it does not hold.
Result<std::vector<double>> Measure(const char* condition, const CelBenchFlags& flags) {
  KEEL_ASSIGN_OR_RETURN(cel::Program program, cel::Compile(condition));
  cel::Activation activation;
  Result<cel::Value> event = cel::FromJsonText(kEvent);
  Result<cel::Value> entity = cel::FromJsonText(kEntity);
  if (!event.ok() || !entity.ok()) return Status::Internal("bad benchmark input");
  activation.Bind("event", *event);
  activation.Bind("entity", *entity);
  std::vector<double> ns_per_evaluation;
  uint64_t held = 0;
  for (int r = 0; r < flags.repetitions; ++r) {
    auto start = Clock::now();
    for (uint64_t i = 0; i < flags.evaluations; ++i) {
      Result<cel::Value> result = program.Evaluate(activation);
      held += result.ok() && result->AsBool();
    }
    double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    ns_per_evaluation.push_back(ns / static_cast<double>(flags.evaluations));
  }
  if (held != flags.evaluations * static_cast<uint64_t>(flags.repetitions)) {
    return Status::Internal(std::string("the condition should hold on every evaluation: ") + condition);
  }
  return ns_per_evaluation;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

int RunCelBenchmark(const CelBenchFlags& flags) {
  Result<std::vector<double>> plain = Measure(kCondition, flags);
  if (!plain.ok()) return ReportError("bench cel", plain.status());
  Result<std::vector<double>> optional = Measure(kOptionalCondition, flags);
  if (!optional.ok()) return ReportError("bench cel", optional.status());
  double median = Median(*plain), optional_median = Median(*optional);
  if (flags.json) {
    PrintJson({{"expression", kCondition}, {"evaluations", flags.evaluations}, {"repetitions", flags.repetitions},
               {"ns_per_evaluation_median", median}, {"ns_per_evaluation", *plain},
               {"optional_strings",
                {{"expression", kOptionalCondition}, {"ns_per_evaluation_median", optional_median},
                 {"ns_per_evaluation", *optional}}}});
    return kExitOk;
  }
  for (const auto& [condition, runs] : {std::pair{kCondition, &*plain}, std::pair{kOptionalCondition, &*optional}}) {
    auto [low, high] = std::minmax_element(runs->begin(), runs->end());
    std::printf("%s\n", condition);
    std::printf("%.0f ns per evaluation (median of %d runs of %llu; min %.0f, max %.0f)\n", Median(*runs),
                flags.repetitions, static_cast<unsigned long long>(flags.evaluations), *low, *high);
  }
  return kExitOk;
}

}  // namespace

void AddCelBenchmark(CLI::App& bench, int* exit_code) {
  auto flags = std::make_shared<CelBenchFlags>();
  CLI::App* command = bench.add_subcommand(
      "cel", "Evaluate a typical rule condition on a bound event and entity; print ns per evaluation");
  command->add_option("--evaluations", flags->evaluations, "Evaluations per run")
      ->capture_default_str()
      ->check(WholeNumber("an evaluation count", 1));
  command->add_option("--repetitions", flags->repetitions, "Runs; the median is reported")
      ->capture_default_str()
      ->check(WholeNumber("a run count", 1, 100));
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunCelBenchmark(*flags); });
}

}  // namespace keel::cli
