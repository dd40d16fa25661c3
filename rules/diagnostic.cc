#include "rules/diagnostic.h"

#include <nlohmann/json.hpp>

namespace keel::rules {

std::string_view SeverityName(Severity severity) {
  return severity == Severity::kError ? "error" : "warning";
}

std::string FormatHeadline(const Diagnostic& d) {
  std::string out;
  if (!d.file.empty()) {
    out += d.file;
    if (d.line > 0) out += ":" + std::to_string(d.line) + ":" + std::to_string(d.col);
    out += ": ";
  }
  out += SeverityName(d.severity);
  out += ": ";
  if (!d.rule_id.empty()) out += "[" + d.rule_id + "] ";
  out += d.message;
  return out;
}

std::string FormatDiagnostic(const Diagnostic& d) {
  std::string out = FormatHeadline(d);
  if (!d.snippet.empty()) out += "\n" + d.snippet;
  return out;
}

nlohmann::ordered_json DiagnosticsToJson(std::span<const Diagnostic> diagnostics) {
  nlohmann::ordered_json errors = nlohmann::ordered_json::array();
  nlohmann::ordered_json warnings = nlohmann::ordered_json::array();
  for (const Diagnostic& d : diagnostics) {
    nlohmann::ordered_json item = {
        {"file", d.file}, {"line", d.line}, {"col", d.col}, {"rule", d.rule_id}, {"message", d.message}};
    (d.severity == Severity::kError ? errors : warnings).push_back(std::move(item));
  }
  return {{"errors", std::move(errors)}, {"warnings", std::move(warnings)}};
}

}  // namespace keel::rules
