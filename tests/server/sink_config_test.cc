// serve.yaml's `sinks:`: every setting read with its default, every mistake
// refused with the file, the line, the sink and the key, secrets read from
// the environment only, and the channel of each sink built through the
// builders' seam.
#include "server/sink_config.h"

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "rules/expressions.h"
#include "server/serve_config.h"
#include "tests/support/temp_dir.h"

namespace keel::server {
namespace {

using keel::testing::TempDir;
using std::chrono::milliseconds;

// Embedded mode: the two settings serve needs, then `sinks:` on line 3.
constexpr const char* kBase = "data: ./data\nrules: ./rules\nsinks:\n";

class SinkConfigTest : public ::testing::Test {
 protected:
  Result<ServeConfig> Read(const std::string& sinks) {
    std::string path = (dir_ / "serve.yaml").string();
    std::ofstream(path) << kBase << sinks;
    return ReadServeConfig(path);
  }
  // Expects a refusal "serve.yaml:LINE: ..." holding `words`.
  void ExpectRefused(const std::string& sinks, int line, const std::string& words) {
    Result<ServeConfig> config = Read(sinks);
    ASSERT_FALSE(config.ok()) << sinks;
    const std::string& message = config.status().message();
    EXPECT_NE(message.find("serve.yaml:" + std::to_string(line) + ": "), std::string::npos) << message;
    EXPECT_NE(message.find(words), std::string::npos) << message;
  }
  TempDir dir_;
};

TEST_F(SinkConfigTest, ReadsEveryKindWithItsSettings) {
  Result<ServeConfig> config = Read(
      "  - name: ops-feed\n"                                    // line 4
      "    kind: webhook\n"
      "    types: [task.*, notification.requested]\n"
      "    if: event.workspace == \"acme\"\n"
      "    url: https://example.com/keel\n"
      "    mode: binary\n"
      "    secret_env: OPS_FEED_SECRET\n"
      "    concurrency: 2\n"
      "    rate_per_second: 10\n"
      "    retry: {max_attempts: 3, initial_delay: 250ms, max_delay: 5m}\n"
      "    timeout: 2s\n"
      "    tls_verify: false\n"
      "    ca_file: /etc/ssl/my-ca.pem\n"
      "  - name: team-chat\n"                                   // line 17
      "    kind: slack\n"
      "    url_env: SLACK_WEBHOOK_URL\n"
      "    text: \"{{ event.data.message }}\"\n"
      "  - name: mail\n"
      "    kind: email\n"
      "    smtp: smtp://mail.example.com:587\n"
      "    starttls: true\n"
      "    username_env: SMTP_USER\n"
      "    password_env: SMTP_PASSWORD\n"
      "    from: keel@example.com\n"
      "    subject: \"{{ event.data.message }}\"\n"
      "  - name: jira\n"
      "    kind: http\n"
      "    action: jira\n"
      "    vars: {base_url: \"https://acme.atlassian.net\", project: ACME}\n"
      "    auth: {scheme: basic, username_env: JIRA_USER, password_env: JIRA_TOKEN}\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->sinks.size(), 4u);
  const SinkConfig& hook = config->sinks[0];
  EXPECT_EQ(hook.name, "ops-feed");
  EXPECT_EQ(hook.cursor_name(), "webhook/ops-feed");
  EXPECT_EQ(hook.types, (std::vector<std::string>{"task.*", "notification.requested"}));
  EXPECT_EQ(hook.condition, "event.workspace == \"acme\"");
  EXPECT_EQ(hook.url, "https://example.com/keel");
  EXPECT_EQ(hook.mode, "binary");
  EXPECT_EQ(hook.secret_env, "OPS_FEED_SECRET");
  EXPECT_EQ(hook.concurrency, 2u);
  EXPECT_EQ(hook.rate_per_second, 10.0);
  EXPECT_EQ(hook.retry.max_attempts, 3);
  EXPECT_EQ(hook.retry.initial_delay, milliseconds(250));
  EXPECT_EQ(hook.retry.max_delay, milliseconds(300000));
  EXPECT_EQ(hook.timeout, milliseconds(2000));
  EXPECT_FALSE(hook.tls_verify);
  EXPECT_EQ(hook.ca_file, "/etc/ssl/my-ca.pem");
  EXPECT_EQ(hook.line, 4);
  const SinkConfig& chat = config->sinks[1];
  EXPECT_EQ(chat.kind, "slack");
  EXPECT_EQ(chat.url_env, "SLACK_WEBHOOK_URL");
  EXPECT_EQ(chat.text, "{{ event.data.message }}");
  EXPECT_EQ(chat.line, 17);
  const SinkConfig& mail = config->sinks[2];
  EXPECT_EQ(mail.smtp, "smtp://mail.example.com:587");
  EXPECT_TRUE(mail.starttls);
  EXPECT_EQ(mail.username_env, "SMTP_USER");
  EXPECT_EQ(mail.password_env, "SMTP_PASSWORD");
  EXPECT_EQ(mail.from, "keel@example.com");
  EXPECT_EQ(mail.subject, "{{ event.data.message }}");
  const SinkConfig& jira = config->sinks[3];
  EXPECT_EQ(jira.action, "jira");
  EXPECT_EQ(jira.vars, (std::map<std::string, std::string>{{"base_url", "https://acme.atlassian.net"},
                                                           {"project", "ACME"}}));
  EXPECT_EQ(jira.auth.scheme, "basic");
  EXPECT_EQ(jira.auth.username_env, "JIRA_USER");
  EXPECT_EQ(jira.auth.password_env, "JIRA_TOKEN");
}

TEST_F(SinkConfigTest, DefaultsAreTheSpecsOnes) {
  Result<ServeConfig> config = Read("  - {name: hook, kind: webhook, url: \"http://127.0.0.1:8080/in\"}\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const SinkConfig& sink = config->sinks.at(0);
  EXPECT_TRUE(sink.types.empty());
  EXPECT_TRUE(sink.condition.empty());
  EXPECT_EQ(sink.mode, "structured");
  EXPECT_EQ(sink.concurrency, 4u);
  EXPECT_EQ(sink.rate_per_second, 0.0);
  EXPECT_EQ(sink.max_pending, 10000u);
  EXPECT_EQ(sink.retry.max_attempts, 8);
  EXPECT_EQ(sink.retry.initial_delay, milliseconds(1000));
  EXPECT_EQ(sink.retry.max_delay, milliseconds(300000));
  EXPECT_EQ(sink.timeout, milliseconds(10000));
  EXPECT_TRUE(sink.tls_verify);
  Result<ServeConfig> every = Read("  - {name: all, kind: webhook, url: \"http://x\", types: \"*\"}\n");
  ASSERT_TRUE(every.ok()) << every.status().ToString();
  EXPECT_EQ(every->sinks.at(0).types, std::vector<std::string>{"*"});
  EXPECT_TRUE(ReadServeConfig((dir_ / "serve.yaml").string())->receiver.empty());
}

TEST_F(SinkConfigTest, RefusesMalformedEntries) {
  ExpectRefused("  name: hook\n", 4, "'sinks' must be a list of sinks");
  ExpectRefused("  - hook\n", 4, "sinks[0]: must be a map of settings");
  ExpectRefused("  - {kind: webhook, url: \"http://x\"}\n", 4, "sinks[0]: 'name' is required");
  ExpectRefused("  - {name: Ops Feed, kind: webhook}\n", 4,
                "sinks[0]: the sink name 'Ops Feed' must be 1 to 64 of a-z, 0-9, '.', '_', '-'");
  ExpectRefused("  - {name: hook, url: \"http://x\"}\n", 4,
                "sinks[0] (hook): 'kind' is required (webhook, slack, teams, email or http)");
  ExpectRefused("  - {name: hook, kind: pager}\n", 4,
                "sinks[0] (hook): unknown kind 'pager' (webhook, slack, teams, email or http)");
  ExpectRefused("  - {name: hook, kind: webhook, url: \"http://x\"}\n  - {name: hook, kind: slack, url: \"http://y\"}\n",
                5, "sinks[1]: the sink name 'hook' is used twice (first on line 4)");
}

TEST_F(SinkConfigTest, RefusesUnknownKeysAndKeysOfAnotherKind) {
  ExpectRefused("  - name: hook\n    kind: webhook\n    url: \"http://x\"\n    urll: \"http://y\"\n", 7,
                "sinks[0] (hook): unknown setting 'urll' (a webhook sink takes: ");
  ExpectRefused("  - name: chat\n    kind: slack\n    url: \"http://x\"\n    mode: binary\n", 7,
                "sinks[0] (chat): 'mode' is not a setting of a slack sink (it takes: ");
  ExpectRefused("  - name: hook\n    kind: webhook\n    url: \"http://x\"\n    text: hi\n", 7,
                "'text' is not a setting of a webhook sink");
  ExpectRefused("  - name: hook\n    kind: webhook\n    url: \"http://x\"\n    url: \"http://y\"\n", 7,
                "sinks[0] (hook): 'url' is set twice");
}

TEST_F(SinkConfigTest, RefusesBadValuesNamingTheKey) {
  const std::string hook = "  - name: hook\n    kind: webhook\n    url: \"http://x\"\n";  // lines 4-6
  ExpectRefused(hook + "    timeout: 10 seconds\n", 7,
                "sinks[0] (hook): 'timeout' must be a duration like 250ms, 1s, 5m or 1h");
  ExpectRefused(hook + "    timeout: 0s\n", 7, "'timeout' must be a duration");
  ExpectRefused(hook + "    retry: {max_attempts: 0}\n", 7,
                "sinks[0] (hook): 'retry.max_attempts' must be a whole number from 1 to 1000");
  ExpectRefused(hook + "    retry: {tries: 3}\n", 7,
                "sinks[0] (hook): 'retry': unknown setting 'tries' (known: initial_delay, max_attempts, max_delay)");
  ExpectRefused(hook + "    retry: {initial_delay: 1m, max_delay: 1s}\n", 4,
                "sinks[0] (hook): 'retry.initial_delay' must not be above 'retry.max_delay'");
  ExpectRefused(hook + "    retry: {initial_delay: soon}\n", 7, "'retry.initial_delay' must be a duration");
  ExpectRefused(hook + "    concurrency: 0\n", 7, "sinks[0] (hook): 'concurrency' must be a whole number from 1 to 256");
  ExpectRefused(hook + "    rate_per_second: -1\n", 7,
                "sinks[0] (hook): 'rate_per_second' must be a number of requests per second above 0");
  ExpectRefused(hook + "    tls_verify: maybe\n", 7, "sinks[0] (hook): 'tls_verify' must be true or false");
  ExpectRefused(hook + "    mode: batched\n", 7,
                "sinks[0] (hook): 'mode' must be structured or binary (the CloudEvents HTTP content modes)");
  ExpectRefused(hook + "    secret_env: s3cr3t-value!\n", 7,
                "sinks[0] (hook): 'secret_env' must name an environment variable (letters, digits and '_'), not hold "
                "the secret itself");
  ExpectRefused(hook + "    types: [Task.Created]\n", 7,
                "sinks[0] (hook): 'types': 'Task.Created' is neither an event type (task.created) nor a glob of one "
                "kind (task.*)");
  ExpectRefused(hook + "    types: []\n", 7, "'types' must be a list of event types or KIND.* globs");
  ExpectRefused(hook + "    types: [task*]\n", 7, "'types': 'task*' is neither an event type");
  ExpectRefused(hook + "    types: [.*]\n", 7, "'types': '.*' is neither an event type");
  ExpectRefused(hook + "    if: \"\"\n", 7, "sinks[0] (hook): 'if' must be a non-empty string");
  ExpectRefused(hook + "    max_pending: 0\n", 7, "'max_pending' must be a whole number from 1 to 10000000");
}

TEST_F(SinkConfigTest, RefusesWhatAKindLacks) {
  ExpectRefused("  - {name: hook, kind: webhook}\n", 4, "sinks[0] (hook): 'url' is required");
  ExpectRefused("  - {name: hook, kind: webhook, url: \"ftp://x\"}\n", 4,
                "sinks[0] (hook): 'url' must start with http:// or https://");
  ExpectRefused("  - {name: chat, kind: slack}\n", 4,
                "sinks[0] (chat): set exactly one of 'url' and 'url_env' (the URL is a secret: prefer url_env)");
  ExpectRefused("  - {name: chat, kind: teams, url: \"https://x\", url_env: TEAMS_URL}\n", 4,
                "sinks[0] (chat): set exactly one of 'url' and 'url_env'");
  ExpectRefused("  - {name: mail, kind: email, from: a@b.c}\n", 4,
                "sinks[0] (mail): 'smtp' is required (smtp://HOST:PORT or smtps://HOST:PORT)");
  ExpectRefused("  - {name: mail, kind: email, smtp: \"mail.example.com\", from: a@b.c}\n", 4,
                "sinks[0] (mail): 'smtp' must start with smtp:// or smtps://");
  ExpectRefused("  - {name: mail, kind: email, smtp: \"smtp://m:25\"}\n", 4,
                "sinks[0] (mail): 'from' is required (the sender's address)");
  ExpectRefused("  - {name: mail, kind: email, smtp: \"smtp://m:25\", from: a@b.c, username_env: U}\n", 4,
                "sinks[0] (mail): set both 'username_env' and 'password_env', or neither");
  ExpectRefused("  - {name: jira, kind: http}\n", 4,
                "sinks[0] (jira): set exactly one of 'action' (a built-in action mapping) and 'mapping' (an action "
                "mapping file)");
  ExpectRefused("  - {name: jira, kind: http, action: jira, auth: {scheme: basic, token_env: T}}\n", 4,
                "sinks[0] (jira): 'auth' must be {scheme: basic, username_env, password_env}, {scheme: bearer, "
                "token_env} or {scheme: header, header, value_env}");
  ExpectRefused("  - {name: jira, kind: http, action: jira, auth: {scheme: bearer, token: abc}}\n", 4,
                "sinks[0] (jira): 'auth': unknown setting 'token' (known: ");
  ExpectRefused("  - {name: jira, kind: http, action: jira, vars: {labels: [a, b]}}\n", 4,
                "sinks[0] (jira): 'vars.labels' must be a string");
  ExpectRefused("  - {name: jira, kind: http, action: jira, vars: [a]}\n", 4,
                "sinks[0] (jira): 'vars' must map names to strings");
}

TEST(SinkConfigWarningsTest, RiskySettingsAreNamedForTheLog) {
  SinkConfig chat;
  chat.name = "team-chat";
  chat.kind = "slack";
  chat.url = "https://hooks.slack.com/services/T0/B0/X";
  chat.tls_verify = false;
  std::vector<std::string> expected = {
      "sink team-chat: tls_verify is false: the receiver's certificate is not checked (for a test server only)",
      "sink team-chat: the slack URL is written in the configuration file; whoever reads it can post: move it to an "
      "environment variable and name it with url_env"};
  EXPECT_EQ(SinkConfigWarnings(chat), expected);
  SinkConfig hook;
  hook.name = "ops-feed";
  hook.kind = "webhook";
  hook.url = "http://intranet/keel";
  hook.secret_env = "OPS_FEED_SECRET";
  EXPECT_EQ(SinkConfigWarnings(hook), std::vector<std::string>{"sink ops-feed: signed requests go over plain "
                                                               "http://: anyone on the way can read the events"});
  hook.url = "https://example.com/keel";
  EXPECT_TRUE(SinkConfigWarnings(hook).empty());
}

class SinkSecretsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const char* name : {"KEEL_TEST_SINK_SECRET", "KEEL_TEST_SINK_URL"}) unsetenv(name);
  }
};

TEST_F(SinkSecretsTest, AMissingVariableIsNamedWithTheSinkButNoValue) {
  SinkConfig sink;
  sink.name = "ops-feed";
  sink.kind = "webhook";
  sink.url = "https://example.com/keel";
  sink.secret_env = "KEEL_TEST_SINK_SECRET";
  Result<SinkSecrets> missing = ResolveSinkSecrets(sink);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "the environment variable KEEL_TEST_SINK_SECRET (secret_env of sink ops-feed) is not set or empty: "
            "export the secret there before starting keel serve");
  setenv("KEEL_TEST_SINK_SECRET", "s3cret", 1);
  Result<SinkSecrets> secrets = ResolveSinkSecrets(sink);
  ASSERT_TRUE(secrets.ok()) << secrets.status().ToString();
  EXPECT_EQ(secrets->secret, "s3cret");
  EXPECT_EQ(secrets->url, "https://example.com/keel");
}

