// Two logs compared as `keel replay` compares the log it derived again with
// the one it read (engine/audit/log_compare.h).
#include "engine/audit/log_compare.h"

#include <gtest/gtest.h>

#include "tests/support/events.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

class LogCompareTest : public ::testing::Test {
 protected:
  std::unique_ptr<EventLog> Open(const std::string& name) {
    LogOptions options;
    options.create_if_missing = true;
    options.sync = SyncMode::kOff;
    return std::move(EventLog::Open(dir_.path() / name, options)).value();
  }

  // Appends tasks created with these titles, T-1, T-2, ... in order.
  static void AppendTasks(EventLog& log, const std::vector<std::string>& titles) {
    std::vector<AppendRequest> group;
    for (size_t i = 0; i < titles.size(); ++i) {
      std::string n = std::to_string(i + 1);
      group.push_back({testing::MakeEvent({.id = "e" + n, .type = "task.created", .subject = "task/T-" + n,
                                           .data = {{"title", titles[i]}}}),
                       std::nullopt});
    }
    auto appended = log.Append(std::move(group));
    ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  }

  testing::TempDir dir_;
};

TEST_F(LogCompareTest, LogsWithTheSameEventsAgree) {
  auto expected = Open("expected"), found = Open("found");
  AppendTasks(*expected, {"One", "Two", "Three"});
  AppendTasks(*found, {"One", "Two", "Three"});
  auto divergence = FirstDivergence(*expected, *found, 3, true);
  ASSERT_TRUE(divergence.ok()) << divergence.status().ToString();
  EXPECT_FALSE(divergence->has_value());
  EXPECT_EQ(SameEntities(*expected, *found).value(), true);
}

TEST_F(LogCompareTest, TheFirstDifferingEventIsNamedWithBothVersions) {
  auto expected = Open("expected"), found = Open("found");
  AppendTasks(*expected, {"One", "Two", "Three"});
  AppendTasks(*found, {"One", "Deux", "Trois"});
  auto divergence = FirstDivergence(*expected, *found, 3, true);
  ASSERT_TRUE(divergence.ok()) << divergence.status().ToString();
  ASSERT_TRUE(divergence->has_value());
  EXPECT_EQ((*divergence)->seq, 2u);
  EXPECT_EQ((*divergence)->expected, expected->Read(2).value().event.canonical);
  EXPECT_EQ((*divergence)->found, found->Read(2).value().event.canonical);
  EXPECT_EQ(SameEntities(*expected, *found).value(), false);
}

TEST_F(LogCompareTest, AShorterLogDivergesWhereItEnds) {
  auto expected = Open("expected"), found = Open("found");
  AppendTasks(*expected, {"One", "Two"});
  AppendTasks(*found, {"One"});
  auto divergence = FirstDivergence(*expected, *found, 2, true);
  ASSERT_TRUE(divergence.ok() && divergence->has_value());
  EXPECT_EQ((*divergence)->seq, 2u);
  EXPECT_EQ((*divergence)->expected, expected->Read(2).value().event.canonical);
  EXPECT_EQ((*divergence)->found, "");
}

TEST_F(LogCompareTest, WhatTheFoundLogHoldsBeyondCountsOnlyForAWholeComparison) {
  auto expected = Open("expected"), found = Open("found");
  AppendTasks(*expected, {"One"});
  AppendTasks(*found, {"One", "Two"});
  EXPECT_FALSE(FirstDivergence(*expected, *found, 1, false).value().has_value());
  auto divergence = FirstDivergence(*expected, *found, 1, true);
  ASSERT_TRUE(divergence.ok() && divergence->has_value());
  EXPECT_EQ((*divergence)->seq, 2u);
  EXPECT_EQ((*divergence)->expected, "");
  EXPECT_EQ((*divergence)->found, found->Read(2).value().event.canonical);
}

TEST_F(LogCompareTest, AnExpectedLogThatEndsEarlyIsCorruption) {
  auto expected = Open("expected"), found = Open("found");
  AppendTasks(*expected, {"One"});
  AppendTasks(*found, {"One", "Two"});
  EXPECT_EQ(FirstDivergence(*expected, *found, 2, true).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace keel
