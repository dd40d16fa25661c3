// keel bench all [--long] [--events N] [--json] [--out FILE]: every
// benchmark, one after the other, then one table and the same as JSON.
// Quick sizes by default (about a tenth of the issues' sizes); --long runs
// the issues' full sizes; --events N runs every benchmark on N (for tests).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/bench/bench.h"
#include "cli/bench/bench_all.h"
#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/report.h"

namespace keel::cli {
namespace {

struct AllBenchFlags {
  bool long_run = false;
  uint64_t events = 0;  // 0: the sizes --long or the default choose
  int latency_seconds = 0;
  std::vector<std::string> skip;
  std::string out;
  bool json = false;
};

struct Sizes {
  uint64_t events, scaling_events, evaluations, timers, kafka_events;
  int latency_seconds;
};

Sizes ChooseSizes(const AllBenchFlags& flags) {
  Sizes sizes = flags.long_run ? Sizes{1000000, 200000, 2000000, 1000000, 1000000, 10}
                               : Sizes{100000, 20000, 500000, 100000, 100000, 3};
  if (flags.events > 0) {
    sizes = {flags.events, flags.events, flags.events, flags.events, flags.events, 1};
  }
  if (flags.latency_seconds > 0) sizes.latency_seconds = flags.latency_seconds;
  return sizes;
}

std::string SizesName(const AllBenchFlags& flags) {
  if (flags.events > 0) return "custom";
  return flags.long_run ? "long" : "quick";
}

std::vector<BenchInvocation> Invocations(const AllBenchFlags& flags) {
  Sizes s = ChooseSizes(flags);
  auto n = [](uint64_t value) { return std::to_string(value); };
  std::vector<BenchInvocation> all = {
      {"ingest", {"--events", n(s.events)}, AddIngestBenchmark, ""},
      {"rules", {"--events", n(s.events), "--scaling-events", n(s.scaling_events)}, AddRulesBenchmark, ""},
      {"cel", {"--evaluations", n(s.evaluations)}, AddCelBenchmark, ""},
      {"audit", {"--events", n(s.events)}, AddAuditBenchmark, ""},
      {"timers", {"--timers", n(s.timers)}, AddTimersBenchmark, ""},
      {"kafka", {"--events", n(s.kafka_events), "--latency-seconds", n(s.latency_seconds)}, AddKafkaBenchmark, ""},
      // One repetition: `keel bench sinks` alone gives the medians of three.
      {"sinks",
       {"--events", n(std::min<uint64_t>(s.events, 100000)), "--steady-seconds", n(s.latency_seconds),
        "--repetitions", "1"},
       AddSinksBenchmark,
       ""},
      // Its log needs 1,000 events at the least (an OKR tree per workspace).
      {"api", {"--events", n(std::max<uint64_t>(s.events, 1000))}, AddApiBenchmark, ""},
  };
  for (BenchInvocation& invocation : all) {
    for (const std::string& name : flags.skip) {
      if (name == invocation.name) invocation.skipped = "--skip " + name;
    }
  }
  return all;
}

std::string Grouped(double value) {
  char digits[64];
  std::snprintf(digits, sizeof digits, "%.0f", value);
  std::string text = digits, grouped;
  size_t first = text[0] == '-' ? 1 : 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i > first && (text.size() - i) % 3 == 0) grouped += ',';
    grouped += text[i];
  }
  return grouped;
}

// Large rates grouped by thousands; small figures with decimals.
std::string Format(std::optional<double> value, const std::string& unit) {
  if (!value) return "-";
  char text[64];
  if (*value >= 1000) return Grouped(*value) + " " + unit;
  std::snprintf(text, sizeof text, *value >= 10 ? "%.1f %s" : "%.2f %s", *value, unit.c_str());
  return text;
}

std::string RatioText(const BenchRow& row) {
  if (!row.ratio) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", *row.ratio);
  return text;
}

std::string TargetText(const BenchRow& row) {
  if (row.target.empty()) return "-";
  if (!row.meets_target) return row.target;
  return row.target + (*row.meets_target ? "  met" : "  MISSED");
}

