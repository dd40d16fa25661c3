// keel deliveries list|show: the dead letters keel serve kept, as a person
// (and a script, with --json) reads them.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "connectors/sinks/sink_dead_letters.h"
#include "connectors/webhooks/dead_letters.h"
#include "tests/cli/cli_fixture.h"

namespace keel::testing {
namespace {

class DeliveriesCommandTest : public KeelCliTest {
 protected:
  std::string data() const { return (dir_ / "data").string(); }

  std::string Keep(std::string delivery, std::string received, std::string reason, std::string body) {
    auto store = webhooks::DeadLetterStore::Open(dir_ / "data" / std::string(webhooks::kDeadLetterFolder));
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    webhooks::DeadLetter letter;
    letter.endpoint = "github";
    letter.delivery = std::move(delivery);
    letter.received = std::move(received);
    letter.reason = std::move(reason);
    letter.headers = {{"x-github-event", "push"}};
    letter.body = std::move(body);
    EXPECT_TRUE((*store)->Put(letter).ok());
    return letter.id;
  }
};

TEST_F(DeliveriesCommandTest, ListsOldestFirstWithReasons) {
  std::string later = Keep("d-2", "2026-12-07T11:00:00Z", "no case matches: push", "{}");
  std::string earlier = Keep("d-1", "2026-12-07T10:00:00Z", "case \"issue opened\", event 1, data.title: no such key",
                             R"({"action":"opened"})");
  KeelRun run = RunKeel({"deliveries", "list", "--db", data()});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  size_t first = run.out.find(earlier), second = run.out.find(later);
  ASSERT_NE(first, std::string::npos) << run.out;
  ASSERT_NE(second, std::string::npos) << run.out;
  EXPECT_LT(first, second);
  EXPECT_NE(run.out.find("data.title: no such key"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("2 dead letter(s)"), std::string::npos) << run.out;

  KeelRun json = RunKeel({"deliveries", "list", "--db", data(), "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.Describe();
  nlohmann::json parsed = nlohmann::json::parse(json.out);
  ASSERT_EQ(parsed["dead_letters"].size(), 2u);
  EXPECT_EQ(parsed["dead_letters"][0]["id"], earlier);
  EXPECT_EQ(parsed["dead_letters"][0]["delivery"], "d-1");
  EXPECT_EQ(parsed["dead_letters"][0]["endpoint"], "github");
  EXPECT_EQ(parsed["dead_letters"][0]["bytes"], 19);
  EXPECT_EQ(parsed["dead_letters"][1]["reason"], "no case matches: push");
}

TEST_F(DeliveriesCommandTest, ShowsOneWithItsHeadersAndBody) {
  std::string id = Keep("d-1", "2026-12-07T10:00:00Z", "no case matches: push", R"({"ref":"main"})");
  KeelRun run = RunKeel({"deliveries", "show", "--db", data(), id, "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  nlohmann::json parsed = nlohmann::json::parse(run.out);
  EXPECT_EQ(parsed["headers"]["x-github-event"], "push");
  EXPECT_EQ(parsed["body"], R"({"ref":"main"})");
  EXPECT_EQ(parsed["reason"], "no case matches: push");

  KeelRun text = RunKeel({"deliveries", "show", "--db", data(), id});
  ASSERT_EQ(text.exit_code, 0) << text.Describe();
  EXPECT_NE(text.out.find("x-github-event: push"), std::string::npos) << text.out;
}

// A sink's letter beside a webhook's: each says which way it went.
TEST_F(DeliveriesCommandTest, ListsOutboundLettersBesideInboundOnes) {
  std::string inbound = Keep("d-1", "2026-12-07T10:00:00Z", "no case matches: push", "{}");
  auto sink_store = sinks::SinkDeadLetterStore::Open(dir_ / "data" / std::string(sinks::kSinkDeadLetterFolder));
  ASSERT_TRUE(sink_store.ok()) << sink_store.status().ToString();
  sinks::SinkDeadLetter letter;
  letter.sink = "ops-feed";
  letter.seq = 42;
  letter.event_id = "d-0123456789abcdef0123456789abcdef";
  letter.workspace = "acme";
  letter.attempts = 8;
  letter.status = 503;
  letter.reason = "HTTP 503: down for maintenance";
  letter.first_try = "2026-12-07T10:00:00Z";
  letter.last_try = "2026-12-07T10:09:00Z";
  ASSERT_TRUE((*sink_store)->Put(letter).ok());

  KeelRun run = RunKeel({"deliveries", "list", "--db", data()});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  size_t in = run.out.find("inbound"), out = run.out.find("outbound");
  ASSERT_NE(in, std::string::npos) << run.out;
  ASSERT_NE(out, std::string::npos) << run.out;
  EXPECT_LT(in, run.out.find(inbound));
  EXPECT_LT(out, run.out.find("ops-feed-42"));
  EXPECT_NE(run.out.find("8 tries, status 503"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("HTTP 503: down for maintenance"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("2 dead letter(s) (1 inbound, 1 outbound)"), std::string::npos) << run.out;

  KeelRun json = RunKeel({"deliveries", "list", "--db", data(), "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.Describe();
  nlohmann::json parsed = nlohmann::json::parse(json.out);
  ASSERT_EQ(parsed["dead_letters"].size(), 1u);
  EXPECT_EQ(parsed["dead_letters"][0]["direction"], "inbound");
  ASSERT_EQ(parsed["sink_dead_letters"].size(), 1u);
  EXPECT_EQ(parsed["sink_dead_letters"][0]["direction"], "outbound");
  EXPECT_EQ(parsed["sink_dead_letters"][0]["id"], "ops-feed-42");
  EXPECT_EQ(parsed["sink_dead_letters"][0]["seq"], 42);

  KeelRun show = RunKeel({"deliveries", "show", "--db", data(), "ops-feed-42", "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.Describe();
  nlohmann::json shown = nlohmann::json::parse(show.out);
  EXPECT_EQ(shown["sink"], "ops-feed");
  EXPECT_EQ(shown["event_id"], "d-0123456789abcdef0123456789abcdef");
  EXPECT_EQ(shown["status"], 503);
  EXPECT_EQ(shown["attempts"], 8);
  EXPECT_EQ(shown["first_try"], "2026-12-07T10:00:00Z");
  KeelRun text = RunKeel({"deliveries", "show", "--db", data(), "ops-feed-42"});
  ASSERT_EQ(text.exit_code, 0) << text.Describe();
  EXPECT_NE(text.out.find("direction  outbound"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("sink       ops-feed"), std::string::npos) << text.out;
}

// With brokers each partition log's sinks keep their letters in
// DATA/sink-dead-letters-TOPIC-PARTITION, with seqs of that log: the same
// SINK-SEQ in two partitions are two letters, named TOPIC-PARTITION/SINK-SEQ.
TEST_F(DeliveriesCommandTest, FindsTheKafkaPartitionsLettersToo) {
  auto put = [&](const std::string& folder, const std::string& workspace, const std::string& last_try) {
    auto store = sinks::SinkDeadLetterStore::Open(dir_ / "data" / folder);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    sinks::SinkDeadLetter letter;
    letter.sink = "jira";
    letter.seq = 42;
    letter.event_id = "d-" + workspace;
    letter.workspace = workspace;
    letter.attempts = 3;
    letter.status = 400;
    letter.reason = "HTTP 400: project ACME does not exist";
    letter.first_try = last_try;
    letter.last_try = last_try;
    ASSERT_TRUE((*store)->Put(letter).ok());
  };
  put("sink-dead-letters-keel-in-1", "globex", "2026-12-07T10:05:00Z");
  put("sink-dead-letters-keel-in-0", "acme", "2026-12-07T10:01:00Z");
  std::filesystem::create_directories(dir_ / "data" / "keel-in-0");  // a partition log: not letters

  KeelRun run = RunKeel({"deliveries", "list", "--db", data()});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  size_t first = run.out.find("keel-in-0/jira-42"), second = run.out.find("keel-in-1/jira-42");
  ASSERT_NE(first, std::string::npos) << run.out;
  ASSERT_NE(second, std::string::npos) << run.out;
  EXPECT_LT(first, second) << run.out;  // oldest first
  EXPECT_NE(run.out.find("event d-acme (seq 42 of keel-in-0, acme), 3 tries, status 400"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("2 dead letter(s) (0 inbound, 2 outbound)"), std::string::npos) << run.out;

  KeelRun json = RunKeel({"deliveries", "list", "--db", data(), "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.Describe();
  nlohmann::json parsed = nlohmann::json::parse(json.out);
  ASSERT_EQ(parsed["sink_dead_letters"].size(), 2u);
  EXPECT_EQ(parsed["sink_dead_letters"][0]["id"], "keel-in-0/jira-42");
  EXPECT_EQ(parsed["sink_dead_letters"][0]["log"], "keel-in-0");
  EXPECT_EQ(parsed["sink_dead_letters"][0]["workspace"], "acme");
  EXPECT_EQ(parsed["sink_dead_letters"][1]["id"], "keel-in-1/jira-42");
  EXPECT_EQ(parsed["sink_dead_letters"][1]["workspace"], "globex");

  KeelRun show = RunKeel({"deliveries", "show", "--db", data(), "keel-in-1/jira-42", "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.Describe();
  nlohmann::json shown = nlohmann::json::parse(show.out);
  EXPECT_EQ(shown["event_id"], "d-globex");
  EXPECT_EQ(shown["log"], "keel-in-1");
  KeelRun text = RunKeel({"deliveries", "show", "--db", data(), "keel-in-0/jira-42"});
  ASSERT_EQ(text.exit_code, 0) << text.Describe();
  EXPECT_NE(text.out.find("log        keel-in-0"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("workspace  acme"), std::string::npos) << text.out;
  // The bare id names the embedded folder's letter, which there is none of.
  KeelRun bare = RunKeel({"deliveries", "show", "--db", data(), "jira-42"});
  EXPECT_EQ(bare.exit_code, 1) << bare.Describe();
  KeelRun other = RunKeel({"deliveries", "show", "--db", data(), "keel-in-7/jira-42"});
  EXPECT_EQ(other.exit_code, 1) << other.Describe();
}

TEST_F(DeliveriesCommandTest, NoneIsSaidPlainly) {
  std::filesystem::create_directories(dir_ / "data");
  KeelRun run = RunKeel({"deliveries", "list", "--db", data()});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(run.out, "no dead letters\n");
}

TEST_F(DeliveriesCommandTest, AnUnknownIdOrFolderFails) {
  Keep("d-1", "2026-12-07T10:00:00Z", "x", "{}");
  KeelRun unknown = RunKeel({"deliveries", "show", "--db", data(), "github-0000000000000000"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.Describe();
  EXPECT_NE(unknown.err.find("no dead letter 'github-0000000000000000'"), std::string::npos) << unknown.err;
  KeelRun missing = RunKeel({"deliveries", "list", "--db", (dir_ / "nowhere").string()});
  EXPECT_EQ(missing.exit_code, 1) << missing.Describe();
  EXPECT_NE(missing.err.find("is not a folder"), std::string::npos) << missing.err;
  KeelRun usage = RunKeel({"deliveries", "list"});
  EXPECT_EQ(usage.exit_code, 2) << usage.Describe();
}

}  // namespace
}  // namespace keel::testing

namespace keel::testing {
namespace {

// A helpdesk's mapping before and after its fix: the first version expects
// `title`, which the helpdesk sends as `subject`.
constexpr char kHelpdeskMapping[] = R"(mapping: helpdesk
signature: {scheme: token, header: X-Helpdesk-Token}
delivery_id: headers["x-delivery"]
source: helpdesk/test
cases:
  - name: ticket opened
    if: body.kind == "ticket"
    events:
      - type: task.created
        subject: "task/helpdesk:{{ body.id }}"
        time: "{{ body.at }}"
        data:
          title: "{{ body.FIELD }}"
)";

std::string HelpdeskMapping(const std::string& field) {
  std::string text = kHelpdeskMapping;
  text.replace(text.find("FIELD"), 5, field);
  return text;
}

class DeliveriesRedriveTest : public KeelCliTest {
 protected:
  void SetUp() override {
    ::setenv("KEEL_TEST_HELPDESK_TOKEN", "helpdesk-token", 1);
    std::filesystem::create_directories(dir_ / "rules");
    config_ = WriteFile("serve.yaml", "data: " + (dir_ / "data").string() + "\n" +
                                          "rules: " + (dir_ / "rules").string() + "\n" +
                                          "http_port: 0\n"
                                          "webhooks:\n"
                                          "  - mapping: " + (dir_ / "helpdesk.yaml").string() + "\n" +
                                          "    workspace: acme\n"
                                          "    secret_env: KEEL_TEST_HELPDESK_TOKEN\n");
  }
  void TearDown() override { ::unsetenv("KEEL_TEST_HELPDESK_TOKEN"); }

  std::string Keep(const std::string& delivery, const std::string& body) {
    auto store = webhooks::DeadLetterStore::Open(dir_ / "data" / std::string(webhooks::kDeadLetterFolder));
    EXPECT_TRUE(store.ok());
    webhooks::DeadLetter letter;
    letter.endpoint = "helpdesk";
    letter.delivery = delivery;
    letter.received = "2026-12-07T10:00:00Z";
    letter.reason = "case \"ticket opened\", event 1, data.title: no such key: 'title'";
    letter.headers = {{"x-delivery", delivery}, {"content-type", "application/json"}};
    letter.body = body;
    EXPECT_TRUE((*store)->Put(letter).ok());
    return letter.id;
  }

  std::string config_;
};

TEST_F(DeliveriesRedriveTest, AFixedMappingTakesTheLettersIntoTheLog) {
  WriteFile("helpdesk.yaml", HelpdeskMapping("subject"));
  Keep("h-1", R"({"kind":"ticket","id":"41","at":"2026-12-07T09:00:00Z","subject":"Printer jammed"})");
  Keep("h-2", R"({"kind":"ticket","id":"42","at":"2026-12-07T09:05:00Z","subject":"VPN down"})");
  KeelRun run = RunKeel({"deliveries", "redrive", "--config", config_, "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  nlohmann::json report = nlohmann::json::parse(run.out);
  ASSERT_EQ(report["redriven"].size(), 2u);
  EXPECT_EQ(report["redriven"][0]["outcome"], "mapped");
  EXPECT_EQ(report["still_dead"], 0);

  KeelRun list = RunKeel({"deliveries", "list", "--db", (dir_ / "data").string()});
  EXPECT_EQ(list.out, "no dead letters\n") << list.Describe();
  KeelRun state = RunKeel({"state", "--db", (dir_ / "data" / "log").string(), "task/helpdesk:42", "--workspace",
                           "acme", "--json"});
  ASSERT_EQ(state.exit_code, 0) << state.Describe();
  EXPECT_NE(state.out.find("VPN down"), std::string::npos) << state.out;
  // The events' ids come from the deliveries: redriving again appends nothing.
  KeelRun verify = RunKeel({"verify", "--db", (dir_ / "data" / "log").string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
}

TEST_F(DeliveriesRedriveTest, WhatStillCannotBeMappedStaysWithItsNewReason) {
  WriteFile("helpdesk.yaml", HelpdeskMapping("headline"));
  std::string id = Keep("h-3", R"({"kind":"ticket","id":"43","at":"2026-12-07T09:00:00Z","subject":"x"})");
  KeelRun run = RunKeel({"deliveries", "redrive", "--config", config_, id});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.out.find("dead_letter"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("still not mappable"), std::string::npos) << run.out;
  KeelRun show = RunKeel({"deliveries", "show", "--db", (dir_ / "data").string(), id, "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.Describe();
  nlohmann::json letter = nlohmann::json::parse(show.out);
  EXPECT_NE(letter["reason"].get<std::string>().find("headline"), std::string::npos) << show.out;
  EXPECT_EQ(letter["received"], "2026-12-07T10:00:00Z");  // when it first came
}

}  // namespace
}  // namespace keel::testing
