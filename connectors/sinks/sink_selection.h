// Which events of the log a sink sends: those the engine appended (what the
// rules derived, and timer.fired; input events only when asked), of the
// sink's `types` (exact names, or `kind.*` for every type of a kind), for
// which its `if` (CEL over `event`: the CloudEvent as JSON with its `seq`,
// as the channels' templates see it, event_text.h) is true.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event.h"
#include "engine/expression.h"
#include "engine/status.h"

namespace keel::sinks {

struct SelectionOptions {
  std::vector<std::string> types;  // empty: every type
  std::string condition;           // CEL over `event`; empty: every event
  bool inputs_too = false;         // input events too, not only the engine's
};

// Not thread-safe (it reuses one evaluation scope): one reader uses it.
class SinkSelection {
 public:
  // InvalidArgument naming `sink` and the place for a bad type pattern or a
  // condition that does not compile. `compiler` is needed only with a
  // condition, and must outlive the selection.
  static Result<std::unique_ptr<SinkSelection>> Create(std::string_view sink, SelectionOptions options,
                                                       const ExpressionCompiler* compiler);

  bool MatchesType(std::string_view type) const;
  // Whether the sink sends `event`. An event its condition cannot be
  // evaluated on (a member it reads is missing) is not sent: `*failed` says
  // why (empty otherwise).
  bool Selects(const StoredEvent& stored, std::string* failed);

 private:
  SinkSelection(SelectionOptions options, std::shared_ptr<const Expression> condition,
                std::unique_ptr<ExpressionScope> scope)
      : options_(std::move(options)), condition_(std::move(condition)), scope_(std::move(scope)) {}

  SelectionOptions options_;
  std::shared_ptr<const Expression> condition_;  // null: none
  std::unique_ptr<ExpressionScope> scope_;
};

// True for a name a `types` entry may hold: a type ("task.created"), KIND.*
// ("task.*"), or "*".
bool IsTypePattern(std::string_view pattern);
bool TypeMatches(std::string_view pattern, std::string_view type);

}  // namespace keel::sinks
