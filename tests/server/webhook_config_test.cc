// serve.yaml's receiver settings: webhooks, events, people, max_body_bytes.
// Every mistake is refused with the file and line, before serving.
#include "server/webhook_config.h"

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "server/serve_config.h"
#include "tests/support/temp_dir.h"

namespace keel::server {
namespace {

using keel::testing::TempDir;

// The settings serve needs anyway, then `extra`.
constexpr const char* kBase =
    "brokers: 127.0.0.1:9092\n"
    "input_topics: [in]\n"
    "output_topic: out\n"
    "dead_letter_topic: dead\n"
    "data: ./data\n"
    "rules: ./rules\n";

class WebhookConfigTest : public ::testing::Test {
 protected:
  Result<ServeConfig> Read(const std::string& extra) {
    std::string path = (dir_ / "serve.yaml").string();
    std::ofstream(path) << kBase << extra;
    return ReadServeConfig(path);
  }
  // Expects a refusal naming serve.yaml, `line` and `words`.
  void ExpectRefused(const std::string& extra, int line, const std::string& words) {
    Result<ServeConfig> config = Read(extra);
    ASSERT_FALSE(config.ok()) << extra;
    const std::string& message = config.status().message();
    EXPECT_NE(message.find("serve.yaml:" + std::to_string(line) + ":"), std::string::npos) << message;
    EXPECT_NE(message.find(words), std::string::npos) << message;
  }
  TempDir dir_;
};

TEST_F(WebhookConfigTest, ReadsEndpointsWithTheirDefaults) {
  Result<ServeConfig> config = Read(
      "webhooks:\n"                                     // line 7
      "  - source: github\n"
      "    workspace: acme\n"
      "    secret_env: KEEL_GITHUB_SECRET\n"
      "  - mapping: mappings/helpdesk.yaml\n"           // line 11
      "    workspace_from: body.team\n"
      "    secret_env: KEEL_HELPDESK_TOKEN\n"
      "  - source: jira\n"
      "    name: jira-it\n"
      "    path: /in/jira\n"
      "    workspace: it\n"
      "    secret_env: KEEL_JIRA_SECRET\n"
      "events:\n"
      "  token_env: KEEL_EVENTS_TOKEN\n"
      "people:\n"
      "  acme: people/acme.yaml\n"
      "  it: people/it.yaml\n"
      "max_body_bytes: 2097152\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const ReceiverConfig& receiver = config->receiver;
  ASSERT_EQ(receiver.webhooks.size(), 3u);
  EXPECT_EQ(receiver.webhooks[0].name, "github");
  EXPECT_EQ(receiver.webhooks[0].path, "/hooks/github");
  EXPECT_EQ(receiver.webhooks[0].workspace, "acme");
  EXPECT_EQ(receiver.webhooks[0].secret_env, "KEEL_GITHUB_SECRET");
  EXPECT_EQ(receiver.webhooks[0].line, 8);
  EXPECT_EQ(receiver.webhooks[1].name, "helpdesk");  // the mapping file's stem
  EXPECT_EQ(receiver.webhooks[1].path, "/hooks/helpdesk");
  EXPECT_EQ(receiver.webhooks[1].workspace_from, "body.team");
  EXPECT_EQ(receiver.webhooks[2].name, "jira-it");
  EXPECT_EQ(receiver.webhooks[2].path, "/in/jira");
  ASSERT_TRUE(receiver.events.has_value());
  EXPECT_EQ(receiver.events->path, "/events");
  EXPECT_EQ(receiver.events->token_env, "KEEL_EVENTS_TOKEN");
  EXPECT_EQ(receiver.people.at("acme"), "people/acme.yaml");
  EXPECT_EQ(receiver.people.at("it"), "people/it.yaml");
  EXPECT_EQ(receiver.max_body_bytes, 2097152u);
}

TEST_F(WebhookConfigTest, WithoutReceiverSettingsThereIsNoReceiver) {
  Result<ServeConfig> config = Read("");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->receiver.empty());
  EXPECT_EQ(config->receiver.max_body_bytes, 1048576u);
}

TEST_F(WebhookConfigTest, RefusesMistakesWithTheirLine) {
  ExpectRefused("webhooks:\n  - source: github\n    workspace: acme\n", 8, "'secret_env' is required");
  ExpectRefused("webhooks:\n  - source: github\n    mapping: m.yaml\n    workspace: a\n    secret_env: S\n", 8,
                "exactly one of 'source'");
  ExpectRefused("webhooks:\n  - source: github\n    secret_env: S\n", 8, "exactly one of 'workspace'");
  ExpectRefused("webhooks:\n  - source: github\n    workspace: a\n    workspace_from: body.x\n    secret_env: S\n", 8,
                "exactly one of 'workspace'");
  ExpectRefused("webhooks:\n  - source: github\n    workspace: a\n    secret_env: S\n    secret: hunter2\n", 11,
                "unknown setting 'secret'");
  ExpectRefused("webhooks:\n  - source: github\n    workspace: a\n    secret_env: 'sha256=abc!'\n", 10,
                "must name an environment variable");
  ExpectRefused("webhooks:\n  - source: github\n    workspace: a\n    secret_env: S\n"
                "  - source: github\n    workspace: b\n    secret_env: T\n",
                11, "'github' is used twice (first on line 8)");
  ExpectRefused("webhooks:\n  - source: github\n    name: a\n    path: /h\n    workspace: a\n    secret_env: S\n"
                "  - source: jira\n    path: /h\n    workspace: b\n    secret_env: T\n",
                13, "the path /h is used twice");
  ExpectRefused("webhooks:\n  - source: github\n    path: /metrics\n    workspace: a\n    secret_env: S\n", 8,
                "keel's own");
  ExpectRefused("webhooks:\n  - source: github\n    name: ../x\n    workspace: a\n    secret_env: S\n", 8,
                "endpoint name '../x'");
  ExpectRefused("webhooks:\n  - source: github\n    path: hooks\n    workspace: a\n    secret_env: S\n", 8,
                "must start with '/'");
  ExpectRefused("webhooks:\n  - source: github\n    workspace: [a]\n    secret_env: S\n", 9,
                "'workspace' must be a non-empty string");
  ExpectRefused("webhooks: github\n", 7, "must be a list of endpoints");
  ExpectRefused("events:\n  path: /events\n", 8, "'token_env' is required");
  ExpectRefused("webhooks:\n  - source: github\n    path: /events\n    workspace: a\n    secret_env: S\n"
                "events:\n  token_env: T\n",
                13, "taken by the webhook on line 8");
  ExpectRefused("people: people.yaml\n", 7, "must map each workspace");
  ExpectRefused("max_body_bytes: 10\n", 7, "'max_body_bytes' must be a whole number from 1024");
}

TEST(SecretFromEnvironmentTest, ReadsTheVariableAndNeverShowsAValue) {
  ::setenv("KEEL_TEST_WEBHOOK_SECRET", "It's a Secret to Everybody", 1);
  Result<std::string> secret = SecretFromEnvironment("KEEL_TEST_WEBHOOK_SECRET", "webhooks[0].secret_env");
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(*secret, "It's a Secret to Everybody");
  ::setenv("KEEL_TEST_WEBHOOK_SECRET", "", 1);
  Result<std::string> empty = SecretFromEnvironment("KEEL_TEST_WEBHOOK_SECRET", "webhooks[0].secret_env");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("KEEL_TEST_WEBHOOK_SECRET (webhooks[0].secret_env)"), std::string::npos);
  ::unsetenv("KEEL_TEST_WEBHOOK_SECRET");
  EXPECT_FALSE(SecretFromEnvironment("KEEL_TEST_WEBHOOK_SECRET", "x").ok());
}

}  // namespace
}  // namespace keel::server
