// keel bench: benchmarks (see cli/bench_*.cc).
#include "cli/bench/bench.h"
#include "cli/commands.h"

namespace keel::cli {

void AddBenchCommand(CLI::App& app, int* exit_code) {
  CLI::App* bench = app.add_subcommand("bench", "Measure keel on this machine");
  bench->require_subcommand(1);
  AddIngestBenchmark(*bench, exit_code);
  AddRulesBenchmark(*bench, exit_code);
  AddCelBenchmark(*bench, exit_code);
  AddAuditBenchmark(*bench, exit_code);
  AddTimersBenchmark(*bench, exit_code);
  AddKafkaBenchmark(*bench, exit_code);
  AddHttpBenchmark(*bench, exit_code);
  AddSubmitBenchmark(*bench, exit_code);
  AddWebhooksBenchmark(*bench, exit_code);
  AddSinksBenchmark(*bench, exit_code);
  AddApiBenchmark(*bench, exit_code);
  AddAllBenchmarks(*bench, exit_code);
}

}  // namespace keel::cli
