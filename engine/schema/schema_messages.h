// Text for validation errors: built only when a check fails.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace keel::schema {

// Names of JSON types for messages: "string or null", "integer".
std::string TypeNames(uint8_t type_bits);
// The type a message reports for a value: "number" for integers too.
std::string GotType(uint8_t type_bit);
// 'text', with control characters escaped and long text cut short.
std::string Quoted(std::string_view text);
// Appends `text` as Quoted does, without the quotes; `quote` is escaped.
void AppendEscaped(std::string_view text, char quote, std::string* out);
// "1 item", "3 items".
std::string Counted(uint64_t count, const char* noun);
// A bound as the schema wrote it: 1, 2.5.
std::string NumberText(double number);

}  // namespace keel::schema
