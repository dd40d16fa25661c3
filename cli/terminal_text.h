// Text from events, rule files and error messages made safe to print on a
// terminal. Event data is anyone's input: an ESC or CSI in a title or an id
// would otherwise reach the user's terminal and could move the cursor,
// recolour or hide keel's own lines, retitle the window, or forge a line.
// Every text printer of the keel command passes what it did not write itself
// through these; JSON output needs nothing more than JSON's own escapes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace keel::cli {

// `text` with every control character shown as a visible escape: C0 and DEL
// as \n, \r, \t or \xHH (line breaks included: one value stays one line),
// C1 (U+0080 to U+009F) as \uHHHH, and bytes that are not UTF-8 as \xHH.
// Everything else, other scripts and symbols included, is unchanged.
std::string TerminalText(std::string_view text);

// The same for text of several lines that keel composed around such values
// (error messages, a rule's source, a diagnostic with its caret): line
// breaks stay, every other control character is escaped.
std::string TerminalLines(std::string_view text);

// `text`, cut to `limit` bytes with "..." at the end when longer; for
// showing events in one line.
std::string Abbreviate(std::string_view text, size_t limit);

}  // namespace keel::cli
