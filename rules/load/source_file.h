// A rule or template file as the loader sees it: its text, its name, and the
// mapping from what YAML decoded back to lines and columns of the text.
// Internal to rules/.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "rules/diagnostic.h"

namespace keel::rules {

class SourceFile {
 public:
  // `key` names the file inside the rule set ("rules/kickoff.yaml"); `display`
  // is how diagnostics name it (the path the user gave).
  SourceFile(std::string key, std::string display, std::string text);

  const std::string& key() const { return key_; }
  const std::string& display() const { return display_; }
  const std::string& text() const { return text_; }

  // The line's text without its line break; empty outside the file.
  std::string_view Line(int line) const;
  // The line and a caret under the column; tabs are kept so the caret lines up.
  std::string Snippet(Position position) const;
  // The byte offset of a position, clamped to the end of its line; npos when
  // the line does not exist.
  size_t Offset(Position position) const;
  Position PositionAt(size_t offset) const;

 private:
  std::string key_;
  std::string display_;
  std::string text_;
  std::vector<size_t> line_starts_;
};

// Where each byte of a scalar's decoded value is written in the file. YAML
// folds lines, strips indentation and decodes escapes, so the value's offsets
// differ from the text's; this walks the text from the scalar's start and
// matches it against the decoded value. If the walk cannot follow (a style it
// does not know), every offset maps to the scalar's start: less precise, never
// wrong.
class ScalarPositions {
 public:
  ScalarPositions(const SourceFile& file, Position start, std::string_view decoded);
  // The place of the character holding byte `offset`; the value's size gives
  // the place just after its last character.
  Position At(size_t offset) const;
  bool exact() const { return exact_; }

 private:
  bool Walk(const SourceFile& file, Position start, std::string_view decoded);
  std::vector<Position> by_offset_;
  bool exact_ = false;
};

}  // namespace keel::rules
