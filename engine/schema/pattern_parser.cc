#include "engine/schema/pattern_parser.h"

#include <cctype>
#include <string>

namespace keel::schema {
namespace {

constexpr int kMaxRepeat = 1000;  // RE2's limit; larger counts go to RE2 and fail there

SymbolSet Range(int first, int last) {
  SymbolSet set;
  for (int c = first; c <= last; ++c) set.set(c);
  return set;
}

SymbolSet Digits() { return Range('0', '9'); }
SymbolSet WordChars() { return Range('0', '9') | Range('A', 'Z') | Range('a', 'z') | Range('_', '_'); }
SymbolSet Negated(const SymbolSet& set) { return ~set; }  // includes kNonAsciiSymbol

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (c <= '9') return c - '0';
  return (c | 0x20) - 'a' + 10;
}

// Recursive descent over the subset. Every method returns false when the
// pattern leaves the subset; the caller then uses RE2 instead.
class SimpleRegexParser {
 public:
  explicit SimpleRegexParser(std::string_view pattern) : text_(pattern) {}

  std::optional<ParsedRegex> Parse() {
    ParsedRegex parsed;
    if (!text_.empty() && text_.front() == '^') {
      parsed.anchored_start = true;
      text_.remove_prefix(1);
    }
    if (!text_.empty() && text_.back() == '$' && !EndsWithEscapedDollar()) {
      parsed.anchored_end = true;
      text_.remove_suffix(1);
    }
    if (!ParseAlternation(&parsed.root) || pos_ != text_.size()) return std::nullopt;
    return parsed;
  }

 private:
  bool EndsWithEscapedDollar() const {
    size_t backslashes = 0;
    for (size_t i = text_.size() - 1; i > 0 && text_[i - 1] == '\\'; --i) ++backslashes;
    return backslashes % 2 == 1;
  }

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }

  bool ParseAlternation(RegexNode* node) {
    RegexNode first;
    if (!ParseSequence(&first)) return false;
    if (AtEnd() || Peek() != '|') {
      *node = std::move(first);
      return true;
    }
    node->kind = RegexNode::Kind::kAlternation;
    node->children.push_back(std::move(first));
    while (!AtEnd() && Peek() == '|') {
      ++pos_;
      RegexNode next;
      if (!ParseSequence(&next)) return false;
      node->children.push_back(std::move(next));
    }
    return true;
  }

  bool ParseSequence(RegexNode* node) {
    node->kind = RegexNode::Kind::kConcat;
    while (!AtEnd() && Peek() != '|' && Peek() != ')') {
      RegexNode atom;
      if (!ParseAtom(&atom) || !ParseQuantifier(&atom)) return false;
      node->children.push_back(std::move(atom));
    }
    return true;
  }

  bool ParseAtom(RegexNode* node) {
    char c = Peek();
    if (c == '(') return ParseGroup(node);
    node->kind = RegexNode::Kind::kSymbols;
    if (c == '[') return ParseClass(&node->symbols);
    if (c == '\\') return ParseEscape(&node->symbols, /*in_class=*/false);
    if (!IsPlainLiteral(c)) return false;
    node->symbols.set(static_cast<unsigned char>(c));
    ++pos_;
    return true;
  }

  // Printable ASCII that means itself outside a class. `.` is left to RE2:
  // ECMAScript and RE2 disagree on which line terminators it skips.
  static bool IsPlainLiteral(char c) {
    if (c < 0x20 || c >= 0x7f) return false;
    return std::string_view(".^$()[]{}|*+?\\").find(c) == std::string_view::npos;
  }

  bool ParseGroup(RegexNode* node) {
    ++pos_;  // (
    if (text_.substr(pos_, 2) == "?:") {
      pos_ += 2;
    } else if (!AtEnd() && Peek() == '?') {
      return false;  // lookaround, named groups
    }
    if (!ParseAlternation(node) || AtEnd() || Peek() != ')') return false;
    ++pos_;
    return true;
  }

  bool ParseClass(SymbolSet* set) {
    ++pos_;  // [
    bool negated = !AtEnd() && Peek() == '^';
    if (negated) ++pos_;
    bool first = true;
    while (!AtEnd() && (Peek() != ']' || first)) {
      if (Peek() == ']' || Peek() == '[') return false;  // "[]..." and nested classes differ between dialects
      if (!ParseClassItem(set)) return false;
      first = false;
    }
    if (AtEnd() || first) return false;
    ++pos_;  // ]
    if (negated) *set = Negated(*set);
    return true;
  }

