// Canonical JSON: the one serialization keel stores and hashes.
//
// Rules: object keys sorted by their UTF-8 bytes; no insignificant whitespace;
// strings escape only '"', '\\' and control characters (as \b \f \n \r \t or
// \u00XX); integers in decimal; a double that holds an integer of magnitude
// below 2^53 is written as that integer (so 1.0 and 1 are one value); other
// doubles in the shortest form that reads back to the same double. Duplicate
// keys are refused. Writing canonical text read back from the log gives the
// same bytes again.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "engine/status.h"

namespace keel {

// Appends the canonical form of `value` to `*out`. On error `*out` may hold a
// partial write; callers discard it.
Status AppendCanonicalJson(simdjson::dom::element value, std::string* out);

// Where one value sits inside canonical text.
struct CanonicalSpan {
  size_t offset = 0;
  size_t length = 0;
};

// As above for an object, and also reports where the value of its top-level
// member `key` landed in `*out` (left zero when there is no such member).
Status AppendCanonicalJson(simdjson::dom::element object, std::string* out, std::string_view key,
                           CanonicalSpan* span);

void AppendJsonString(std::string_view text, std::string* out);
void AppendJsonInt(int64_t value, std::string* out);
void AppendJsonUint(uint64_t value, std::string* out);
void AppendJsonDouble(double value, std::string* out);

// Returns `text` as a canonical JSON string literal.
std::string JsonQuote(std::string_view text);

// Iterates the members of one object in canonical text, for example an event
// or an entity state read from the log. It trusts its input: the text came
// from AppendCanonicalJson, so it is not validated again.
//
// Keys come back as the raw text between their quotes; keel's own field names
// never need escapes (the schemas restrict them), so that is the key itself.
class CanonicalObjectReader {
 public:
  explicit CanonicalObjectReader(std::string_view object_text);

  // Moves to the next member; returns false after the last one.
  bool Next(std::string_view* key, std::string_view* raw_value);

  // True when the walk stopped at text that is not canonical JSON.
  bool malformed() const { return malformed_; }

 private:
  bool Fail();

  std::string_view text_;
  size_t pos_;
  bool malformed_;
};

// Returns the length of the canonical value at the start of `text`.
size_t CanonicalValueLength(std::string_view text);

// Finds member `key` of a canonical object; empty view when absent.
std::string_view FindCanonicalMember(std::string_view object_text, std::string_view key);

// Decodes a canonical string literal (quotes included) into its text.
std::string DecodeJsonString(std::string_view raw_literal);

// True when `raw_value` is a string literal.
inline bool IsJsonString(std::string_view raw_value) {
  return !raw_value.empty() && raw_value.front() == '"';
}
inline bool IsJsonNull(std::string_view raw_value) { return raw_value == "null"; }

// Parses a canonical number literal as a double; false if it is not a number.
bool ParseJsonNumber(std::string_view raw_value, double* value);

}  // namespace keel