std::string Padded(const std::string& text, size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

void PrintTable(const std::vector<BenchRow>& rows) {
  std::vector<std::vector<std::string>> cells = {{"benchmark", "figure", "value", "baseline (same run)", "ratio",
                                                  "target", "note"}};
  for (const BenchRow& row : rows) {
    std::string baseline = row.baseline.empty() ? "-" : row.baseline + ": " + Format(row.baseline_value, row.unit);
    std::string value = row.status == "skipped" ? "skipped" : Format(row.value, row.unit);
    cells.push_back({row.benchmark, row.figure, value, baseline, RatioText(row), TargetText(row), row.note});
  }
  std::vector<size_t> widths(cells[0].size(), 0);
  for (const auto& line : cells) {
    for (size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
  }
  for (const auto& line : cells) {
    std::string text;
    for (size_t i = 0; i < line.size(); ++i) text += Padded(line[i], i + 1 < line.size() ? widths[i] + 2 : 0);
    while (!text.empty() && text.back() == ' ') text.pop_back();
    std::cout << text << "\n";
  }
}

nlohmann::ordered_json OptionalJson(std::optional<double> value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

// An empty text is absent: null in the JSON.
nlohmann::ordered_json TextOrNull(const std::string& text) {
  return text.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(text);
}

nlohmann::ordered_json ToJson(const AllBenchFlags& flags, const std::vector<BenchOutcome>& outcomes,
                              const std::vector<BenchRow>& rows) {
  nlohmann::ordered_json json_rows = nlohmann::ordered_json::array();
  for (const BenchRow& row : rows) {
    json_rows.push_back({{"benchmark", row.benchmark},
                         {"figure", row.figure},
                         {"value", OptionalJson(row.value)},
                         {"unit", row.unit},
                         {"baseline", TextOrNull(row.baseline)},
                         {"baseline_value", OptionalJson(row.baseline_value)},
                         {"ratio", OptionalJson(row.ratio)},
                         {"target", TextOrNull(row.target)},
                         {"meets_target", row.meets_target ? nlohmann::ordered_json(*row.meets_target) : nullptr},
                         {"status", row.status},
                         {"note", row.note}});
  }
  nlohmann::ordered_json benchmarks = nlohmann::ordered_json::object();
  for (const BenchOutcome& outcome : outcomes) {
    benchmarks[outcome.name] = {{"seconds", outcome.seconds},
                                {"status", !outcome.skipped.empty() ? "skipped"
                                           : outcome.failure.empty() ? "ok"
                                                                     : "failed"},
                                {"figures", outcome.figures ? *outcome.figures : nlohmann::ordered_json(nullptr)}};
  }
  return {{"sizes", SizesName(flags)}, {"rows", json_rows}, {"benchmarks", benchmarks}};
}

int RunAllBenchmarks(const AllBenchFlags& flags) {
  std::vector<BenchOutcome> outcomes;
  std::vector<BenchRow> rows;
  bool failed = false;
  for (const BenchInvocation& invocation : Invocations(flags)) {
    std::fprintf(stderr, "keel bench all: %s ...\n", invocation.name.c_str());
    outcomes.push_back(RunBenchmark(invocation));
    const BenchOutcome& outcome = outcomes.back();
    std::fprintf(stderr, "keel bench all: %s %s (%.1f s)\n", invocation.name.c_str(),
                 !outcome.skipped.empty() ? "skipped" : outcome.failure.empty() ? "done" : "FAILED",
                 outcome.seconds);
    failed = failed || !outcome.failure.empty();
    std::vector<BenchRow> more = RowsFor(outcome);
    rows.insert(rows.end(), more.begin(), more.end());
  }
  nlohmann::ordered_json json = ToJson(flags, outcomes, rows);
  if (!flags.out.empty()) {
    std::ofstream file(flags.out);
    file << json.dump(2) << "\n";
    if (!file) return ReportError("bench all", Status::IOError("cannot write " + flags.out));
  }
  if (flags.json) {
    PrintJson(json);
  } else {
    PrintTable(rows);
  }
  return failed ? kExitFailed : kExitOk;
}

}  // namespace

void AddAllBenchmarks(CLI::App& bench, int* exit_code) {
  auto flags = std::make_shared<AllBenchFlags>();
  CLI::App* command = bench.add_subcommand(
      "all", "Run every benchmark (ingest, rules, cel, audit, timers, kafka), each against its baseline measured "
             "in the same run, and print one table: figure, value, baseline, ratio, target");
  command->add_flag("--long", flags->long_run, "The issues' full sizes (1M events each; takes many minutes)");
  command->add_option("--events", flags->events, "Run every benchmark on this many events, timers or evaluations")
      ->check(WholeNumber("an event count", 1));
  command->add_option("--latency-seconds", flags->latency_seconds, "Length of the Kafka latency phase")
      ->check(WholeNumber("a phase length in seconds", 1, 600));
  command->add_option("--skip", flags->skip, "Leave out a benchmark (its rows say skipped)")
      ->check(CLI::IsMember({"ingest", "rules", "cel", "audit", "timers", "kafka"}));
  command->add_option("--out", flags->out, "Also write the JSON to this file");
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunAllBenchmarks(*flags); });
}

}  // namespace keel::cli