  bool ParseClassItem(SymbolSet* set) {
    int low;
    SymbolSet single;
    if (!ParseClassChar(&single, &low)) return false;
    bool is_range = pos_ + 1 < text_.size() && Peek() == '-' && text_[pos_ + 1] != ']';
    if (!is_range) {
      *set |= single;
      return true;
    }
    ++pos_;  // -
    int high;
    SymbolSet ignored;
    if (low < 0 || !ParseClassChar(&ignored, &high) || high < 0 || high < low) return false;
    *set |= Range(low, high);
    return true;
  }

  // One character of a class into `set`; `*code` is its code, or -1 for a
  // class escape such as \d (which cannot bound a range).
  bool ParseClassChar(SymbolSet* set, int* code) {
    char c = Peek();
    if (c == '\\') {
      if (!ParseEscape(set, /*in_class=*/true)) return false;
      *code = set->count() == 1 && !set->test(kNonAsciiSymbol) ? FirstSymbol(*set) : -1;
      return true;
    }
    if (c < 0x20 || c >= 0x7f) return false;
    set->set(static_cast<unsigned char>(c));
    *code = static_cast<unsigned char>(c);
    ++pos_;
    return true;
  }

  static int FirstSymbol(const SymbolSet& set) {
    for (int i = 0; i < kSymbolCount; ++i) {
      if (set.test(i)) return i;
    }
    return -1;
  }

  bool ParseEscape(SymbolSet* set, bool in_class) {
    ++pos_;  // backslash
    if (AtEnd()) return false;
    char c = text_[pos_++];
    switch (c) {
      case 'd': *set |= Digits(); return true;
      case 'D': *set |= Negated(Digits()); return true;
      case 'w': *set |= WordChars(); return true;
      case 'W': *set |= Negated(WordChars()); return true;
      case 't': set->set('\t'); return true;
      case 'n': set->set('\n'); return true;
      case 'r': set->set('\r'); return true;
      case 'f': set->set('\f'); return true;
      case 'v': set->set('\v'); return true;
      case 'x': return ParseHexEscape(set);
      default: break;
    }
    // Escaped punctuation means itself; letters and digits are other escapes
    // (\b, \s, \u, back references...) that the subset leaves to RE2.
    bool punctuation = c > 0x20 && c < 0x7f && !std::isalnum(static_cast<unsigned char>(c));
    if (!punctuation) return false;
    set->set(static_cast<unsigned char>(c));
    return true;
  }

  bool ParseHexEscape(SymbolSet* set) {
    if (pos_ + 2 > text_.size() || !IsHexDigit(text_[pos_]) || !IsHexDigit(text_[pos_ + 1])) {
      return false;
    }
    int code = HexValue(text_[pos_]) * 16 + HexValue(text_[pos_ + 1]);
    pos_ += 2;
    if (code >= 0x80) return false;  // a single non-ASCII code point
    set->set(code);
    return true;
  }

  bool ParseQuantifier(RegexNode* atom) {
    if (AtEnd()) return true;
    int min, max;
    char c = Peek();
    if (c == '*') {
      min = 0, max = RegexNode::kUnbounded, ++pos_;
    } else if (c == '+') {
      min = 1, max = RegexNode::kUnbounded, ++pos_;
    } else if (c == '?') {
      min = 0, max = 1, ++pos_;
    } else if (c == '{') {
      if (!ParseBraces(&min, &max)) return false;
    } else {
      return true;
    }
    if (!AtEnd() && (Peek() == '?' || Peek() == '+' || Peek() == '*' || Peek() == '{')) {
      return false;  // lazy or possessive quantifiers, stacked quantifiers
    }
    RegexNode repeat;
    repeat.kind = RegexNode::Kind::kRepeat;
    repeat.min = min;
    repeat.max = max;
    repeat.children.push_back(std::move(*atom));
    *atom = std::move(repeat);
    return true;
  }

  // {n}, {n,} or {n,m}.
  bool ParseBraces(int* min, int* max) {
    ++pos_;  // {
    if (!ParseCount(min)) return false;
    *max = *min;
    if (!AtEnd() && Peek() == ',') {
      ++pos_;
      *max = RegexNode::kUnbounded;
      if (!AtEnd() && Peek() != '}' && !ParseCount(max)) return false;
    }
    if (AtEnd() || Peek() != '}') return false;
    ++pos_;
    return *max == RegexNode::kUnbounded || *max >= *min;
  }

  bool ParseCount(int* count) {
    size_t start = pos_;
    *count = 0;
    while (!AtEnd() && Peek() >= '0' && Peek() <= '9') {
      *count = *count * 10 + (Peek() - '0');
      if (*count > kMaxRepeat) return false;
      ++pos_;
    }
    return pos_ > start;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<ParsedRegex> ParseSimpleRegex(std::string_view pattern) {
  return SimpleRegexParser(pattern).Parse();
}

}  // namespace keel::schema
