#include "cli/terminal_text.h"

#include <algorithm>

namespace keel::cli {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendHexByte(unsigned char byte, std::string* out) {
  out->append("\\x");
  out->push_back(kHex[byte >> 4]);
  out->push_back(kHex[byte & 0xf]);
}

void AppendControl(unsigned char c, std::string* out) {
  switch (c) {
    case '\n': out->append("\\n"); break;
    case '\r': out->append("\\r"); break;
    case '\t': out->append("\\t"); break;
    default: AppendHexByte(c, out);
  }
}

// The length of the well-formed UTF-8 sequence at the start of `text`, or 0.
size_t Utf8SequenceLength(std::string_view text) {
  unsigned char lead = static_cast<unsigned char>(text[0]);
  size_t length = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
  }
  if (length == 0 || text.size() < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) return 0;
  }
  return length;
}

bool NeedsEscape(unsigned char c, bool keep_line_breaks) {
  if (c == '\n') return !keep_line_breaks;
  return c < 0x20 || c >= 0x7F;
}

std::string Escape(std::string_view text, bool keep_line_breaks) {
  if (std::none_of(text.begin(), text.end(),
                   [&](char c) { return NeedsEscape(static_cast<unsigned char>(c), keep_line_breaks); })) {
    return std::string(text);
  }
  std::string out;
  out.reserve(text.size() + 16);
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (NeedsEscape(c, keep_line_breaks)) {
        AppendControl(c, &out);
      } else {
        out.push_back(static_cast<char>(c));
      }
      ++i;
      continue;
    }
    size_t length = Utf8SequenceLength(text.substr(i));
    if (length == 0) {
      AppendHexByte(c, &out);
      ++i;
      continue;
    }
    // U+0080..U+009F, the C1 controls (CSI is U+009B), are 0xC2 0x80..0x9F.
    unsigned char second = static_cast<unsigned char>(text[i + 1]);
    if (c == 0xC2 && second < 0xA0) {
      out.append("\\u00");
      out.push_back(kHex[second >> 4]);
      out.push_back(kHex[second & 0xf]);
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

}  // namespace

std::string TerminalText(std::string_view text) { return Escape(text, /*keep_line_breaks=*/false); }

std::string TerminalLines(std::string_view text) { return Escape(text, /*keep_line_breaks=*/true); }

std::string Abbreviate(std::string_view text, size_t limit) {
  if (text.size() <= limit) return std::string(text);
  return std::string(text.substr(0, limit - 3)) + "...";
}

}  // namespace keel::cli
