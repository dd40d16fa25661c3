#include "rules/rule_lines.h"

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <vector>

namespace keel::rules {

std::optional<RuleLines> LinesOfRule(const RuleSet& set, const Rule& rule) {
  auto source = set.sources().find(rule.file);
  if (source == set.sources().end()) return std::nullopt;
  int last = INT32_MAX;
  for (const Rule& other : set.rules()) {
    if (other.file == rule.file && other.line > rule.line) last = std::min(last, other.line - 1);
  }
  std::istringstream in(source->second);
  std::string line;
  std::vector<std::string> lines;
  for (int n = 1; std::getline(in, line); ++n) {
    if (n >= rule.line && n <= last) lines.push_back(line);
  }
  while (!lines.empty() && lines.back().find_first_not_of(" \t") == std::string::npos) lines.pop_back();
  RuleLines out;
  out.file = rule.file;
  out.first_line = rule.line;
  out.last_line = rule.line + static_cast<int>(lines.size()) - 1;
  for (const std::string& l : lines) out.text += l + "\n";
  return out;
}

}  // namespace keel::rules
