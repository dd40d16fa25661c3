#include "rules/load/source_file.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "engine/utf8.h"

namespace keel::rules {

SourceFile::SourceFile(std::string key, std::string display, std::string text)
    : key_(std::move(key)), display_(std::move(display)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

std::string_view SourceFile::Line(int line) const {
  if (line < 1 || static_cast<size_t>(line) > line_starts_.size()) return {};
  size_t begin = line_starts_[line - 1];
  size_t end = text_.find('\n', begin);
  if (end == std::string::npos) end = text_.size();
  if (end > begin && text_[end - 1] == '\r') --end;
  return std::string_view(text_).substr(begin, end - begin);
}

std::string SourceFile::Snippet(Position position) const {
  if (position.line < 1 || static_cast<size_t>(position.line) > line_starts_.size()) return {};
  std::string_view line = Line(position.line);
  std::string caret;
  size_t i = 0;
  for (int c = 1; c < position.col; ++c) {
    caret += (i < line.size() && line[i] == '\t') ? '\t' : ' ';
    if (i < line.size()) i += Utf8LeadLength(static_cast<unsigned char>(line[i]));
  }
  return std::string(line) + "\n" + caret + "^";
}

size_t SourceFile::Offset(Position position) const {
  if (position.line < 1 || static_cast<size_t>(position.line) > line_starts_.size()) return std::string::npos;
  size_t begin = line_starts_[position.line - 1];
  return begin + OffsetOfLineColumn(std::string_view(text_).substr(begin), 1, position.col);
}

Position SourceFile::PositionAt(size_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  int line = static_cast<int>(it - line_starts_.begin());
  int col = 1;
  for (size_t i = line_starts_[line - 1]; i < offset && i < text_.size();
       i += Utf8LeadLength(static_cast<unsigned char>(text_[i]))) {
    ++col;
  }
  return {line, col};
}

namespace {

enum class ScalarStyle { kPlain, kSingleQuoted, kDoubleQuoted, kBlock };

// Decodes the double-quoted escape at text[at] == '\\': the bytes it stands
// for and its length in the text. Nothing when it is not an escape YAML knows.
std::optional<std::pair<std::string, size_t>> DecodeEscape(std::string_view text, size_t at) {
  if (at + 1 >= text.size()) return std::nullopt;
  char c = text[at + 1];
  auto hex = [&](size_t digits) -> std::optional<std::pair<std::string, size_t>> {
    if (at + 2 + digits > text.size()) return std::nullopt;
    uint32_t cp = 0;
    for (size_t i = 0; i < digits; ++i) {
      char h = text[at + 2 + i];
      int v = (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
      if (v < 0) return std::nullopt;
      cp = cp * 16 + static_cast<uint32_t>(v);
    }
    std::string bytes;
    AppendUtf8(cp, &bytes);
    return std::make_pair(bytes, digits + 2);
  };
  switch (c) {
    case '0': return std::make_pair(std::string(1, '\0'), size_t{2});
    case 'a': return std::make_pair(std::string("\a"), size_t{2});
    case 'b': return std::make_pair(std::string("\b"), size_t{2});
    case 't': case '\t': return std::make_pair(std::string("\t"), size_t{2});
    case 'n': return std::make_pair(std::string("\n"), size_t{2});
    case 'v': return std::make_pair(std::string("\v"), size_t{2});
    case 'f': return std::make_pair(std::string("\f"), size_t{2});
    case 'r': return std::make_pair(std::string("\r"), size_t{2});
    case 'e': return std::make_pair(std::string("\x1b"), size_t{2});
    case ' ': case '"': case '/': case '\\': return std::make_pair(std::string(1, c), size_t{2});
    case 'N': return std::make_pair(std::string("\xC2\x85"), size_t{2});
    case '_': return std::make_pair(std::string("\xC2\xA0"), size_t{2});
    case 'L': return std::make_pair(std::string("\xE2\x80\xA8"), size_t{2});
    case 'P': return std::make_pair(std::string("\xE2\x80\xA9"), size_t{2});
    case 'x': return hex(2);
    case 'u': return hex(4);
    case 'U': return hex(8);
    default: return std::nullopt;
  }
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

ScalarPositions::ScalarPositions(const SourceFile& file, Position start, std::string_view decoded) {
  exact_ = Walk(file, start, decoded);
  if (!exact_) by_offset_.assign(decoded.size() + 1, start);
}

Position ScalarPositions::At(size_t offset) const {
  if (by_offset_.empty()) return {};
  return by_offset_[std::min(offset, by_offset_.size() - 1)];
}

bool ScalarPositions::Walk(const SourceFile& file, Position start, std::string_view decoded) {
  const std::string& text = file.text();
  size_t at = file.Offset(start);
  if (at == std::string::npos) return false;
  // Tags and anchors written before the scalar.
  while (at < text.size() && (text[at] == '!' || text[at] == '&')) {
    while (at < text.size() && !IsBlank(text[at])) ++at;
    while (at < text.size() && IsBlank(text[at])) ++at;
  }
  if (at >= text.size()) return decoded.empty();
  ScalarStyle style = ScalarStyle::kPlain;
  if (text[at] == '"') {
    style = ScalarStyle::kDoubleQuoted;
    ++at;
  } else if (text[at] == '\'') {
    style = ScalarStyle::kSingleQuoted;
    ++at;
  } else if (text[at] == '|' || text[at] == '>') {
    style = ScalarStyle::kBlock;
    at = text.find('\n', at);
    if (at == std::string::npos) return decoded.empty();
    ++at;
  }
  by_offset_.clear();
  by_offset_.reserve(decoded.size() + 1);
  size_t d = 0;
  while (d < decoded.size()) {
    if (at >= text.size()) return false;
    size_t d_len = Utf8LeadLength(static_cast<unsigned char>(decoded[d]));
    std::string_view want = decoded.substr(d, d_len);
    char s = text[at];
    size_t matched_len = 0;  // bytes of text the decoded character came from
    if (style == ScalarStyle::kDoubleQuoted && s == '\\') {
      if (at + 1 < text.size() && (text[at + 1] == '\n' || text[at + 1] == '\r')) {  // escaped line break
        at += 2;
        while (at < text.size() && IsBlank(text[at])) ++at;
        continue;
      }
      auto escape = DecodeEscape(text, at);
      if (!escape || escape->first.empty() || decoded.substr(d, escape->first.size()) != escape->first) return false;
      Position here = file.PositionAt(at);
      for (size_t i = 0; i < escape->first.size(); ++i) by_offset_.push_back(here);
      d += escape->first.size();
      at += escape->second;
      continue;
    }
    if (style == ScalarStyle::kSingleQuoted && s == '\'') {
      if (at + 1 < text.size() && text[at + 1] == '\'' && want == "'") {
        matched_len = 2;
      } else {
        return false;
      }
    } else if (std::string_view(text).substr(at, d_len) == want) {
      matched_len = d_len;
    } else if (want == " " && (s == '\n' || s == '\r')) {
      matched_len = 1;  // a folded line break
    } else if (IsBlank(s)) {
      ++at;  // indentation, or a break that folding removed
      continue;
    } else {
      return false;
    }
    Position here = file.PositionAt(at);
    for (size_t i = 0; i < d_len; ++i) by_offset_.push_back(here);
    d += d_len;
    at += matched_len;
  }
  by_offset_.push_back(file.PositionAt(at));
  return true;
}

}  // namespace keel::rules
