// The rows of `keel bench all`: which figures of each benchmark's JSON go in
// the table, against which baseline, and the targets the issues set.
#include <map>

#include "cli/bench/bench_all.h"

namespace keel::cli {
namespace {

using Json = nlohmann::ordered_json;

std::optional<double> Number(const Json& json, const char* key) {
  if (!json.contains(key) || !json[key].is_number()) return std::nullopt;
  return json[key].get<double>();
}

std::optional<double> Quotient(std::optional<double> a, std::optional<double> b) {
  if (!a || !b || *b == 0) return std::nullopt;
  return *a / *b;
}

struct RowSpec {
  std::string figure;
  std::string unit;
  std::function<std::optional<double>(const Json&)> value;
  std::string baseline;
  std::function<std::optional<double>(const Json&)> baseline_value;
  std::string target;
  // Whether the value (and its ratio to the baseline) meets the target.
  std::function<bool(double value, std::optional<double> ratio)> meets;
};

auto Field(const char* key) {
  return [key](const Json& json) { return Number(json, key); };
}

auto Scaling(const char* count) {
  return [count](const Json& json) -> std::optional<double> {
    if (!json.contains("scaling") || !json["scaling"].contains(count)) return std::nullopt;
    return Number(json["scaling"][count], "us_per_event");
  };
}

auto Megabytes(const char* key) {
  return [key](const Json& json) -> std::optional<double> {
    std::optional<double> bytes = Number(json, key);
    return bytes ? std::optional<double>(*bytes / 1e6) : std::nullopt;
  };
}

const std::map<std::string, std::vector<RowSpec>>& Specs() {
  static const auto* specs = new std::map<std::string, std::vector<RowSpec>>{
      {"ingest",
       {{"ingest", "events/s", Field("keel_events_per_s"), "raw RocksDB append (WriteBatch of 100)",
         Field("raw_rocksdb_events_per_s"), "ratio >= 0.5", [](double, auto r) { return r && *r >= 0.5; }},
        // No target: the ceiling of ingest with keel's layout (engine/audit/write_floors.h).
        {"ingest layout floor", "events/s", Field("layout_floor_events_per_s"), "raw RocksDB append (WriteBatch of 100)",
         Field("raw_rocksdb_events_per_s"), "", nullptr},
        {"ingest peak RSS", "MB", Megabytes("keel_peak_rss_bytes"), "", nullptr, "< 200 MB at 1M events",
         [](double v, auto) { return v < 200; }}}},
      {"rules",
       {{"ingest with 100 rules", "events/s", Field("rules_events_per_s"), "plain ingest, same events",
         Field("plain_events_per_s"), "ratio >= 0.7", [](double, auto r) { return r && *r >= 0.7; }},
        {"10,000 rules per event", "us/event", Scaling("10000"), "10 rules per event", Scaling("10"),
         "ratio <= 3", [](double, auto r) { return r && *r <= 3; }}}},
      {"cel",
       {{"CEL condition", "ns/evaluation", Field("ns_per_evaluation_median"), "", nullptr, "<= 300 ns",
         [](double v, auto) { return v <= 300; }}}},
      {"audit",
       {{"verify", "events/s", Field("verify_events_per_s"), "raw RocksDB scan", Field("scan_events_per_s"),
         ">= 1,000,000 events/s", [](double v, auto) { return v >= 1e6; }},
        // No target: the ceiling of verify, reading what it reads (cli/bench/bench_audit.cc).
        {"verify read floor", "events/s", Field("verify_read_floor_events_per_s"), "raw RocksDB scan",
         Field("scan_events_per_s"), "", nullptr},
        // No target: the rate the cores allow at the CPU the read floor spends
        // per event, before verify checks anything (cli/bench/bench_audit.cc).
        {"verify read floor CPU bound", "events/s", Field("verify_read_floor_cpu_bound_events_per_s"), "", nullptr,
         "", nullptr},
        {"replay", "events/s", Field("replay_events_per_s"), "raw RocksDB scan", Field("scan_events_per_s"),
         ">= 300,000 events/s", [](double v, auto) { return v >= 3e5; }}}},
      {"timers",
       {{"timers scheduled", "timers/s", Field("schedule_timers_per_s"), "", nullptr, "", nullptr},
        {"timers fired", "timers/s", Field("fire_timers_per_s"), "", nullptr, "", nullptr},
        {"timers peak RSS, all pending", "MB", Megabytes("peak_rss_bytes_with_all_pending"), "", nullptr,
         "bounded (timers live in RocksDB)", nullptr}}},
      {"kafka",
       {{"keel serve", "events/s", Field("serve_events_per_s"), "kcat consuming the same topic",
         Field("kcat_events_per_s"), ">= 100,000 events/s", [](double v, auto) { return v >= 1e5; }},
        // No target: the rate this machine's cores allow at the CPU that serve
        // and the mock brokers spent per event (cli/bench/bench_kafka.cc).
        {"keel serve CPU bound", "events/s", Field("cpu_bound_events_per_s"), "", nullptr, "", nullptr},
        {"latency p50 at a steady rate", "ms", Field("latency_p50_ms"), "", nullptr, "", nullptr},
        {"latency p99 at a steady rate", "ms", Field("latency_p99_ms"), "", nullptr, "<= 50 ms",
         [](double v, auto) { return v <= 50; }}}},
      {"sinks",
       {{"webhook sink", "deliveries/s", Field("deliveries_per_second_median"), "the same requests, HttpClient alone",
         Field("ceiling_requests_per_second_median"), ">= 5,000 deliveries/s",
         [](double v, auto) { return v >= 5000; }},
        {"sink lag p99 at 1,000/s", "ms", Field("lag_p99_ms_median"), "", nullptr, "< 50 ms",
         [](double v, auto) { return v < 50; }}}},
      {"api",
       {{"API entity p99", "ms", Field("entity_p99_ms"), "", nullptr, "< 50 ms", [](double v, auto) { return v < 50; }},
        {"API history (100) p99", "ms", Field("history_p99_ms"), "", nullptr, "< 50 ms",
         [](double v, auto) { return v < 50; }},
        {"API OKR tree p99", "ms", Field("okr_p99_ms"), "", nullptr, "< 50 ms", [](double v, auto) { return v < 50; }},
        {"OKR page load (API requests)", "ms", Field("okr_page_load_max_ms"), "", nullptr, "< 1,000 ms",
         [](double v, auto) { return v < 1000; }}}},
  };
  return *specs;
}

BenchRow MakeRow(const std::string& benchmark, const RowSpec& spec, const BenchOutcome& outcome) {
  BenchRow row;
  row.benchmark = benchmark;
  row.figure = spec.figure;
  row.unit = spec.unit;
  row.baseline = spec.baseline;
  row.target = spec.target;
  if (!outcome.skipped.empty()) {
    row.status = "skipped";
    row.note = outcome.skipped;
    return row;
  }
  if (outcome.figures) {
    row.value = spec.value(*outcome.figures);
    if (spec.baseline_value) row.baseline_value = spec.baseline_value(*outcome.figures);
    row.ratio = Quotient(row.value, row.baseline_value);
    if (row.value && spec.meets) row.meets_target = spec.meets(*row.value, row.ratio);
  }
  if (!outcome.failure.empty()) {
    row.status = "failed";
    row.note = outcome.failure;
  } else if (!row.value) {
    row.status = "failed";
    row.note = "the benchmark's JSON has no such figure";
  }
  return row;
}

// Remarks that belong with a figure: a baseline that could not be measured,
// a replay that diverged.
void AddRemarks(const BenchOutcome& outcome, std::vector<BenchRow>* rows) {
  if (!outcome.figures) return;
  const Json& f = *outcome.figures;
  for (BenchRow& row : *rows) {
    if (outcome.name == "kafka" && row.figure == "keel serve" && Number(f, "kcat_events_per_s").value_or(0) == 0) {
      row.baseline_value.reset();
      row.ratio.reset();
      row.note = "baseline skipped: kcat not found (apt-get install kcat)";
    }
    if (outcome.name == "audit" && row.figure == "replay" && f.contains("replay_identical") &&
        !f["replay_identical"].get<bool>()) {
      row.note = "replay DIVERGED";
    }
    if (outcome.name == "timers" && row.figure == "timers fired" && f.contains("all_fired") &&
        !f["all_fired"].get<bool>()) {
      row.note = "NOT ALL FIRED";
    }
  }
}

}  // namespace

std::vector<BenchRow> RowsFor(const BenchOutcome& outcome) {
  std::vector<BenchRow> rows;
  auto found = Specs().find(outcome.name);
  if (found == Specs().end()) return rows;
  for (const RowSpec& spec : found->second) rows.push_back(MakeRow(outcome.name, spec, outcome));
  AddRemarks(outcome, &rows);
  return rows;
}

}  // namespace keel::cli
