// Diagnostic: one problem found in a rule set, with where it is and how bad.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace keel::rules {

// 1-based line and column (in characters); line 0 means "no place".
struct Position {
  int line = 0;
  int col = 0;
};

// The byte offset in `text` of a 1-based line and column counted in characters.
size_t OffsetOfLineColumn(std::string_view text, int line, int column);

enum class Severity : uint8_t {
  kError,    // the rule set is refused
  kWarning,  // the rule set loads, but something is likely wrong
};

std::string_view SeverityName(Severity severity);  // "error", "warning"

struct Diagnostic {
  std::string file;     // as the user named it: "<rules dir>/kickoff.yaml"; empty for the set as a whole
  int line = 0;         // 1-based; 0 when the problem has no place in a file
  int col = 0;          // 1-based, in characters
  std::string rule_id;  // the rule it is about, or empty
  std::string message;
  Severity severity = Severity::kError;
  std::string snippet;  // the source line, "\n", a caret under `col`; or empty
};

// "file:line:col: error: [rule] message" (parts that are unknown are left out).
std::string FormatHeadline(const Diagnostic& diagnostic);
// The headline, then the snippet on the lines below it.
std::string FormatDiagnostic(const Diagnostic& diagnostic);
// {"errors":[{"file","line","col","rule","message"}],"warnings":[...]}
nlohmann::ordered_json DiagnosticsToJson(std::span<const Diagnostic> diagnostics);

}  // namespace keel::rules
