#include "server/work_lanes.h"

#include <algorithm>
#include <future>
#include <numeric>

namespace keel {

Status RunInLanes(std::vector<LaneTask> tasks, size_t lanes) {
  lanes = std::max<size_t>(1, std::min(lanes, tasks.size()));
  std::vector<Status> results(tasks.size());
  if (lanes == 1) {
    for (size_t i = 0; i < tasks.size(); ++i) results[i] = tasks[i].run();
  } else {
    std::vector<size_t> order(tasks.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return tasks[a].weight > tasks[b].weight; });
    std::vector<std::vector<size_t>> lane_tasks(lanes);
    std::vector<size_t> lane_weight(lanes, 0);
    for (size_t task : order) {
      size_t lightest = std::min_element(lane_weight.begin(), lane_weight.end()) - lane_weight.begin();
      lane_tasks[lightest].push_back(task);
      lane_weight[lightest] += tasks[task].weight;
    }
    auto run_lane = [&](size_t lane) {
      for (size_t task : lane_tasks[lane]) results[task] = tasks[task].run();
    };
    std::vector<std::future<void>> others;
    for (size_t lane = 1; lane < lanes; ++lane) others.push_back(std::async(std::launch::async, run_lane, lane));
    run_lane(0);
    for (auto& other : others) other.get();
  }
  for (Status& status : results) {
    if (!status.ok()) return status;
  }
  return Status::OK();
}

}  // namespace keel
