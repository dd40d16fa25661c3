// UTF-8 as the readers of JSON, YAML and CEL text write and check it: one
// encoder for the code points their escapes name (\u00e9, \U0001F600), one
// check that text is well formed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace keel {

// Appends `code_point` encoded as UTF-8: one byte up to U+007F, two up to
// U+07FF, three up to U+FFFF, four beyond. REQUIRES: code_point <= 0x10FFFF
// (larger values are written as four bytes that are not UTF-8).
void AppendUtf8(uint32_t code_point, std::string* out);

// The length of the sequence `lead` starts: 1 to 4, and 1 for a byte that
// cannot start one (a stray continuation byte is stepped over alone).
size_t Utf8LeadLength(unsigned char lead);

// The length of the longest prefix of `text` that is well-formed UTF-8: no
// overlong forms, no surrogates (U+D800..U+DFFF), nothing past U+10FFFF.
size_t Utf8ValidPrefix(std::string_view text);
inline bool IsValidUtf8(std::string_view text) { return Utf8ValidPrefix(text) == text.size(); }

}  // namespace keel
