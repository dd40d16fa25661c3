#include "rules/cel/lexer.h"

#include <array>
#include <charconv>

#include "engine/utf8.h"
#include "rules/cel/value_internal.h"

namespace keel::cel {
namespace {

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool IsReservedWord(std::string_view word) {
  static constexpr std::array<std::string_view, 16> kReserved = {
      "as", "break", "const", "continue", "else", "for", "function", "if",
      "import", "let", "loop", "package", "namespace", "return", "var", "void"};
  if (word == "while") return true;
  for (std::string_view r : kReserved) {
    if (r == word) return true;
  }
  return false;
}

Token Lexer::Error(int32_t offset, std::string message) {
  Token t;
  t.kind = TokenKind::kError;
  t.offset = offset;
  t.text = std::move(message);
  pos_ = source_.size();
  return t;
}

void Lexer::SkipSpaceAndComments() {
  while (pos_ < source_.size()) {
    char c = source_[pos_];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      ++pos_;
    } else if (c == '/' && pos_ + 1 < source_.size() && source_[pos_ + 1] == '/') {
      while (pos_ < source_.size() && source_[pos_] != '\n') ++pos_;
    } else {
      return;
    }
  }
}

Token Lexer::Next() {
  SkipSpaceAndComments();
  Token t;
  t.offset = static_cast<int32_t>(pos_);
  if (pos_ >= source_.size()) return t;
  char c = source_[pos_];
  char next = pos_ + 1 < source_.size() ? source_[pos_ + 1] : '\0';

  if (IsDigit(c) || (c == '.' && IsDigit(next))) return LexNumber();
  if (c == '"' || c == '\'') return LexString(0, false, false);
  if (IsIdentStart(c)) {
    // String prefixes: r, b, and both in either order, right before a quote.
    size_t n = 0;
    bool raw = false, bytes = false;
    while (n < 2 && pos_ + n < source_.size()) {
      char p = source_[pos_ + n];
      if ((p == 'r' || p == 'R') && !raw) {
        raw = true;
      } else if ((p == 'b' || p == 'B') && !bytes) {
        bytes = true;
      } else {
        break;
      }
      ++n;
      if (pos_ + n < source_.size() && (source_[pos_ + n] == '"' || source_[pos_ + n] == '\'')) {
        return LexString(n, raw, bytes);
      }
    }
    return LexIdentifier();
  }

  auto one = [&](TokenKind kind) {
    t.kind = kind;
    pos_ += 1;
    return t;
  };
  auto two = [&](TokenKind kind) {
    t.kind = kind;
    pos_ += 2;
    return t;
  };
  switch (c) {
    case '(': return one(TokenKind::kLParen);
    case ')': return one(TokenKind::kRParen);
    case '[': return one(TokenKind::kLBracket);
    case ']': return one(TokenKind::kRBracket);
    case '{': return one(TokenKind::kLBrace);
    case '}': return one(TokenKind::kRBrace);
    case '.': return one(TokenKind::kDot);
    case ',': return one(TokenKind::kComma);
    case ':': return one(TokenKind::kColon);
    case '?': return one(TokenKind::kQuestion);
    case '+': return one(TokenKind::kPlus);
    case '-': return one(TokenKind::kMinus);
    case '*': return one(TokenKind::kStar);
    case '/': return one(TokenKind::kSlash);
    case '%': return one(TokenKind::kPercent);
    case '!': return next == '=' ? two(TokenKind::kNe) : one(TokenKind::kNot);
    case '=':
      if (next == '=') return two(TokenKind::kEq);
      return Error(t.offset, "unexpected '=' (use '==' to compare)");
    case '<': return next == '=' ? two(TokenKind::kLe) : one(TokenKind::kLt);
    case '>': return next == '=' ? two(TokenKind::kGe) : one(TokenKind::kGt);
    case '&':
      if (next == '&') return two(TokenKind::kAnd);
      return Error(t.offset, "unexpected '&' (use '&&')");
    case '|':
      if (next == '|') return two(TokenKind::kOr);
      return Error(t.offset, "unexpected '|' (use '||')");
    default:
      break;
  }
  unsigned char uc = static_cast<unsigned char>(c);
  if (uc >= 0x80) return Error(t.offset, "unexpected character (identifiers are ASCII)");
  return Error(t.offset, std::string("unexpected character '") + c + "'");
}

Token Lexer::LexIdentifier() {
  Token t;
  t.offset = static_cast<int32_t>(pos_);
  size_t start = pos_;
  while (pos_ < source_.size() && IsIdentChar(source_[pos_])) ++pos_;
  std::string_view word = source_.substr(start, pos_ - start);
  if (word == "true") t.kind = TokenKind::kTrue;
  else if (word == "false") t.kind = TokenKind::kFalse;
  else if (word == "null") t.kind = TokenKind::kNull;
  else if (word == "in") t.kind = TokenKind::kIn;
  else t.kind = TokenKind::kIdent;
  t.text = std::string(word);
  return t;
}

Token Lexer::LexNumber() {
  Token t;
  t.offset = static_cast<int32_t>(pos_);
  size_t start = pos_;
  auto at = [&](size_t i) { return i < source_.size() ? source_[i] : '\0'; };

  if (at(pos_) == '0' && (at(pos_ + 1) == 'x' || at(pos_ + 1) == 'X')) {
    pos_ += 2;
    size_t digits = pos_;
    uint64_t value = 0;
    bool overflow = false;
    while (HexValue(at(pos_)) >= 0) {
      if (value > (UINT64_MAX >> 4)) overflow = true;
      value = (value << 4) | static_cast<uint64_t>(HexValue(at(pos_)));
      ++pos_;
    }
    if (pos_ == digits) return Error(t.offset, "hexadecimal literal needs digits");
    if (overflow) return Error(t.offset, "integer literal out of range");
    t.int_value = value;
    t.kind = TokenKind::kInt;
    if (at(pos_) == 'u' || at(pos_) == 'U') {
      ++pos_;
      t.kind = TokenKind::kUint;
    }
    return t;
  }

  bool is_double = false;
  while (IsDigit(at(pos_))) ++pos_;
  if (at(pos_) == '.' && IsDigit(at(pos_ + 1))) {
    is_double = true;
    ++pos_;
    while (IsDigit(at(pos_))) ++pos_;
  }
  if ((at(pos_) == 'e' || at(pos_) == 'E') &&
      (IsDigit(at(pos_ + 1)) || ((at(pos_ + 1) == '+' || at(pos_ + 1) == '-') && IsDigit(at(pos_ + 2))))) {
    is_double = true;
    pos_ += 2;
    while (IsDigit(at(pos_))) ++pos_;
  }
  std::string_view text = source_.substr(start, pos_ - start);
  if (is_double) {
    double d = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ec == std::errc::result_out_of_range) {
      // Too small to represent rounds to zero, as in Go and C; too large is an error.
      size_t e = text.find_first_of("eE");
      if (e == std::string_view::npos || text[e + 1] != '-') {
        return Error(t.offset, "floating-point literal out of range");
      }
      d = 0;
      ec = std::errc();
      ptr = text.data() + text.size();
    }
    if (ec != std::errc() || ptr != text.data() + text.size()) return Error(t.offset, "malformed number");
    t.kind = TokenKind::kDouble;
    t.double_value = d;
    return t;
  }
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) return Error(t.offset, "integer literal out of range");
  if (ec != std::errc()) return Error(t.offset, "malformed number");
  t.int_value = value;
  t.kind = TokenKind::kInt;
  if (at(pos_) == 'u' || at(pos_) == 'U') {
    ++pos_;
    t.kind = TokenKind::kUint;
  }
  return t;
}

