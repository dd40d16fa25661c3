// Whole-string matches of the fixed patterns names in rule and template files
// must follow (rule ids, template keys, field names, scopes). Through RE2, as
// every regular expression in keel: its matching is linear in the text, where
// std::regex recurses per character and can overflow the stack on a long one.
#pragma once

#include <string_view>

namespace keel::rules {

// True when all of `text` matches `pattern`, a string literal (compiled once
// and kept for the life of the process).
bool MatchesWhole(std::string_view text, const char* pattern);

}  // namespace keel::rules