TEST_F(SinkSecretsTest, ChatUrlsComeFromTheEnvironment) {
  SinkConfig sink;
  sink.name = "team-chat";
  sink.kind = "slack";
  sink.url_env = "KEEL_TEST_SINK_URL";
  setenv("KEEL_TEST_SINK_URL", "https://hooks.slack.com/services/T0/B0/X", 1);
  Result<SinkSecrets> secrets = ResolveSinkSecrets(sink);
  ASSERT_TRUE(secrets.ok()) << secrets.status().ToString();
  EXPECT_EQ(secrets->url, "https://hooks.slack.com/services/T0/B0/X");
}

TEST(SinkClientOptionsTest, TheSinksTimeoutAndTlsSettingsReachTheClient) {
  SinkConfig sink;
  sink.timeout = milliseconds(2000);
  sink.tls_verify = false;
  sink.ca_file = "/etc/ssl/my-ca.pem";
  http::HttpClientOptions options = HttpClientOptionsOf(sink);
  EXPECT_EQ(options.timeout, milliseconds(2000));
  EXPECT_EQ(options.connect_timeout, milliseconds(2000));
  EXPECT_FALSE(options.verify_tls);
  EXPECT_EQ(options.ca_file, "/etc/ssl/my-ca.pem");
}

// A client that is never called: building a channel sends nothing.
class UnusedClient : public http::HttpClient {
 public:
  Result<http::ClientResponse> Send(const http::ClientRequest&) const override {
    return Status::Internal("not expected");
  }
};

