// Source offsets and outbox cursors written with events (EventLog::Append's
// meta, Ingestor's meta and required workspace).
#include <gtest/gtest.h>

#include "engine/log/event_log.h"
#include "engine/ingest/ingest.h"
#include "engine/log_format.h"
#include "engine/schema/schema_registry.h"
#include "tests/support/temp_dir.h"

namespace keel {
namespace {

std::string Line(std::string_view id, std::string_view workspace) {
  return R"({"specversion":"1.0","id":")" + std::string(id) +
         R"(","source":"test","type":"task.status_changed","time":"2026-03-02T09:00:00Z","subject":"task/T-1","workspace":")" +
         std::string(workspace) + R"(","actor":"user:alice","data":{"from":"todo","to":"done"}})";
}

std::string Offset(uint64_t offset) { return log_format::EventKey(offset); }

class MetaPutTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { schemas_ = std::move(SchemaRegistry::LoadEmbedded()).value().release(); }

  void SetUp() override { Reopen(); }

  void Reopen(std::function<Status()> before_write = nullptr) {
    log_.reset();
    LogOptions options;
    options.create_if_missing = true;
    options.sync = SyncMode::kOff;
    options.before_write = std::move(before_write);
    auto opened = EventLog::Open(dir_.path() / "db", options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    log_ = std::move(opened).value();
  }

  std::string Meta(std::string_view key) {
    auto value = log_->GetRaw(log_format::kMeta, key);
    return value.ok() ? *value : "<" + value.status().ToString() + ">";
  }

  static SchemaRegistry* schemas_;
  testing::TempDir dir_;
  std::unique_ptr<EventLog> log_;
};
SchemaRegistry* MetaPutTest::schemas_ = nullptr;

TEST_F(MetaPutTest, OffsetIsWrittenWithTheEventsAndSurvivesReopen) {
  Ingestor ingestor(log_.get(), schemas_);
  std::string line = Line("e1", "acme");
  std::vector<IngestItem> items = {{line, 7}};
  auto results = ingestor.IngestGroup(items, {{"source/kafka/in/0", Offset(8)}});
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  EXPECT_EQ((*results)[0].outcome, AppendOutcome::kAppended);
  Reopen();
  EXPECT_EQ(Meta("source/kafka/in/0"), Offset(8));
  EXPECT_EQ(log_->Head().seq, 1u);
}

TEST_F(MetaPutTest, OffsetIsWrittenWhenEveryEventIsRejectedOrDuplicate) {
  Ingestor ingestor(log_.get(), schemas_);
  std::string good = Line("e1", "acme"), bad = "{not json";
  std::vector<IngestItem> first = {{good, 0}};
  ASSERT_TRUE(ingestor.IngestGroup(first, {{"source/kafka/in/0", Offset(1)}}).ok());
  std::vector<IngestItem> second = {{good, 1}, {bad, 2}};
  auto results = ingestor.IngestGroup(second, {{"source/kafka/in/0", Offset(3)}});
  ASSERT_TRUE(results.ok());
  EXPECT_EQ((*results)[0].outcome, AppendOutcome::kDuplicate);
  EXPECT_EQ((*results)[1].outcome, AppendOutcome::kRejected);
  EXPECT_EQ(Meta("source/kafka/in/0"), Offset(3));
  EXPECT_EQ(log_->Head().seq, 1u);
}

TEST_F(MetaPutTest, EmptyGroupWritesOnlyTheMeta) {
  auto results = log_->Append({}, {{"outbox/kafka/out", Offset(5)}});
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  EXPECT_EQ(Meta("outbox/kafka/out"), Offset(5));
  EXPECT_EQ(log_->Head().seq, 0u);
}

TEST_F(MetaPutTest, KeysOutsideSourceAndOutboxAreRefusedAndNothingIsWritten) {
  for (std::string key : {"head", "ruleset", "format", "workspace/acme", "source/", "sources"}) {
    auto results = log_->Append({}, {{"source/kafka/in/0", Offset(1)}, {key, "x"}});
    EXPECT_EQ(results.status().code(), StatusCode::kInvalidArgument) << key;
  }
  EXPECT_NE(Meta("source/kafka/in/0"), Offset(1));
}

TEST_F(MetaPutTest, AFailedWriteLeavesNeitherEventsNorOffset) {
  Reopen([] { return Status::IOError("injected"); });
  Ingestor ingestor(log_.get(), schemas_);
  std::string line = Line("e1", "acme");
  std::vector<IngestItem> items = {{line, 0}};
  EXPECT_FALSE(ingestor.IngestGroup(items, {{"source/kafka/in/0", Offset(1)}}).ok());
  Reopen();
  EXPECT_EQ(log_->Head().seq, 0u);
  EXPECT_NE(Meta("source/kafka/in/0"), Offset(1));
}

TEST_F(MetaPutTest, SubmitCarriesTheMetaOfItsOwnGroup) {
  Ingestor ingestor(log_.get(), schemas_);
  std::string a = Line("e1", "acme"), b = Line("e2", "acme");
  std::vector<IngestItem> first = {{a, 0}}, second = {{b, 1}};
  ASSERT_TRUE(ingestor.Submit(first, {{"source/kafka/in/0", Offset(1)}}).ok());
  ASSERT_TRUE(ingestor.Submit(second, {{"source/kafka/in/0", Offset(2)}}).ok());
  EXPECT_EQ(Meta("source/kafka/in/0"), Offset(1));
  ASSERT_TRUE(ingestor.Finish().ok());
  EXPECT_EQ(Meta("source/kafka/in/0"), Offset(2));
}

TEST_F(MetaPutTest, AnEventWhoseWorkspaceIsNotTheRequiredOneIsRejected) {
  Ingestor ingestor(log_.get(), schemas_);
  std::string mine = Line("e1", "acme"), other = Line("e2", "globex");
  std::vector<IngestItem> items = {{mine, 0, "acme"}, {other, 1, "acme"}};
  auto results = ingestor.IngestGroup(items);
  ASSERT_TRUE(results.ok());
  EXPECT_EQ((*results)[0].outcome, AppendOutcome::kAppended);
  ASSERT_EQ((*results)[1].outcome, AppendOutcome::kRejected);
  EXPECT_NE((*results)[1].error.message().find("'globex' is not its message key 'acme'"), std::string::npos)
      << (*results)[1].error.message();
}

}  // namespace
}  // namespace keel
