#include "cli/log_access.h"

#include <vector>

namespace keel::cli {

Result<std::unique_ptr<EventLog>> OpenLogForReading(const std::string& db) {
  LogOptions options;
  options.read_only = true;
  options.create_if_missing = false;
  return EventLog::Open(db, options);
}

Result<EntityRef> ParseEntityArgument(std::string_view text) {
  EntityRef ref;
  if (!ParseEntityRef(text, &ref)) {
    return Status::InvalidArgument("'" + std::string(text) + "' is not KIND/ID (for example task/T-7)");
  }
  return ref;
}

Result<std::string> ResolveWorkspace(const EventLog& log, const EntityRef& entity,
                                     const std::string& requested) {
  if (!requested.empty()) return requested;
  KEEL_ASSIGN_OR_RETURN(auto workspaces, log.Workspaces());
  std::vector<std::string> holding;
  for (const std::string& workspace : workspaces) {
    bool found = false;
    KEEL_RETURN_IF_ERROR(log.ScanStream(workspace, entity, [&](uint64_t) {
      found = true;
      return false;
    }));
    if (found) holding.push_back(workspace);
  }
  if (holding.size() == 1) return holding.front();
  if (holding.empty()) return Status::NotFound("no events about " + entity.ToString() + " in any workspace");
  std::string names;
  for (const auto& w : holding) names += (names.empty() ? "" : ", ") + w;
  return Status::InvalidArgument(entity.ToString() + " exists in several workspaces (" + names +
                                 "); choose one with --workspace");
}

}  // namespace keel::cli
