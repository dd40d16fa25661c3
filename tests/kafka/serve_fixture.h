// The fixture of the `keel serve` tests: a mock cluster of its own per test,
// the input, output and dead-letter topics, a rule pack that derives one
// comment.added per task.created, and checks on what came out.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <set>
#include <string>
#include <vector>

#include "engine/log/event_log.h"
#include "tests/kafka/kafka_support.h"
#include "tests/support/temp_dir.h"

namespace keel::testing {

class ServeTest : public ::testing::Test {
 protected:
  static constexpr int kInputPartitions = 3;
  static constexpr int kOutputPartitions = 3;

  void SetUp() override {
    cluster_ = std::make_unique<MockCluster>(dir_.path());
    pack_ = WriteCommentRulePack(dir_ / "pack");
  }

  void CreateTopics(int input_partitions = kInputPartitions) {
    input_partitions_ = input_partitions;
    cluster_->CreateTopic("work-events", input_partitions);
    cluster_->CreateTopic("keel-out", kOutputPartitions);
    cluster_->CreateTopic("keel-dead", 1);
  }

  ServeSettings Settings(const std::string& data = "data") {
    ServeSettings settings;
    settings.bootstrap = cluster_->bootstrap();
    settings.data = dir_ / data;
    settings.rules = pack_;
    return settings;
  }

  std::unique_ptr<KeelServe> StartServe(const ServeSettings& settings, const std::string& name = "serve") {
    auto config = WriteServeConfig(dir_ / (name + ".yaml"), settings);
    return std::make_unique<KeelServe>(config, dir_ / (name + ".log"));
  }

  // Reads the output until every one of `causes` has derived an event;
  // returns the derived events' ids by the id of the input that caused them.
  std::map<std::string, std::set<std::string>> WaitForDerived(const std::set<std::string>& causes,
                                                              std::chrono::milliseconds timeout = 60s) {
    std::map<std::string, std::set<std::string>> by_cause;
    size_t read = 0, missing = causes.size();
    ConsumeUntil(
        cluster_->bootstrap(), "keel-out", kOutputPartitions,
        [&](const std::vector<Record>& records) {
          for (; read < records.size(); ++read) {
            std::string cause = JsonField(records[read].value, "causationid");
            auto& ids = by_cause[cause];
            if (ids.empty() && causes.count(cause)) --missing;
            ids.insert(JsonField(records[read].value, "id"));
          }
          return missing == 0;
        },
        timeout, "a derived event for each of " + std::to_string(causes.size()) + " inputs");
    return by_cause;
  }

  static std::set<std::string> Ids(const std::vector<Record>& records) {
    std::set<std::string> ids;
    for (const Record& r : records) ids.insert(JsonField(r.value, "id"));
    return ids;
  }

  // Calls `visit` with every event of every partition log under `data`.
  void ForEachEventInLogs(const std::string& data, const std::function<void(const StoredEvent&)>& visit) {
    for (int p = 0; p < input_partitions_; ++p) {
      auto dir = dir_ / data / ("work-events-" + std::to_string(p));
      if (!std::filesystem::exists(dir)) continue;
      LogOptions options;
      options.read_only = true;
      auto log = EventLog::Open(dir, options);
      if (!log.ok()) throw std::runtime_error(log.status().ToString());
      Status scanned = (*log)->Scan(1, UINT64_MAX, [&](const StoredEvent& stored) {
        visit(stored);
        return true;
      });
      if (!scanned.ok()) throw std::runtime_error(scanned.ToString());
    }
  }

  // The input events in every partition log, id -> times appended.
  std::map<std::string, int> InputEventsInLogs(const std::string& data = "data") {
    std::map<std::string, int> seen;
    ForEachEventInLogs(data, [&](const StoredEvent& stored) {
      if (!stored.event.is_derived() && stored.event.type == "task.created") ++seen[stored.event.id];
    });
    return seen;
  }

  TempDir dir_;
  std::unique_ptr<MockCluster> cluster_;
  std::filesystem::path pack_;
  int input_partitions_ = kInputPartitions;
};

}  // namespace keel::testing
