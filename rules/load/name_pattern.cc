#include "rules/load/name_pattern.h"

#include <map>
#include <memory>

#include <re2/re2.h>

#include "engine/mutex.h"

namespace keel::rules {

bool MatchesWhole(std::string_view text, const char* pattern) {
  // Keyed by the literal's address: callers pass string literals, and a set
  // of 10,000 rules checks each name, so compiling once matters.
  struct Compiled {
    Mutex mu;
    std::map<const char*, std::unique_ptr<RE2>> by_literal GUARDED_BY(mu);
  };
  static Compiled compiled;
  const RE2* re;
  {
    MutexLock lock(&compiled.mu);
    std::unique_ptr<RE2>& slot = compiled.by_literal[pattern];
    if (!slot) slot = std::make_unique<RE2>(pattern);
    re = slot.get();
  }
  return RE2::FullMatch(text, *re);
}

}  // namespace keel::rules