bool Lexer::DecodeEscape(size_t* i, bool bytes, std::string* out, std::string* error) {
  // *i points at the character after the backslash.
  auto at = [&](size_t k) { return k < source_.size() ? source_[k] : '\0'; };
  char c = at(*i);
  auto emit_code = [&](uint32_t cp) {
    if (bytes && cp < 0x100) out->push_back(static_cast<char>(cp));
    else AppendUtf8(cp, out);
  };
  switch (c) {
    case 'a': out->push_back('\a'); ++*i; return true;
    case 'b': out->push_back('\b'); ++*i; return true;
    case 'f': out->push_back('\f'); ++*i; return true;
    case 'n': out->push_back('\n'); ++*i; return true;
    case 'r': out->push_back('\r'); ++*i; return true;
    case 't': out->push_back('\t'); ++*i; return true;
    case 'v': out->push_back('\v'); ++*i; return true;
    case '\\': case '\'': case '"': case '`': case '?':
      out->push_back(c);
      ++*i;
      return true;
    case 'x': case 'X': {
      int h1 = HexValue(at(*i + 1)), h2 = HexValue(at(*i + 2));
      if (h1 < 0 || h2 < 0) break;
      emit_code(static_cast<uint32_t>(h1 * 16 + h2));
      *i += 3;
      return true;
    }
    case 'u': case 'U': {
      int n = c == 'u' ? 4 : 8;
      uint32_t cp = 0;
      for (int k = 1; k <= n; ++k) {
        int h = HexValue(at(*i + k));
        if (h < 0) {
          *error = "invalid unicode escape";
          return false;
        }
        cp = cp * 16 + static_cast<uint32_t>(h);
      }
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        *error = "invalid unicode code point in escape";
        return false;
      }
      AppendUtf8(cp, out);
      *i += n + 1;
      return true;
    }
    default:
      if (c >= '0' && c <= '3' && at(*i + 1) >= '0' && at(*i + 1) <= '7' && at(*i + 2) >= '0' &&
          at(*i + 2) <= '7') {
        emit_code(static_cast<uint32_t>((c - '0') * 64 + (at(*i + 1) - '0') * 8 + (at(*i + 2) - '0')));
        *i += 3;
        return true;
      }
      break;
  }
  *error = "invalid escape sequence";
  return false;
}

Token Lexer::LexString(size_t prefix_length, bool raw, bool bytes) {
  Token t;
  t.offset = static_cast<int32_t>(pos_);
  t.kind = bytes ? TokenKind::kBytes : TokenKind::kString;
  size_t i = pos_ + prefix_length;
  char quote = source_[i];
  bool triple = i + 2 < source_.size() && source_[i + 1] == quote && source_[i + 2] == quote;
  i += triple ? 3 : 1;
  std::string out;
  while (true) {
    if (i >= source_.size()) return Error(t.offset, "unterminated string literal");
    char c = source_[i];
    if (c == quote) {
      if (!triple) {
        ++i;
        break;
      }
      if (i + 2 < source_.size() && source_[i + 1] == quote && source_[i + 2] == quote) {
        i += 3;
        break;
      }
    }
    if (!triple && (c == '\n' || c == '\r')) return Error(t.offset, "unterminated string literal");
    if (c == '\\' && !raw) {
      ++i;
      std::string error;
      size_t escape_at = i - 1;
      if (!DecodeEscape(&i, bytes, &out, &error)) return Error(static_cast<int32_t>(escape_at), error);
      continue;
    }
    out.push_back(c);
    ++i;
  }
  pos_ = i;
  t.text = std::move(out);
  return t;
}

}  // namespace keel::cel
