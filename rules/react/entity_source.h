// WorkspaceEntities: what lookup() and entities() read when a rule runs
// (rules/cel/functions_entities.cc). Only the triggering event's workspace is
// reachable (DESIGN.md, invariant 8), as the batch in hand sees it, its own
// changes included, so the answer depends on the log before the event only
// and a replay reads the same (invariant 4). Internal to rules/.
#pragma once

#include <string>
#include <string_view>

#include "engine/log/reactor.h"
#include "rules/cel/cel.h"

namespace keel::rules {

class WorkspaceEntities final : public cel::EntitySource {
 public:
  // Both must outlive this object.
  WorkspaceEntities(StateReader& state, std::string_view workspace) : state_(state), workspace_(workspace) {}

  Result<cel::Value> Lookup(std::string_view kind, std::string_view id) const override;
  Result<int64_t> ForEach(std::string_view kind, std::span<const cel::MapEntry> where,
                          const std::function<void(cel::Value state)>& visit) const override;

  // The first error of the state store itself (not of an expression's
  // arguments) met by a lookup: the reactor fails the batch with it rather
  // than let a storage problem pass for a rule's mistake.
  const Status& storage_failure() const { return storage_failure_; }

 private:
  Status Remember(Status status) const;

  StateReader& state_;
  std::string_view workspace_;
  mutable Status storage_failure_;
};

}  // namespace keel::rules
