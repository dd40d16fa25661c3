#include "engine/canonical_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <span>
#include <vector>

#include "engine/utf8.h"

namespace keel {
namespace {

constexpr double kTwoPow53 = 9007199254740992.0;

struct Member {
  std::string_view key;
  simdjson::dom::element value;
};

Status AppendCanonicalObject(simdjson::dom::object object, std::string* out,
                             std::string_view span_key = {}, CanonicalSpan* span = nullptr) {
  // Events and their data have a handful of members: sort them on the stack.
  constexpr size_t kInline = 24;
  Member inline_members[kInline];
  std::vector<Member> heap_members;
  size_t count = object.size();
  Member* members = inline_members;
  if (count > kInline) {
    heap_members.resize(count);
    members = heap_members.data();
  }
  size_t n = 0;
  for (auto field : object) members[n++] = {field.key, field.value};
  std::span<Member> sorted(members, n);
  std::sort(sorted.begin(), sorted.end(), [](const Member& a, const Member& b) { return a.key < b.key; });
  out->push_back('{');
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0) {
      if (sorted[i].key == sorted[i - 1].key) {
        return Status::InvalidArgument("duplicate key '" + std::string(sorted[i].key) + "'");
      }
      out->push_back(',');
    }
    AppendJsonString(sorted[i].key, out);
    out->push_back(':');
    size_t value_start = out->size();
    Status s = AppendCanonicalJson(sorted[i].value, out);
    if (!s.ok()) return s.WithContext(std::string(sorted[i].key));
    if (span != nullptr && sorted[i].key == span_key) *span = {value_start, out->size() - value_start};
  }
  out->push_back('}');
  return Status::OK();
}

Status AppendCanonicalArray(simdjson::dom::array array, std::string* out) {
  out->push_back('[');
  size_t index = 0;
  for (auto item : array) {
    if (index > 0) out->push_back(',');
    Status s = AppendCanonicalJson(item, out);
    if (!s.ok()) return s.WithContext("[" + std::to_string(index) + "]");
    ++index;
  }
  out->push_back(']');
  return Status::OK();
}

}  // namespace

Status AppendCanonicalJson(simdjson::dom::element value, std::string* out) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::OBJECT: return AppendCanonicalObject(value.get_object().value_unsafe(), out);
    case element_type::ARRAY: return AppendCanonicalArray(value.get_array().value_unsafe(), out);
    case element_type::STRING: AppendJsonString(value.get_string().value_unsafe(), out); break;
    case element_type::INT64: AppendJsonInt(value.get_int64().value_unsafe(), out); break;
    case element_type::UINT64: AppendJsonUint(value.get_uint64().value_unsafe(), out); break;
    case element_type::DOUBLE: AppendJsonDouble(value.get_double().value_unsafe(), out); break;
    case element_type::BOOL: out->append(value.get_bool().value_unsafe() ? "true" : "false"); break;
    case element_type::NULL_VALUE: out->append("null"); break;
  }
  return Status::OK();
}

Status AppendCanonicalJson(simdjson::dom::element object, std::string* out, std::string_view key,
                           CanonicalSpan* span) {
  if (object.type() != simdjson::dom::element_type::OBJECT) return AppendCanonicalJson(object, out);
  return AppendCanonicalObject(object.get_object().value_unsafe(), out, key, span);
}

namespace {

// True when one of the 8 bytes in `word` is below 0x20, '"' or '\\': the
// bytes a JSON string must escape (the classic SWAR zero-byte tests).
inline bool NeedsEscape(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  uint64_t below_space = (word - kOnes * 0x20) & ~word;
  uint64_t quote = word ^ (kOnes * '"');
  uint64_t backslash = word ^ (kOnes * '\\');
  return ((below_space | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash)) & kHighs) != 0;
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  // Most strings need no escape at all: skip over them 8 bytes at a time
  // and copy them in one append.
  size_t clean = 0;
  while (clean + 8 <= text.size()) {
    uint64_t word;
    std::memcpy(&word, text.data() + clean, 8);
    if (NeedsEscape(word)) break;
    clean += 8;
  }
  size_t run_start = 0;
  for (size_t i = clean; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(text.data() + run_start, i - run_start);
    run_start = i + 1;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xf]);
    }
  }
  out->append(text.data() + run_start, text.size() - run_start);
  out->push_back('"');
}

void AppendJsonInt(int64_t value, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out->append(buf, end);
}

void AppendJsonUint(uint64_t value, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out->append(buf, end);
}

