#include "engine/schema/schema_pattern.h"

#include <re2/re2.h>

namespace keel::schema {

Result<std::unique_ptr<Pattern>> Pattern::Compile(std::string source) {
  std::unique_ptr<Pattern> pattern(new Pattern());
  RE2::Options options;
  options.set_log_errors(false);
  pattern->re2_ = std::make_unique<RE2>(source, options);
  if (!pattern->re2_->ok()) {
    return Status::InvalidArgument("bad pattern '" + source + "': " + pattern->re2_->error());
  }
  pattern->dfa_ = PatternDfa::Build(source);
  pattern->source_ = std::move(source);
  return pattern;
}

Pattern::~Pattern() = default;

bool Pattern::SearchWithRe2(std::string_view text) const {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re2_);
}

}  // namespace keel::schema
