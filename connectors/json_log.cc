#include "connectors/json_log.h"

#include <unistd.h>

#include <chrono>
#include <cstdint>

#include "engine/canonical_json.h"
#include "engine/json_time.h"

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
  int64_t micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  return FormatRfc3339(InstantFromMicros(micros), Rfc3339Fraction::kMillis).value_or("");
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
