// CEL's tokens: identifiers, literals (with their escapes decoded), operators.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace keel::cel {

enum class TokenKind : uint8_t {
  kEnd,
  kError,
  kIdent,
  kInt,     // int_value holds the magnitude; the parser checks its range
  kUint,
  kDouble,
  kString,  // text holds the decoded UTF-8
  kBytes,   // text holds the decoded bytes
  kTrue,
  kFalse,
  kNull,
  kIn,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kLBrace,
  kRBrace,
  kDot,
  kComma,
  kColon,
  kQuestion,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kNot,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAnd,
  kOr,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  int32_t offset = 0;  // byte offset of the token's first character
  std::string text;    // identifier, decoded literal, or the error message
  uint64_t int_value = 0;
  double double_value = 0;
};

// Splits an expression into tokens on demand. Not thread-safe.
class Lexer {
 public:
  explicit Lexer(std::string_view source) : source_(source) {}
  // The next token; kError carries the message in `text` and stops the lexer.
  Token Next();

 private:
  void SkipSpaceAndComments();
  Token LexNumber();
  Token LexString(size_t prefix_length, bool raw, bool bytes);
  Token LexIdentifier();
  Token Error(int32_t offset, std::string message);
  bool DecodeEscape(size_t* i, bool bytes, std::string* out, std::string* error);

  std::string_view source_;
  size_t pos_ = 0;
};

// CEL's reserved words, which may not name variables or functions.
bool IsReservedWord(std::string_view word);

}  // namespace keel::cel
