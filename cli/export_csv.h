// The CSV form of `keel export` (RFC 4180): a header row, then one event per
// row with the envelope's attributes and its data as compact JSON. Rows end
// in CRLF; a field holding a comma, a quote, CR or LF is quoted, its quotes
// doubled. A field that starts with =, +, -, @, tab, CR or LF, which a
// spreadsheet would run as a formula, gets a leading single quote and is
// quoted (OWASP's advice against CSV injection).
#pragma once

#include <string>
#include <string_view>

#include "engine/event.h"

namespace keel::cli {

// `text` as one CSV field, quoted when it needs to be.
std::string CsvField(std::string_view text);

// The header row, with its CRLF.
std::string CsvHeaderRow();

// One event's row, with its CRLF; its columns follow CsvHeaderRow.
std::string CsvEventRow(const StoredEvent& stored);

}  // namespace keel::cli
