// A rule set written in a test: files in memory, loaded as keel loads a
// folder, and its problems as "file:line:col: severity: [rule] message".
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rules/ruleset.h"

namespace keel::rules::testing {

class RulePack {
 public:
  // `path` is "rules/<name>" or "templates/<name>".
  RulePack& Add(const std::string& path, const std::string& text) {
    sources_[path] = text;
    return *this;
  }

  // Loads the files; every problem lands in problems().
  Result<RuleSet> Load() {
    diagnostics_.clear();
    return RuleSet::LoadFromSources(sources_, {}, &diagnostics_);
  }
  // Loads and expects success.
  RuleSet LoadOk() {
    Result<RuleSet> set = Load();
    EXPECT_TRUE(set.ok()) << set.status().ToString();
    return set.ok() ? *std::move(set) : RuleSet(nullptr);
  }

  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  // Every problem's headline.
  std::vector<std::string> Problems() const {
    std::vector<std::string> out;
    for (const Diagnostic& d : diagnostics_) out.push_back(FormatHeadline(d));
    return out;
  }
  // Every problem with its snippet.
  std::string Report() const {
    std::string out;
    for (const Diagnostic& d : diagnostics_) out += FormatDiagnostic(d) + "\n";
    return out;
  }
  const RuleSetSources& sources() const { return sources_; }

 private:
  RuleSetSources sources_;
  std::vector<Diagnostic> diagnostics_;
};

// A rule that is valid on its own, for tests that need a second one.
inline std::string SimpleRule(const std::string& id, const std::string& on = "task.created") {
  return "id: " + id + "\non: " + on + "\nthen:\n  - add_comment: \"seen\"\n";
}

}  // namespace keel::rules::testing
