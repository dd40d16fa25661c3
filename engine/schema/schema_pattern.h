// Pattern: a JSON Schema `pattern`, searched the way JSON Schema says (a
// match anywhere unless anchored). Runs on keel's own automaton when the
// pattern is in its subset, otherwise on RE2. Safe for concurrent use.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/schema/pattern_dfa.h"
#include "engine/status.h"

namespace re2 {
class RE2;
}

namespace keel::schema {

class Pattern {
 public:
  // Fails with the RE2 error when `source` is not a valid regular expression.
  static Result<std::unique_ptr<Pattern>> Compile(std::string source);
  ~Pattern();

  bool Search(std::string_view text) const {
    return dfa_ ? dfa_->Search(text) : SearchWithRe2(text);
  }
  bool SearchWithRe2(std::string_view text) const;

  const std::string& source() const { return source_; }
  bool runs_on_automaton() const { return dfa_.has_value(); }

 private:
  Pattern() = default;

  std::string source_;
  std::unique_ptr<re2::RE2> re2_;  // always compiled: it checks the syntax and is the fallback
  std::optional<PatternDfa> dfa_;
};

}  // namespace keel::schema
