// The log `keel bench api` serves: several workspaces, each with an OKR tree
// (objectives, key results, initiatives and the tasks that serve them, whose
// progress rolls up as they get done), many more tasks moving through their
// statuses, and a few busy tasks with long histories. Written straight to the
// engine in batches (EventLog::Append), the roll-ups computed by the writer
// and recorded as the rules would derive them (under an activated rule set of
// the two roll-up rules), so that a million events take seconds, not the
// hours a roll-up over every task of a workspace per change would.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/status.h"

namespace keel::cli {

struct ApiBenchShape {
  uint64_t events = 1000000;  // about; the log holds at least this many
  int workspaces = 4;
  int goals = 5;                     // per workspace
  int key_results_per_goal = 4;
  int initiatives_per_key_result = 2;
  int tasks_per_initiative = 10;
  int busy_tasks = 20;               // per workspace: the long histories
};

struct ApiBenchLog {
  uint64_t events = 0;  // in the log (its head)
  double seconds = 0;   // to write it
  std::vector<std::string> workspaces;
  // Per workspace, a sample of task ids to read, and the busy task ids.
  std::vector<std::vector<std::string>> tasks;
  std::vector<std::vector<std::string>> busy_tasks;
};

// Writes the log into `db` (a new folder).
Result<ApiBenchLog> WriteApiBenchLog(const std::filesystem::path& db, const ApiBenchShape& shape);

}  // namespace keel::cli