class SinkChannelBuildTest : public ::testing::Test {
 protected:
  SinkChannelContext Context() {
    SinkChannelContext context;
    context.compiler = &compiler_;
    context.make_http_client = [this](const http::HttpClientOptions& options) {
      seen_timeout_ = options.timeout;
      return Result<std::shared_ptr<const http::HttpClient>>(std::make_shared<UnusedClient>());
    };
    return context;
  }
  static SinkConfig Sink(std::string name, std::string kind) {
    SinkConfig sink;
    sink.name = std::move(name);
    sink.kind = std::move(kind);
    sink.url = "https://example.com/in";
    return sink;
  }
  rules::CelExpressionCompiler compiler_;
  milliseconds seen_timeout_{0};
};

TEST_F(SinkChannelBuildTest, BuildsWebhookSlackAndTeamsChannels) {
  for (const char* kind : {"webhook", "slack", "teams"}) {
    SinkConfig sink = Sink("out", kind);
    sink.timeout = milliseconds(1500);
    auto channel = BuildSinkChannel(sink, Context(), WebhookAndChatChannelBuilders());
    ASSERT_TRUE(channel.ok()) << kind << ": " << channel.status().ToString();
    EXPECT_NE(*channel, nullptr);
    EXPECT_EQ(seen_timeout_, milliseconds(1500));
  }
}

TEST_F(SinkChannelBuildTest, ErrorsNameTheSink) {
  SinkConfig chat = Sink("team-chat", "slack");
  chat.text = "{{ event.data. }}";
  auto bad_template = BuildSinkChannel(chat, Context(), WebhookAndChatChannelBuilders());
  ASSERT_FALSE(bad_template.ok());
  EXPECT_TRUE(bad_template.status().message().starts_with("sink team-chat: text: 1:")) << bad_template.status().message();
  auto no_builder = BuildSinkChannel(Sink("mail", "email"), Context(), WebhookAndChatChannelBuilders());
  ASSERT_FALSE(no_builder.ok());
  EXPECT_EQ(no_builder.status().message(), "sink mail: this keel cannot build email sinks");
}

}  // namespace
}  // namespace keel::server
