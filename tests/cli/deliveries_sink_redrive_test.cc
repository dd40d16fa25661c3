// keel deliveries redrive of the sinks' dead letters: the event is read
// from the log and sent again through the sink serve.yaml configures now, to
// a recording server on loopback; delivered, the letter goes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "connectors/sinks/sink_dead_letters.h"
#include "engine/log/event_log.h"
#include "tests/cli/cli_fixture.h"
#include "tests/support/events.h"
#include "tests/support/recording_http_server.h"

namespace keel::testing {
namespace {

class SinkRedriveCommandTest : public KeelCliTest {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_ / "rules");
    config_ = WriteFile("serve.yaml", "data: " + (dir_ / "data").string() + "\n" +
                                          "rules: " + (dir_ / "rules").string() + "\n" +
                                          "http_port: 0\n"
                                          "sinks:\n"
                                          "  - name: ops-feed\n"
                                          "    kind: webhook\n"
                                          "    url: " + server_.Url("/keel") + "\n");
    {
      LogOptions options;
      options.create_if_missing = true;
      auto log = EventLog::Open(dir_ / "data" / "log", options);
      ASSERT_TRUE(log.ok()) << log.status().ToString();
      auto appended = (*log)->Append({{MakeEvent({.id = "c-1", .type = "comment.added", .data = {{"text", "hi"}}}),
                                       std::nullopt}});
      ASSERT_TRUE(appended.ok());
      seq_ = (*appended)[0].seq;
    }
    auto store = sinks::SinkDeadLetterStore::Open(dir_ / "data" / std::string(sinks::kSinkDeadLetterFolder));
    ASSERT_TRUE(store.ok());
    sinks::SinkDeadLetter letter;
    letter.sink = "ops-feed";
    letter.seq = seq_;
    letter.event_id = "c-1";
    letter.workspace = "acme";
    letter.attempts = 8;
    letter.status = 503;
    letter.reason = "HTTP 503: down";
    letter.first_try = "2026-12-07T10:00:00Z";
    letter.last_try = "2026-12-07T10:09:00Z";
    ASSERT_TRUE((*store)->Put(letter).ok());
    id_ = letter.id;
  }

  RecordingHttpServer server_;
  std::string config_;
  uint64_t seq_ = 0;
  std::string id_;
};

TEST_F(SinkRedriveCommandTest, ADeliveredLetterIsRemoved) {
  KeelRun run = RunKeel({"deliveries", "redrive", "--config", config_, id_, "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  nlohmann::json report = nlohmann::json::parse(run.out);
  ASSERT_EQ(report["redriven"].size(), 1u);
  EXPECT_EQ(report["redriven"][0]["direction"], "outbound");
  EXPECT_EQ(report["redriven"][0]["outcome"], "delivered");
  EXPECT_EQ(report["still_dead"], 0);
  ASSERT_EQ(server_.RequestCount(), 1u);
  RecordedRequest request = server_.Requests()[0];
  EXPECT_EQ(request.path, "/keel");
  EXPECT_EQ(request.Header("idempotency-key"), "c-1");
  KeelRun list = RunKeel({"deliveries", "list", "--db", (dir_ / "data").string()});
  EXPECT_EQ(list.out, "no dead letters\n") << list.Describe();
}

TEST_F(SinkRedriveCommandTest, ALetterStillRefusedStaysWithItsNewReason) {
  server_.AnswerAlways(ScriptedAnswer::Status(410, "gone"));
  KeelRun run = RunKeel({"deliveries", "redrive", "--config", config_});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.out.find(id_ + "  dead_letter: HTTP 410"), std::string::npos) << run.out;
  KeelRun show = RunKeel({"deliveries", "show", "--db", (dir_ / "data").string(), id_, "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.Describe();
  nlohmann::json letter = nlohmann::json::parse(show.out);
  EXPECT_EQ(letter["status"], 410);
  EXPECT_EQ(letter["attempts"], 9);
  EXPECT_EQ(letter["first_try"], "2026-12-07T10:00:00Z");
}

}  // namespace
}  // namespace keel::testing
