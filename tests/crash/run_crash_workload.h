// The input of the `keel run` crash harness: initiatives that move to
// "in_progress" (examples/01-initiative-kickoff spawns four tasks from a template for each,
// notifies the owner and comments), tasks of their own, one line `keel run`
// must refuse and one repeated line it must take as a duplicate. Event times
// rise with the line, so a run with `--clock events` is a pure function of
// the file.
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace keel::testing {

struct RunWorkload {
  size_t lines = 0;       // lines in the file
  size_t rejected = 0;    // of them, refused by keel run
  size_t duplicates = 0;  // of them, repeating an earlier line
};

inline std::string WorkloadTime(size_t minute) {
  char text[64];
  std::snprintf(text, sizeof text, "2026-03-%02zuT%02zu:%02zu:00Z", 2 + minute / 1440, minute / 60 % 24, minute % 60);
  return text;
}

inline std::string WorkloadEvent(const std::string& id, const std::string& type, const std::string& subject,
                                 size_t workspace, size_t minute, const std::string& data) {
  return R"({"specversion":"1.0","id":")" + id + R"(","source":"tracker/crash","type":")" + type +
         R"(","time":")" + WorkloadTime(minute) + R"(","subject":")" + subject + R"(","workspace":"ws)" +
         std::to_string(workspace) + R"(","actor":"user:dana","data":)" + data + "}";
}

// Writes `initiatives` rounds of three input events each to `file`.
inline RunWorkload WriteRunWorkload(const std::filesystem::path& file, size_t initiatives) {
  std::ofstream out(file);
  RunWorkload workload;
  auto line = [&](const std::string& text) {
    out << text << "\n";
    ++workload.lines;
  };
  for (size_t i = 0; i < initiatives; ++i) {
    std::string n = std::to_string(i), initiative = "initiative/IN-" + n;
    size_t ws = i % 4, minute = 3 * i;
    line(WorkloadEvent("in-created-" + n, "initiative.created", initiative, ws, minute,
                       R"({"title":"Initiative )" + n + R"(","status":"planned","owner":"user:dana",)"
                       R"("designer":"user:erin","engineer":"user:frank"})"));
    line(WorkloadEvent("task-created-" + n, "task.created", "task/T-" + n, ws, minute + 1,
                       R"({"title":"Task )" + n + R"(","status":"todo"})"));
    std::string started = WorkloadEvent("in-started-" + n, "initiative.status_changed", initiative, ws, minute + 2,
                                        R"({"from":"planned","to":"in_progress"})");
    line(started);
    if (i == initiatives / 3) {
      line(started);  // redelivered: acknowledged as a duplicate
      ++workload.duplicates;
    }
    if (i == initiatives / 2) {
      line(R"({"specversion":"1.0","id":"no-type","source":"tracker/crash"})");  // refused: no type
      ++workload.rejected;
    }
  }
  return workload;
}

}  // namespace keel::testing