void AppendJsonDouble(double value, std::string* out) {
  if (!std::isfinite(value)) {  // JSON has no NaN or infinity; callers never pass them
    out->append("null");
    return;
  }
  if (value == std::trunc(value) && std::fabs(value) < kTwoPow53) {
    AppendJsonInt(static_cast<int64_t>(value), out);
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out->append(buf, end);
}

std::string JsonQuote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  AppendJsonString(text, &out);
  return out;
}

size_t CanonicalValueLength(std::string_view text) {
  if (text.empty()) return 0;
  char first = text[0];
  if (first == '"') {
    // Jump from quote to quote; a quote is the end unless an odd run of
    // backslashes escapes it.
    size_t i = 1;
    while (true) {
      const void* quote = std::memchr(text.data() + i, '"', text.size() - i);
      if (quote == nullptr) return text.size();
      size_t q = static_cast<size_t>(static_cast<const char*>(quote) - text.data());
      size_t backslashes = 0;
      while (q - backslashes > 1 && text[q - backslashes - 1] == '\\') ++backslashes;
      if (backslashes % 2 == 0) return q + 1;
      i = q + 1;
    }
  }
  if (first == '{' || first == '[') {
    int depth = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (c == '"') {
        i += CanonicalValueLength(text.substr(i)) - 1;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if ((c == '}' || c == ']') && --depth == 0) {
        return i + 1;
      }
    }
    return text.size();
  }
  // A number, true, false or null: up to the first byte none of them has,
  // so that a damaged record ends the token where canonical text would.
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    bool in_token = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '+' || c == '.' || c == 'E';
    if (!in_token) break;
    ++i;
  }
  return i;
}

CanonicalObjectReader::CanonicalObjectReader(std::string_view object_text)
    : text_(object_text), pos_(1), malformed_(object_text.empty() || object_text[0] != '{') {}

bool CanonicalObjectReader::Next(std::string_view* key, std::string_view* raw_value) {
  if (malformed_) return false;
  if (pos_ >= text_.size()) return Fail();  // no closing brace
  if (text_[pos_] == '}') {
    // Anything after the object's end means the walk went wrong somewhere,
    // e.g. a string whose closing quote was lost swallowed a member.
    if (pos_ + 1 != text_.size()) return Fail();
    return false;
  }
  // The text is trusted, but a damaged record must end the walk, not overrun it.
  if (text_[pos_] != '"') return Fail();
  size_t key_length = CanonicalValueLength(text_.substr(pos_));
  if (key_length < 2 || pos_ + key_length >= text_.size() || text_[pos_ + key_length] != ':') return Fail();
  *key = text_.substr(pos_ + 1, key_length - 2);
  pos_ += key_length + 1;
  size_t value_length = CanonicalValueLength(text_.substr(pos_));
  if (value_length == 0) return Fail();
  *raw_value = text_.substr(pos_, value_length);
  pos_ += value_length;
  if (pos_ < text_.size() && text_[pos_] == ',') {
    ++pos_;
    if (pos_ >= text_.size() || text_[pos_] != '"') return Fail();
  } else if (pos_ >= text_.size() || text_[pos_] != '}') {
    return Fail();  // a member is followed by a comma or the end
  }
  return true;
}

bool CanonicalObjectReader::Fail() {
  malformed_ = true;
  return false;
}

std::string_view FindCanonicalMember(std::string_view object_text, std::string_view key) {
  CanonicalObjectReader reader(object_text);
  std::string_view k, v;
  while (reader.Next(&k, &v)) {
    if (k == key) return v;
  }
  return {};
}

std::string DecodeJsonString(std::string_view raw_literal) {
  std::string_view body = raw_literal.substr(1, raw_literal.size() - 2);
  if (body.find('\\') == std::string_view::npos) return std::string(body);
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\' || i + 1 >= body.size()) {
      out.push_back(body[i]);
      continue;
    }
    char e = body[++i];
    switch (e) {
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        // Canonical text only escapes control characters this way.
        uint32_t code_point = 0;
        std::from_chars(body.data() + i + 1, body.data() + std::min(i + 5, body.size()), code_point, 16);
        AppendUtf8(code_point, &out);
        i += 4;
        break;
      }
      default: out.push_back(e);  // '"', '\\', '/'
    }
  }
  return out;
}

bool ParseJsonNumber(std::string_view raw_value, double* value) {
  if (raw_value.empty()) return false;
  auto [end, ec] = std::from_chars(raw_value.data(), raw_value.data() + raw_value.size(), *value);
  return ec == std::errc() && end == raw_value.data() + raw_value.size();
}

}  // namespace keel
