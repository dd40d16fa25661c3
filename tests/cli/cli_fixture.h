// What the end-to-end tests of the keel command share: a scratch folder, a
// database path inside it, and builders for NDJSON event lines.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/run_keel_support.h"
#include "tests/support/temp_dir.h"

namespace keel::testing {

// One input event; the defaults make a valid task.status_changed.
struct LineSpec {
  std::string id;
  std::string type = "task.status_changed";
  std::string subject = "task/T-1";
  std::string time = "2026-03-02T09:00:00Z";
  std::string workspace = "acme";
  nlohmann::ordered_json data = {{"to", "in_progress"}};
};

inline std::string EventLine(const LineSpec& spec) {
  nlohmann::ordered_json event = {{"specversion", "1.0"}, {"id", spec.id},       {"source", "test/cli"},
                                  {"type", spec.type},    {"time", spec.time},   {"subject", spec.subject},
                                  {"workspace", spec.workspace}, {"actor", "user:alice"}, {"data", spec.data}};
  return event.dump();
}

inline std::string TaskCreated(const std::string& id, const std::string& task, const std::string& title,
                               const std::string& time = "2026-03-02T09:00:00Z") {
  return EventLine({.id = id, .type = "task.created", .subject = "task/" + task, .time = time,
                    .data = {{"title", title}, {"status", "todo"}}});
}

inline std::string TaskStatusChanged(const std::string& id, const std::string& task, const std::string& to,
                                     const std::string& time = "2026-03-02T10:00:00Z") {
  return EventLine({.id = id, .subject = "task/" + task, .time = time, .data = {{"to", to}}});
}

inline std::string JoinLines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

class KeelCliTest : public ::testing::Test {
 protected:
  std::string db() const { return (dir_ / "db").string(); }

  // Writes `text` to a file in the scratch folder and returns its path.
  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // `keel ingest FILE --db DB [extra...]` with `lines` as the file.
  KeelRun Ingest(const std::vector<std::string>& lines, std::vector<std::string> extra = {}) {
    std::string file = WriteFile("events-" + std::to_string(++files_) + ".ndjson", JoinLines(lines));
    std::vector<std::string> args = {"ingest", file, "--db", db()};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunKeel(args);
  }

  // Ingests `lines`, which must all be accepted.
  void IngestValid(const std::vector<std::string>& lines) {
    KeelRun run = Ingest(lines);
    ASSERT_EQ(run.exit_code, 0) << run.Describe();
  }

  // `keel ingest --json` of `lines`; the summary parsed from its one line of output.
  nlohmann::ordered_json IngestJson(const std::vector<std::string>& lines, KeelRun* run_out = nullptr) {
    KeelRun run = Ingest(lines, {"--json"});
    if (run_out) *run_out = run;
    std::vector<std::string> out = Lines(run.out);
    EXPECT_EQ(out.size(), 1u) << run.Describe();
    if (out.size() != 1) return nullptr;
    return nlohmann::ordered_json::parse(out[0]);
  }

  TempDir dir_;
  int files_ = 0;
};

}  // namespace keel::testing
