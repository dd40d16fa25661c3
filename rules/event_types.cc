#include "rules/event_types.h"

#include <algorithm>

namespace keel::rules {

bool IsGlob(std::string_view pattern) { return pattern.find('*') != std::string_view::npos; }

bool GlobMatches(std::string_view pattern, std::string_view type) {
  // Iterative wildcard match with backtracking to the last star.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < type.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == type[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool IsEntityKind(std::string_view kind) {
  return std::find(std::begin(kEntityKinds), std::end(kEntityKinds), kind) != std::end(kEntityKinds);
}

std::string_view KindOfType(std::string_view type) {
  std::string_view kind = type.substr(0, type.find('.'));
  return IsEntityKind(kind) ? kind : std::string_view();
}

bool IsValidEventTypeName(std::string_view type) {
  auto segment_ok = [](std::string_view s) {
    if (s.empty() || s[0] < 'a' || s[0] > 'z') return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
  };
  size_t segments = 0;
  size_t start = 0;
  while (true) {
    size_t dot = type.find('.', start);
    if (!segment_ok(type.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start))) return false;
    ++segments;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return segments >= 2;
}

EventTypeCatalog::EventTypeCatalog(std::vector<std::string> builtin)
    : builtin_(builtin.begin(), builtin.end()), all_(builtin_.begin(), builtin_.end()) {}

void EventTypeCatalog::AddCustom(const std::string& type) {
  if (Has(type)) return;
  custom_.insert(type);
  all_.insert(std::lower_bound(all_.begin(), all_.end(), type), type);
}

bool EventTypeCatalog::Has(std::string_view type) const { return IsBuiltin(type) || IsCustom(type); }
bool EventTypeCatalog::IsBuiltin(std::string_view type) const { return builtin_.find(type) != builtin_.end(); }
bool EventTypeCatalog::IsCustom(std::string_view type) const { return custom_.find(type) != custom_.end(); }

std::vector<std::string> EventTypeCatalog::Match(std::string_view pattern) const {
  std::vector<std::string> out;
  if (!IsGlob(pattern)) {
    if (Has(pattern)) out.emplace_back(pattern);
    return out;
  }
  for (const std::string& type : all_) {
    if (GlobMatches(pattern, type)) out.push_back(type);
  }
  return out;
}

}  // namespace keel::rules
