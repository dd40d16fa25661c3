#include "rules/diagnostic.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "engine/utf8.h"

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

size_t OffsetOfLineColumn(std::string_view text, int line, int column) {
  size_t offset = 0;
  for (int l = 1; l < line && offset < text.size(); ++offset) {
    if (text[offset] == '\n') ++l;
  }
  for (int c = 1; c < column && offset < text.size() && text[offset] != '\n'; ++c) {
    offset += Utf8LeadLength(static_cast<unsigned char>(text[offset]));
  }
  return std::min(offset, text.size());
}

}  // namespace keel::rules
