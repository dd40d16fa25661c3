// keel bench all: every benchmark in one run, one table (figure, value, the
// baseline measured in the same run, ratio, target) and the same as JSON.
//
// Each benchmark runs through its own `keel bench NAME --json` entry point,
// in a forked child of this process: the figures are that command's JSON,
// and its peak RSS is its own, not the largest of the benchmarks before it.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace keel::cli {

// One benchmark run by `bench all`: its subcommand and arguments.
struct BenchInvocation {
  std::string name;               // "ingest", "rules", ...
  std::vector<std::string> args;  // after the name; --json is added
  std::function<void(CLI::App&, int*)> add;  // registers the subcommand
  std::string skipped;            // when not empty, why it does not run
};

// What one benchmark produced: its JSON, or why there is none.
struct BenchOutcome {
  std::string name;
  std::optional<nlohmann::ordered_json> figures;
  std::string failure;  // the benchmark's error message, or how it ended
  std::string skipped;
  double seconds = 0;
};

// Runs `invocation` in a forked child and collects its JSON. Never throws;
// a benchmark that fails or crashes yields a failure message.
BenchOutcome RunBenchmark(const BenchInvocation& invocation);

// One line of the table.
struct BenchRow {
  std::string benchmark;  // which `keel bench` it comes from
  std::string figure;
  std::optional<double> value;
  std::string unit;
  std::string baseline;  // what was measured as the baseline, "" when none
  std::optional<double> baseline_value;
  std::optional<double> ratio;
  std::string target;                // in words, "" when the issues set none
  std::optional<bool> meets_target;  // nullopt when there is no target or no value
  std::string status = "ok";         // ok, skipped or failed
  std::string note;                  // why skipped or failed, or a remark
};

// The rows one benchmark contributes; with no figures, its rows say why.
std::vector<BenchRow> RowsFor(const BenchOutcome& outcome);

}  // namespace keel::cli
