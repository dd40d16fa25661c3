// keel bench cel: what one evaluation of a typical rule condition costs, on a
// bound task.status_changed event and the task it changed. The same
// condition as tests/bench/cel_bench.cc (Google Benchmark, more cases).
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

int RunCelBenchmark(const CelBenchFlags& flags) {
  Result<cel::Program> program = cel::Compile(kCondition);
  if (!program.ok()) return ReportError("bench cel", program.status());
  cel::Activation activation;
  Result<cel::Value> event = cel::FromJsonText(kEvent);
  Result<cel::Value> entity = cel::FromJsonText(kEntity);
  if (!event.ok() || !entity.ok()) return ReportError("bench cel", Status::Internal("bad benchmark input"));
  activation.Bind("event", *event);
  activation.Bind("entity", *entity);
  std::vector<double> ns_per_evaluation;
  uint64_t held = 0;
  for (int r = 0; r < flags.repetitions; ++r) {
    auto start = Clock::now();
    for (uint64_t i = 0; i < flags.evaluations; ++i) {
      Result<cel::Value> result = program->Evaluate(activation);
      held += result.ok() && result->AsBool();
    }
    double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    ns_per_evaluation.push_back(ns / static_cast<double>(flags.evaluations));
  }
  if (held != flags.evaluations * static_cast<uint64_t>(flags.repetitions)) {
    return ReportError("bench cel", Status::Internal("the condition should hold on every evaluation"));
  }
  std::vector<double> sorted = ns_per_evaluation;
  std::sort(sorted.begin(), sorted.end());
  double median = sorted[sorted.size() / 2];
  if (flags.json) {
    PrintJson({{"expression", kCondition}, {"evaluations", flags.evaluations}, {"repetitions", flags.repetitions},
               {"ns_per_evaluation_median", median}, {"ns_per_evaluation", ns_per_evaluation}});
    return kExitOk;
  }
  std::printf("%s\n", kCondition);
  std::printf("%.0f ns per evaluation (median of %d runs of %llu; min %.0f, max %.0f)\n", median, flags.repetitions,
              static_cast<unsigned long long>(flags.evaluations), sorted.front(), sorted.back());
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
