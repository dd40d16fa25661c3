// Why did this happen? The causal chain of one event: up to the input event
// at its root, and down to everything derived from it. For each derived
// event: the rule, the rule set's hash, the rule's lines in its file (from
// the sources stored under that hash), the values its condition read, and
// what it produced.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/log/event_log.h"
#include "engine/status.h"

namespace keel::rules {

struct ExplainedEvent {
  StoredEvent stored;
  // Derived events only:
  std::string rule_file;  // "rules/kickoff.yaml"
  int first_line = 0, last_line = 0;
  std::string rule_source;  // those lines
  std::string condition;    // the `if`, as written; empty when the rule has none
  std::vector<std::pair<std::string, std::string>> condition_values;  // field path -> its value (CEL text)
  std::string note;  // why some of the above is missing
  std::vector<size_t> children;  // indexes into Explanation::nodes
};

struct Explanation {
  std::vector<ExplainedEvent> nodes;
  std::vector<size_t> ancestors;  // root first, up to the event's cause
  size_t event = 0;               // the event asked about
};

// REQUIRES: 1 <= seq <= log.Head().seq.
Result<Explanation> Explain(const EventLog& log, uint64_t seq);

}  // namespace keel::rules
