// PatternDfa: a deterministic automaton for a pattern in the subset of
// engine/pattern_parser.h. A search is one table lookup per code point, with
// no locks and no allocation, which is what the validation hot path needs
// (RE2 costs 60-170 ns per call on short strings and takes a lock).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/pattern_parser.h"

namespace keel::schema {

class PatternDfa {
 public:
  // Builds the automaton; nullopt when the pattern is outside the subset or
  // the automaton would be too large (the caller then uses RE2).
  static std::optional<PatternDfa> Build(std::string_view pattern);

  // JSON Schema semantics: true when the pattern matches anywhere in `text`
  // (respecting ^ and $). `text` is UTF-8.
  bool Search(std::string_view text) const;

  size_t state_count() const { return accepting_.size(); }

 private:
  PatternDfa() = default;
  friend class DfaBuilder;

  static constexpr uint16_t kNoState = UINT16_MAX;

  bool anchored_end_ = false;
  bool matches_everything_ = false;  // unanchored end and the start state accepts
  int class_count_ = 0;
  std::array<uint8_t, kSymbolCount> symbol_class_{};
  std::vector<uint16_t> next_;  // [state * class_count_ + class]; kNoState = no match possible
  std::vector<uint8_t> accepting_;
};

}  // namespace keel::schema
