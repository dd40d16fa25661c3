#include "engine/ingest/ingest.h"

#include <gtest/gtest.h>

#include "engine/schema/schema_registry.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

std::string Line(std::string_view id, std::string_view subject, std::string_view to) {
  return R"({"specversion":"1.0","id":")" + std::string(id) +
         R"(","source":"test","type":"task.status_changed","time":"2026-03-02T09:00:00Z","subject":")" +
         std::string(subject) + R"(","workspace":"acme","actor":"user:alice","data":{"from":"todo","to":")" +
         std::string(to) + R"("}})";
}

class IngestorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { schemas_ = std::move(SchemaRegistry::LoadEmbedded()).value().release(); }

  void SetUp() override {
    LogOptions options;
    options.create_if_missing = true;
    options.sync = SyncMode::kOff;
    auto opened = EventLog::Open(dir_.path() / "db", options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    log_ = std::move(opened).value();
  }

  static std::vector<IngestItem> Items(const std::vector<std::string>& lines, uint64_t first_position) {
    std::vector<IngestItem> items;
    for (size_t i = 0; i < lines.size(); ++i) items.push_back({lines[i], first_position + i});
    return items;
  }

  static std::vector<AppendOutcome> Outcomes(const std::vector<AppendResult>& results) {
    std::vector<AppendOutcome> outcomes;
    for (const auto& r : results) outcomes.push_back(r.outcome);
    return outcomes;
  }

  static SchemaRegistry* schemas_;
  testing::TempDir dir_;
  std::unique_ptr<EventLog> log_;
};
SchemaRegistry* IngestorTest::schemas_ = nullptr;

using enum AppendOutcome;

TEST_F(IngestorTest, SubmitReturnsThePreviousGroupsResultsAndFinishTheLast) {
  Ingestor ingestor(log_.get(), schemas_);
  std::vector<std::string> first = {Line("e1", "task/T-1", "doing"), "not json", Line("e2", "task/T-2", "done")};
  std::vector<std::string> second = {Line("e3", "task/T-1", "done"), Line("e1", "task/T-1", "doing")};
  auto first_items = Items(first, 1), second_items = Items(second, 4);

  auto none = ingestor.Submit(first_items);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());
  auto of_first = ingestor.Submit(second_items);
  ASSERT_TRUE(of_first.ok()) << of_first.status().ToString();
  EXPECT_EQ(Outcomes(*of_first), (std::vector{kAppended, kRejected, kAppended}));
  EXPECT_NE((*of_first)[1].error.message().find("malformed JSON"), std::string::npos);
  EXPECT_EQ((*of_first)[2].seq, 2u);

  // The second group was decoded while the first was appended; its
  // duplicate of e1 is still found, against the log.
  auto of_second = ingestor.Finish();
  ASSERT_TRUE(of_second.ok()) << of_second.status().ToString();
  EXPECT_EQ(Outcomes(*of_second), (std::vector{kAppended, kDuplicate}));
  EXPECT_EQ((*of_second)[1].seq, 1u);
  EXPECT_EQ(log_->Head().seq, 3u);

  auto nothing = ingestor.Finish();
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->empty());
}

TEST_F(IngestorTest, PipelinedAndDirectIngestWriteTheSameLog) {
  std::vector<std::string> lines;
  for (int i = 0; i < 30; ++i) {
    lines.push_back(Line("e" + std::to_string(i), "task/T-" + std::to_string(i % 4), i % 2 ? "done" : "doing"));
  }
  testing::TempDir other_dir;
  LogOptions options;
  options.create_if_missing = true;
  options.sync = SyncMode::kOff;
  auto other = EventLog::Open(other_dir.path() / "db", options);
  ASSERT_TRUE(other.ok());

  // All groups are built first: a group's text must outlive the next Submit.
  std::vector<std::vector<IngestItem>> groups;
  for (size_t at = 0; at < lines.size(); at += 7) {
    std::vector<IngestItem> group;
    for (size_t i = at; i < std::min(at + 7, lines.size()); ++i) group.push_back({lines[i], i + 1});
    groups.push_back(std::move(group));
  }
  Ingestor pipelined(log_.get(), schemas_);
  Ingestor direct(other->get(), schemas_);
  for (const auto& group : groups) {
    ASSERT_TRUE(pipelined.Submit(group).ok());
    ASSERT_TRUE(direct.IngestGroup(group).ok());
  }
  ASSERT_TRUE(pipelined.Finish().ok());
  EXPECT_EQ(log_->Head().seq, 30u);
  EXPECT_EQ(log_->Head().hash, (*other)->Head().hash);
}

TEST_F(IngestorTest, IngestGroupRefusesWhileASubmittedGroupIsPending) {
  Ingestor ingestor(log_.get(), schemas_);
  std::vector<std::string> lines = {Line("e1", "task/T-1", "doing")};
  auto items = Items(lines, 1);
  ASSERT_TRUE(ingestor.Submit(items).ok());
  EXPECT_TRUE(ingestor.IngestGroup(items).status().Is(StatusCode::kFailedPrecondition));
  auto results = ingestor.Finish();
  ASSERT_TRUE(results.ok());
  EXPECT_EQ(Outcomes(*results), (std::vector{kAppended}));
  EXPECT_TRUE(ingestor.IngestGroup(items).ok());
}

}  // namespace
}  // namespace keel
