// EventLog::ForEachEntity: the entities of one kind of one workspace, in id
// order, from a point on, and nothing of another kind or workspace.
#include <gtest/gtest.h>

#include "engine/log/event_log.h"
#include "tests/support/events.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

using testing::MakeEvent;

class ForEachEntityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LogOptions options;
    options.sync = SyncMode::kOff;
    options.create_if_missing = true;
    auto opened = EventLog::Open(dir_.path() / "db", options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    log_ = std::move(opened).value();
    std::vector<AppendRequest> group;
    int n = 0;
    for (const auto& [workspace, subject] : std::vector<std::pair<std::string, std::string>>{
             {"acme", "task/T-2"}, {"acme", "task/T-1"}, {"acme", "goal/O-1"}, {"globex", "task/T-0"},
             {"acme", "task/T-3"}, {"acme", "tasks/X"}}) {
      std::string type = subject.substr(0, subject.find('/')) + ".created";
      group.push_back({MakeEvent({.id = "ev-" + std::to_string(++n), .type = type, .subject = subject,
                                  .workspace = workspace, .data = {{"title", subject}}}),
                       std::nullopt});
    }
    auto appended = log_->Append(std::move(group));
    ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  }

  std::vector<std::string> Ids(std::string_view workspace, std::string_view kind, std::string_view after,
                               size_t stop_after = 100) {
    std::vector<std::string> ids;
    Status scanned = log_->ForEachEntity(workspace, kind, after, [&](std::string_view id, std::string_view text) {
      EntityState state = EntityState::FromCanonical(text);
      EXPECT_EQ(state.GetString("title"), std::string(kind) + "/" + std::string(id));
      ids.emplace_back(id);
      return ids.size() < stop_after;
    });
    EXPECT_TRUE(scanned.ok()) << scanned.ToString();
    return ids;
  }

  testing::TempDir dir_;
  std::unique_ptr<EventLog> log_;
};

TEST_F(ForEachEntityTest, VisitsOneKindOfOneWorkspaceInIdOrder) {
  EXPECT_EQ(Ids("acme", "task", ""), (std::vector<std::string>{"T-1", "T-2", "T-3"}));
  EXPECT_EQ(Ids("acme", "goal", ""), (std::vector<std::string>{"O-1"}));
  EXPECT_EQ(Ids("globex", "task", ""), (std::vector<std::string>{"T-0"}));
  EXPECT_TRUE(Ids("acme", "initiative", "").empty());
  EXPECT_TRUE(Ids("nobody", "task", "").empty());
}

TEST_F(ForEachEntityTest, StartsAfterTheGivenIdAndStopsWhenAsked) {
  EXPECT_EQ(Ids("acme", "task", "T-1"), (std::vector<std::string>{"T-2", "T-3"}));
  EXPECT_EQ(Ids("acme", "task", "T-15"), (std::vector<std::string>{"T-2", "T-3"}));
  EXPECT_TRUE(Ids("acme", "task", "T-3").empty());
  EXPECT_EQ(Ids("acme", "task", "", 1), (std::vector<std::string>{"T-1"}));
}

}  // namespace
}  // namespace keel
