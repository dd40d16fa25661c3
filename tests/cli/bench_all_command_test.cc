// keel bench all on tiny sizes: the table and its JSON hold a row for every
// figure of every benchmark, each with a value, and the baselines measured in
// the same run. No timing is asserted: the figures of a tiny run mean nothing.
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/run_keel_support.h"
#include "tests/support/temp_dir.h"

namespace keel::testing {
namespace {

const std::vector<std::pair<std::string, std::string>> kRows = {
    {"ingest", "ingest"},
    {"ingest", "ingest layout floor"},
    {"ingest", "ingest peak RSS"},
    {"rules", "ingest with 100 rules"},
    {"rules", "10,000 rules per event"},
    {"cel", "CEL condition"},
    {"audit", "verify"},
    {"audit", "verify read floor"},
    {"audit", "verify read floor CPU bound"},
    {"audit", "replay"},
    {"timers", "timers scheduled"},
    {"timers", "timers fired"},
    {"timers", "timers peak RSS, all pending"},
    {"kafka", "keel serve"},
    {"kafka", "keel serve CPU bound"},
    {"kafka", "latency p50 at a steady rate"},
    {"kafka", "latency p99 at a steady rate"},
    {"sinks", "webhook sink"},
    {"sinks", "sink lag p99 at 1,000/s"},
    {"api", "API entity p99"},
    {"api", "API history (100) p99"},
    {"api", "API OKR tree p99"},
    {"api", "OKR page load (API requests)"},
};

nlohmann::json ReadJson(const std::filesystem::path& file) {
  std::ifstream in(file);
  return nlohmann::json::parse(in);
}

TEST(BenchAllCommandTest, TinyRunHasEveryRowWithItsBaseline) {
  TempDir dir;
  KeelRun run = RunKeel({"bench", "all", "--events", "300", "--latency-seconds", "1", "--out",
                         (dir / "bench.json").string()});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  nlohmann::json json = ReadJson(dir / "bench.json");
  EXPECT_EQ(json["sizes"], "custom");
  ASSERT_EQ(json["rows"].size(), kRows.size()) << json.dump(2);
  for (size_t i = 0; i < kRows.size(); ++i) {
    const nlohmann::json& row = json["rows"][i];
    EXPECT_EQ(row["benchmark"], kRows[i].first);
    EXPECT_EQ(row["figure"], kRows[i].second);
    EXPECT_EQ(row["status"], "ok") << row.dump();
    EXPECT_TRUE(row["value"].is_number()) << row.dump();
    if (!row["baseline"].is_null()) {
      EXPECT_TRUE(row["baseline_value"].is_number()) << row.dump();
      EXPECT_TRUE(row["ratio"].is_number()) << row.dump();
    }
    // The table on standard output names the same figure.
    EXPECT_NE(run.out.find(kRows[i].second), std::string::npos) << run.out;
  }
  for (const char* baseline : {"raw RocksDB append", "raw RocksDB scan", "kcat consuming the same topic",
                               "the same requests, HttpClient alone"}) {
    EXPECT_NE(run.out.find(baseline), std::string::npos) << run.out;
  }
  for (const char* name : {"ingest", "rules", "cel", "audit", "timers", "kafka", "sinks", "api"}) {
    EXPECT_EQ(json["benchmarks"][name]["status"], "ok") << name;
    EXPECT_TRUE(json["benchmarks"][name]["figures"].is_object()) << name;
  }
}

TEST(BenchAllCommandTest, SkippedBenchmarkRowsSayWhy) {
  KeelRun run = RunKeel({"bench", "all", "--events", "200", "--skip", "kafka", "--skip", "audit", "--skip",
                         "rules", "--skip", "timers", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  nlohmann::json json = nlohmann::json::parse(run.out);
  std::set<std::string> skipped;
  for (const nlohmann::json& row : json["rows"]) {
    if (row["status"] == "skipped") {
      skipped.insert(row["benchmark"].get<std::string>());
      EXPECT_EQ(row["note"], "--skip " + row["benchmark"].get<std::string>());
      EXPECT_TRUE(row["value"].is_null());
    } else {
      EXPECT_EQ(row["status"], "ok") << row.dump();
    }
  }
  EXPECT_EQ(skipped, (std::set<std::string>{"kafka", "audit", "rules", "timers"}));
  EXPECT_EQ(json["rows"].size(), kRows.size());
}

}  // namespace
}  // namespace keel::testing
