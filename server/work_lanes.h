// Running independent pieces of work on a few threads. keel serve appends a
// batch's partitions this way: each partition has its own log, so two lanes
// never write the same database, and a 2-core machine appends two partitions
// at once instead of one after the other.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "engine/status.h"

namespace keel {

struct LaneTask {
  size_t weight = 1;  // e.g. the messages it appends; balances the lanes
  std::function<Status()> run;
};

// Runs every task exactly once, spread over at most `lanes` threads, the
// calling thread being one of them: the heaviest task first, each to the
// lane with the least weight so far. Returns when all are done, with the
// error of the first failing task in `tasks` order (the others still ran).
Status RunInLanes(std::vector<LaneTask> tasks, size_t lanes);

}  // namespace keel
