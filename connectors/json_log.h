// Structured logs: one JSON object per line on stderr, with the time, the
// level, a message and fields. Safe for concurrent use (one write per line).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace keel {

enum class LogLevel { kInfo, kWarning, kError };

using LogFields = std::initializer_list<std::pair<std::string_view, std::string>>;

// {"time":"...","level":"info","msg":"...","FIELD":"VALUE",...}
std::string FormatLogLine(LogLevel level, std::string_view message, LogFields fields);
void Log(LogLevel level, std::string_view message, LogFields fields = {});

}  // namespace keel
