// RunInLanes: every task runs once, lanes really run at the same time, and
// the first error in task order is the one returned.
#include "server/work_lanes.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

namespace keel {
namespace {

TEST(WorkLanesTest, EveryTaskRunsOnceWhateverTheLanes) {
  for (size_t lanes : {0, 1, 2, 3, 8}) {
    std::vector<std::atomic<int>> runs(7);
    std::vector<LaneTask> tasks;
    for (size_t i = 0; i < runs.size(); ++i) {
      tasks.push_back({i * 10 + 1, [&runs, i] {
                         runs[i].fetch_add(1);
                         return Status::OK();
                       }});
    }
    ASSERT_TRUE(RunInLanes(std::move(tasks), lanes).ok());
    for (size_t i = 0; i < runs.size(); ++i) EXPECT_EQ(runs[i].load(), 1) << "task " << i << ", lanes " << lanes;
  }
}

TEST(WorkLanesTest, NoTasksIsFine) { EXPECT_TRUE(RunInLanes({}, 2).ok()); }

// Two tasks that can only finish if each sees the other start: they pass
// only when two lanes run them at the same time. (The wait is a guard
// against hanging when they do not; nothing here measures time.)
TEST(WorkLanesTest, TwoLanesRunAtTheSameTime) {
  std::mutex mu;
  std::condition_variable cv;
  int started = 0;
  std::set<std::thread::id> threads;
  auto meet = [&]() -> Status {
    std::unique_lock lock(mu);
    threads.insert(std::this_thread::get_id());
    ++started;
    cv.notify_all();
    if (!cv.wait_for(lock, std::chrono::seconds(30), [&] { return started == 2; })) {
      return Status::Internal("the other task never started alongside");
    }
    return Status::OK();
  };
  std::vector<LaneTask> tasks = {{1, meet}, {1, meet}};
  Status status = RunInLanes(std::move(tasks), 2);
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(threads.size(), 2u);
}

TEST(WorkLanesTest, FirstErrorInTaskOrderWinsAndTheRestStillRun) {
  std::atomic<int> ran{0};
  std::vector<LaneTask> tasks;
  for (int i = 0; i < 6; ++i) {
    tasks.push_back({static_cast<size_t>(6 - i), [&ran, i]() -> Status {
                       ran.fetch_add(1);
                       if (i == 2) return Status::IOError("task 2 failed");
                       if (i == 4) return Status::IOError("task 4 failed");
                       return Status::OK();
                     }});
  }
  Status status = RunInLanes(std::move(tasks), 2);
  EXPECT_EQ(status.message(), "task 2 failed");
  EXPECT_EQ(ran.load(), 6);
}

}  // namespace
}  // namespace keel
