// Says which number of a JSON text simdjson refused, where it is and what is
// wrong with it. simdjson answers only "Problem while parsing a number" for
// the whole text, whether the number is 1e400 (beyond a double), an integer
// beyond 64 bits, or not a number at all; a sender needs the field.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace keel {

// For a text that simdjson refused with NUMBER_ERROR: "PATH: number TOKEN is
// ..." (PATH like data.estimate or data.items[2]; "top level" for a bare
// number), or nothing when no number in `json` is at fault. Walks the text
// again; meant for the error path only.
std::optional<std::string> DescribeNumberError(std::string_view json);

}  // namespace keel
