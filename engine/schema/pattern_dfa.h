// PatternDfa: a deterministic automaton for a pattern in the subset of
// engine/schema/pattern_parser.h. A search is one table lookup per code point, with
// no locks and no allocation, which is what the validation hot path needs
// (RE2 costs 60-170 ns per call on short strings and takes a lock).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/schema/pattern_parser.h"

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

  // Turns the built table into the form Search reads: a byte-indexed class
  // table, a real dead state, and rows padded to a power of two.
  void Finish();

  // A lone character class searched anywhere ("[\\x00-\\x1F]") is a scan for
  // any byte of a set: no automaton, and no dependency between steps.
  bool is_byte_scan_ = false;
  std::array<bool, 256> scan_bytes_{};

  bool anchored_end_ = false;
  bool matches_everything_ = false;  // unanchored end and the start state accepts
  int class_count_ = 0;
  std::array<uint8_t, kSymbolCount> symbol_class_{};
  std::vector<uint16_t> next_;  // [state * class_count_ + class] while building
  std::vector<uint8_t> accepting_;

  // What Search reads. A UTF-8 continuation byte has a class that leaves
  // every state as it is, so a code point of any length is one step.
  std::array<uint8_t, 256> byte_class_{};
  int row_shift_ = 0;  // row of state s starts at s << row_shift_
  // rows_[(s << row_shift_) | class] is the next state t, stored as
  // t << row_shift_, which keeps a shift off the loop's dependency chain.
  std::vector<uint32_t> rows_;
};

}  // namespace keel::schema
