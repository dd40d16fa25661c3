#include "cli/export_csv.h"

#include <array>

#include "engine/canonical_json.h"

namespace keel::cli {
namespace {

constexpr std::array<std::string_view, 14> kColumns = {
    "seq",    "hash",        "id",            "time",   "type",        "subject", "workspace",
    "actor",  "source",      "causationid",   "correlationid", "ruleid", "rulesethash", "data"};

// `source` is the one envelope attribute that Event does not hold decoded.
std::string SourceOf(const Event& event) {
  std::string_view raw = FindCanonicalMember(event.canonical, "source");
  return IsJsonString(raw) ? DecodeJsonString(raw) : std::string();
}

std::string JoinRow(const std::array<std::string, kColumns.size()>& cells) {
  std::string row;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) row += ',';
    row += CsvField(cells[i]);
  }
  return row + "\r\n";
}

// Spreadsheets run a cell that starts with one of these as a formula
// (CSV injection): "=HYPERLINK(...)" in a title would become a link that
// sends data away when an auditor opens the export. OWASP's advice: start
// such a cell with a single quote, which makes it text, and quote the cell.
bool StartsLikeAFormula(std::string_view text) {
  return !text.empty() && std::string_view("=+-@\t\r\n").find(text.front()) != std::string_view::npos;
}

}  // namespace

std::string CsvField(std::string_view text) {
  bool formula = StartsLikeAFormula(text);
  if (!formula && text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = formula ? "\"'" : "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string CsvHeaderRow() {
  std::array<std::string, kColumns.size()> cells;
  for (size_t i = 0; i < kColumns.size(); ++i) cells[i] = kColumns[i];
  return JoinRow(cells);
}

std::string CsvEventRow(const StoredEvent& stored) {
  const Event& e = stored.event;
  return JoinRow({std::to_string(stored.seq), HashToHex(stored.hash), e.id, e.time, e.type, e.subject,
                  e.workspace, e.actor, SourceOf(e), e.causation_id, e.correlation_id, e.rule_id,
                  e.ruleset_hash, std::string(e.data())});
}

}  // namespace keel::cli
