#include "connectors/json_log.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>

#include "engine/canonical_json.h"

namespace keel {
namespace {

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "info";
}

std::string UtcNow() {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc;
  gmtime_r(&seconds, &utc);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char with_millis[48];
  std::snprintf(with_millis, sizeof with_millis, "%s.%03dZ", text, static_cast<int>(millis));
  return with_millis;
}

}  // namespace

std::string FormatLogLine(LogLevel level, std::string_view message, LogFields fields) {
  std::string line = "{\"time\":\"" + UtcNow() + "\",\"level\":\"" + LevelName(level) + "\",\"msg\":";
  AppendJsonString(message, &line);
  for (const auto& [name, value] : fields) {
    line.push_back(',');
    AppendJsonString(name, &line);
    line.push_back(':');
    AppendJsonString(value, &line);
  }
  line += "}\n";
  return line;
}

void Log(LogLevel level, std::string_view message, LogFields fields) {
  std::string line = FormatLogLine(level, message, fields);
  // One write(2) per line, so lines from several threads never interleave.
  ssize_t ignored = write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace keel
