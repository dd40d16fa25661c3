// CEL evaluation cost for a typical rule condition. The target
// (rules issue): the condition below in <= 300 ns per evaluation.
//
//   build/tests/bench/keel_cel_bench --benchmark_repetitions=5
#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "rules/cel/cel.h"

namespace keel::cel {
namespace {

constexpr char kCondition[] =
    R"(event.data.to == "in_progress" && entity.team in ["marketing", "it"] && size(entity.title) > 3)";

// A task.status_changed CloudEvent and the task it changed.
constexpr char kEvent[] = R"({
  "specversion": "1.0", "id": "01HZX3K4T9V6Q2W8E5R7Y1U0IP", "source": "jira/acme",
  "type": "task.status_changed", "time": "2026-03-02T09:00:00Z", "subject": "task/T-1042",
  "workspace": "acme", "actor": "user:alice", "datacontenttype": "application/json",
  "data": {"from": "planned", "to": "in_progress"}
})";
constexpr char kEntity[] = R"({
  "id": "T-1042", "kind": "task", "workspace": "acme", "title": "Prepare launch brief",
  "status": "in_progress", "team": "marketing", "owner": "user:alice", "assignee": "user:bob",
  "priority": 2, "estimate_hours": 6.5, "parent": "initiative/IN-7",
  "labels": ["launch", "q2"], "due": "2026-03-06T17:00:00Z", "created": "2026-02-20T10:12:00Z",
  "checklist": [{"item": "draft", "done": true}, {"item": "review", "done": false}],
  "version": 7
})";

void BM_RuleCondition(benchmark::State& state) {
  Result<Program> program = Compile(kCondition);
  if (!program.ok()) {
    state.SkipWithError(program.status().ToString().c_str());
    return;
  }
  Activation activation;
  activation.Bind("event", FromJson(nlohmann::json::parse(kEvent)));
  activation.Bind("entity", FromJson(nlohmann::json::parse(kEntity)));
  for (auto _ : state) {
    Result<Value> result = program->Evaluate(activation);
    benchmark::DoNotOptimize(result);
  }
  Result<Value> result = program->Evaluate(activation);
  if (!result.ok() || !result->AsBool()) state.SkipWithError("the condition should hold");
}
BENCHMARK(BM_RuleCondition);

// The same with a comprehension, for scale.
void BM_ExistsOverLabels(benchmark::State& state) {
  Result<Program> program = Compile(R"(entity.labels.exists(l, l.startsWith("q")) && entity.priority <= 2)");
  Activation activation;
  activation.Bind("entity", FromJson(nlohmann::json::parse(kEntity)));
  for (auto _ : state) {
    Result<Value> result = program->Evaluate(activation);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_ExistsOverLabels);

void BM_Compile(benchmark::State& state) {
  for (auto _ : state) {
    Result<Program> program = Compile(kCondition);
    benchmark::DoNotOptimize(program);
  }
}
BENCHMARK(BM_Compile);

}  // namespace
}  // namespace keel::cel

BENCHMARK_MAIN();
