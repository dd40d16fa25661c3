// The sinks' dead letters: one durable file per event given up on, named
// SINK-SEQ, bounded, read back whole; and the redrive that sends one again.
#include "connectors/sinks/sink_dead_letters.h"

#include <fstream>

#include <gtest/gtest.h>

#include "connectors/sinks/sink_redrive.h"
#include "tests/connectors/sinks/scripted_channel.h"

namespace keel::sinks {
namespace {

using keel::testing::TempDir;
using testing::ScriptedChannel;

SinkDeadLetter Letter(std::string sink, uint64_t seq) {
  SinkDeadLetter letter;
  letter.sink = std::move(sink);
  letter.seq = seq;
  letter.event_id = "d-00112233445566778899aabbccddeeff";
  letter.workspace = "acme";
  letter.attempts = 8;
  letter.status = 503;
  letter.reason = "HTTP 503: down for maintenance";
  letter.first_try = "2026-12-07T10:00:00Z";
  letter.last_try = "2026-12-07T10:09:00Z";
  return letter;
}

TEST(SinkDeadLettersTest, KeepsALetterUnderSinkAndSeqAndReadsItBack) {
  TempDir dir;
  SinkDeadLetter letter = Letter("ops-feed", 42);
  {
    auto store = SinkDeadLetterStore::Open(dir.path());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->Put(letter).ok());
  }
  EXPECT_EQ(letter.id, "ops-feed-42");
  EXPECT_TRUE(std::filesystem::exists(dir / "ops-feed-42.json"));
  auto store = SinkDeadLetterStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  auto read = (*store)->Get("ops-feed-42");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->sink, "ops-feed");
  EXPECT_EQ(read->seq, 42u);
  EXPECT_EQ(read->event_id, "d-00112233445566778899aabbccddeeff");
  EXPECT_EQ(read->workspace, "acme");
  EXPECT_EQ(read->attempts, 8);
  EXPECT_EQ(read->status, 503);
  EXPECT_EQ(read->reason, "HTTP 503: down for maintenance");
  EXPECT_EQ(read->first_try, "2026-12-07T10:00:00Z");
  EXPECT_EQ(read->last_try, "2026-12-07T10:09:00Z");
}

TEST(SinkDeadLettersTest, ListsOldestFirstIsBoundedAndRemoves) {
  TempDir dir;
  auto store = SinkDeadLetterStore::Open(dir.path(), {.max_letters = 2, .max_bytes = 1 << 20});
  ASSERT_TRUE(store.ok());
  SinkDeadLetter later = Letter("mail", 7);
  later.last_try = "2026-12-07T11:00:00Z";
  SinkDeadLetter earlier = Letter("ops-feed", 9);
  ASSERT_TRUE((*store)->Put(later).ok());
  ASSERT_TRUE((*store)->Put(earlier).ok());
  auto letters = (*store)->List();
  ASSERT_TRUE(letters.ok());
  ASSERT_EQ(letters->size(), 2u);
  EXPECT_EQ((*letters)[0].id, "ops-feed-9");
  EXPECT_EQ((*letters)[1].id, "mail-7");
  SinkDeadLetter third = Letter("mail", 8);
  Status full = (*store)->Put(third);
  EXPECT_EQ(full.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(full.message().find("keel deliveries"), std::string::npos) << full.message();
  SinkDeadLetter again = Letter("mail", 7);  // the same event again replaces its letter
  EXPECT_TRUE((*store)->Put(again).ok());
  ASSERT_TRUE((*store)->Remove("mail-7").ok());
  EXPECT_EQ((*store)->Get("mail-7").status().code(), StatusCode::kNotFound);
  EXPECT_EQ((*store)->size(), 1u);
}

TEST(SinkDeadLettersTest, DamageNamesTheFile) {
  TempDir dir;
  std::ofstream(dir / "ops-feed-3.json") << R"({"format": "keel-sink-dead-letter-1", "id": "ops-feed-3"})";
  auto store = SinkDeadLetterStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  Result<SinkDeadLetter> read = (*store)->Get("ops-feed-3");
  ASSERT_EQ(read.status().code(), StatusCode::kCorruption);
  EXPECT_NE(read.status().message().find("ops-feed-3.json"), std::string::npos) << read.status().message();
}

TEST(SinkDeadLettersTest, TheStatusIsReadFromTheDetail) {
  EXPECT_EQ(StatusOfDetail("HTTP 503: busy"), 503);
  EXPECT_EQ(StatusOfDetail("HTTP 404"), 404);
  EXPECT_EQ(StatusOfDetail("SMTP 550 5.1.1 no such user"), 550);
  EXPECT_EQ(StatusOfDetail("connect: Connection refused"), 0);
  EXPECT_EQ(StatusOfDetail("HTTP 5032: nonsense"), 0);
  EXPECT_EQ(StatusOfDetail("HTTP 5x"), 0);
}

class SinkRedriveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = testing::OpenLog(dir_ / "db");
    store_ = std::move(SinkDeadLetterStore::Open(dir_ / "letters")).value();
    seq_ = testing::AppendAll(*log_, {testing::Comment("e1", "acme")}).back();
    SinkDeadLetter letter = Letter("ops-feed", seq_);
    letter.event_id = "e1";
    letter.attempts = 3;
    ASSERT_TRUE(store_->Put(letter).ok());
    id_ = letter.id;
  }

  keel::testing::TempDir dir_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<SinkDeadLetterStore> store_;
  uint64_t seq_ = 0;
  std::string id_;
  FakeClock clock_{1'765'101'600'000'000};  // 2025-12-07T10:00:00Z
};

TEST_F(SinkRedriveTest, ADeliveredRedriveRemovesTheLetter) {
  ScriptedChannel channel;
  auto outcome = RedriveSinkLetter(*log_, channel, *store_, id_, {}, clock_);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_TRUE(outcome->delivered);
  ASSERT_EQ(channel.sent().size(), 1u);
  EXPECT_EQ(channel.sent()[0].seq, seq_);
  EXPECT_EQ(store_->size(), 0u);
}

TEST_F(SinkRedriveTest, AFailedRedriveKeepsTheLetterWithTheNewReason) {
  ScriptedChannel channel([](const StoredEvent&, int) { return ScriptedChannel::Permanent("HTTP 401: bad token"); });
  auto outcome = RedriveSinkLetter(*log_, channel, *store_, id_, {}, clock_);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_FALSE(outcome->delivered);
  EXPECT_EQ(outcome->detail, "HTTP 401: bad token");
  auto letter = store_->Get(id_);
  ASSERT_TRUE(letter.ok());
  EXPECT_EQ(letter->attempts, 4);
  EXPECT_EQ(letter->status, 401);
  EXPECT_EQ(letter->reason, "HTTP 401: bad token");
  EXPECT_EQ(letter->last_try, "2025-12-07T10:00:00Z");
  EXPECT_EQ(letter->first_try, "2026-12-07T10:00:00Z");
}

TEST_F(SinkRedriveTest, ALetterOfAnotherLogIsRefused) {
  SinkDeadLetter stranger = Letter("ops-feed", seq_ + 100);
  ASSERT_TRUE(store_->Put(stranger).ok());
  ScriptedChannel channel;
  EXPECT_EQ(RedriveSinkLetter(*log_, channel, *store_, stranger.id, {}, clock_).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(RedriveSinkLetter(*log_, channel, *store_, "ops-feed-999999", {}, clock_).status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(channel.sent().empty());
}

}  // namespace
}  // namespace keel::sinks
