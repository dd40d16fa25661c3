// Parses the regular expressions of JSON Schema `pattern`s that keel runs on
// its own automaton (engine/schema/pattern_dfa.h): literals, character classes,
// groups, alternation and quantifiers over ASCII, with ^ and $ only at the
// ends. Anything else is left to RE2 (engine/schema/schema_pattern.h).
#pragma once

#include <bitset>
#include <optional>
#include <string_view>
#include <vector>

namespace keel::schema {

// The automaton reads one symbol per code point: the ASCII code, or one
// symbol that stands for every non-ASCII code point. Patterns in the subset
// name no non-ASCII character, so they cannot tell those apart; only negated
// classes (and \D, \W) contain that symbol.
inline constexpr int kNonAsciiSymbol = 128;
inline constexpr int kSymbolCount = 129;
using SymbolSet = std::bitset<kSymbolCount>;

struct RegexNode {
  enum class Kind { kEmpty, kSymbols, kConcat, kAlternation, kRepeat };
  static constexpr int kUnbounded = -1;

  Kind kind = Kind::kEmpty;
  SymbolSet symbols;                // kSymbols
  std::vector<RegexNode> children;  // kConcat, kAlternation; kRepeat has one
  int min = 0;                      // kRepeat
  int max = 0;                      // kRepeat, or kUnbounded
};

struct ParsedRegex {
  RegexNode root;
  bool anchored_start = false;  // leading ^
  bool anchored_end = false;    // trailing $
};

// Returns nullopt when `pattern` is outside the subset (or malformed).
std::optional<ParsedRegex> ParseSimpleRegex(std::string_view pattern);

}  // namespace keel::schema
