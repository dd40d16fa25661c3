// An email sink as serve builds it: serve.yaml's settings and the
// environment's secrets reach the SMTP client, and a notification goes out
// over STARTTLS with AUTH to a real SMTP server (aiosmtpd).
#include "server/email_sink_channel.h"

#include <cstdlib>

#include <gtest/gtest.h>

#include "rules/expressions.h"
#include "tests/support/events.h"
#include "tests/support/smtp_test_server.h"

namespace keel::server {
namespace {

using namespace std::chrono_literals;
using keel::testing::EventSpec;
using keel::testing::SmtpSecurity;
using keel::testing::SmtpTestServer;
using keel::testing::SmtpTestServerOptions;

class EmailSinkChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = webhooks::PeopleFile::Load("people/acme.yaml", "people:\n  - id: ada\n    email: ada@example.com\n");
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    people_ = std::make_unique<webhooks::PeopleFile>(std::move(loaded).value());
  }
  void TearDown() override {
    for (const char* name : {"KEEL_TEST_SMTP_USER", "KEEL_TEST_SMTP_PASSWORD"}) unsetenv(name);
  }
  SinkChannelBuilders Builders() {
    return {{"email", EmailChannelBuilder([this](std::string_view workspace) -> const webhooks::PeopleFile* {
               return workspace == "acme" ? people_.get() : nullptr;
             })}};
  }
  SinkChannelContext Context() {
    SinkChannelContext context;
    context.compiler = &compiler_;
    return context;
  }
  static SinkConfig Mail(const std::string& smtp) {
    SinkConfig sink;
    sink.name = "mail";
    sink.kind = "email";
    sink.smtp = smtp;
    sink.from = "keel@example.com";
    return sink;
  }
  rules::CelExpressionCompiler compiler_;
  std::unique_ptr<webhooks::PeopleFile> people_;
};

TEST_F(EmailSinkChannelTest, SettingsReachTheSmtpClient) {
  SinkConfig sink = Mail("smtps://mail.example.com");
  sink.starttls = false;
  sink.timeout = 3s;
  sink.tls_verify = false;
  sink.ca_file = "/etc/ssl/my-ca.pem";
  SinkSecrets secrets;
  secrets.username = "keel";
  secrets.password = "pw";
  sinks::SmtpOptions options = SmtpOptionsOf(sink, secrets);
  EXPECT_EQ(options.url, "smtps://mail.example.com");
  EXPECT_FALSE(options.starttls);
  EXPECT_EQ(options.username, "keel");
  EXPECT_EQ(options.password, "pw");
  EXPECT_EQ(options.timeout, 3s);
  EXPECT_EQ(options.connect_timeout, 3s);
  EXPECT_FALSE(options.verify_tls);
  EXPECT_EQ(options.ca_file, "/etc/ssl/my-ca.pem");
}

TEST_F(EmailSinkChannelTest, NotificationGoesOutOverStartTlsWithAuth) {
  SmtpTestServerOptions server_options;
  server_options.security = SmtpSecurity::kStartTls;
  server_options.username = "keel-mailer";
  server_options.password = "s3cret";
  SmtpTestServer server(server_options);
  SinkConfig sink = Mail(server.Url());
  sink.ca_file = server.CertificateFile();
  sink.username_env = "KEEL_TEST_SMTP_USER";
  sink.password_env = "KEEL_TEST_SMTP_PASSWORD";
  sink.subject = "keel: {{ event.subject }}";
  setenv("KEEL_TEST_SMTP_USER", "keel-mailer", 1);
  setenv("KEEL_TEST_SMTP_PASSWORD", "s3cret", 1);
  auto channel = BuildSinkChannel(sink, Context(), Builders());
  ASSERT_TRUE(channel.ok()) << channel.status().ToString();

  EventSpec spec;
  spec.id = "n-9";
  spec.type = "notification.requested";
  spec.subject = "task/T-9";
  spec.data = {{"recipients", {"user:ada"}}, {"message", "Please review T-9"}, {"channel", "email"}};
  StoredEvent event;
  event.seq = 3;
  event.event = keel::testing::MakeEvent(spec);
  auto prepared = (*channel)->Prepare(event);
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  ASSERT_TRUE(prepared->has_value());
  sinks::TryResult result = (*channel)->Send(event, **prepared);
  ASSERT_EQ(result.outcome, sinks::TryOutcome::kDelivered) << result.detail;
  ASSERT_TRUE(server.WaitForMessages(1, 10s));
  keel::testing::ReceivedMail mail = server.Messages().at(0);
  EXPECT_TRUE(mail.over_tls);
  EXPECT_EQ(mail.login, "keel-mailer");
  EXPECT_EQ(mail.rcpt_to, std::vector<std::string>{"ada@example.com"});
  EXPECT_NE(mail.data.find("Subject: keel: task/T-9\r\n"), std::string::npos) << mail.data;
  EXPECT_NE(mail.data.find("\r\n\r\nPlease review T-9\r\n"), std::string::npos) << mail.data;
}

TEST_F(EmailSinkChannelTest, ErrorsNameTheSink) {
  SinkConfig sink = Mail("smtp://127.0.0.1:9");
  sink.subject = "{{ event.data. }}";
  auto bad_template = BuildSinkChannel(sink, Context(), Builders());
  ASSERT_FALSE(bad_template.ok());
  EXPECT_TRUE(bad_template.status().message().starts_with("sink mail: subject: 1:")) << bad_template.status().message();
  sink = Mail("smtp://127.0.0.1:9");
  sink.from = "nobody";
  auto bad_from = BuildSinkChannel(sink, Context(), Builders());
  ASSERT_FALSE(bad_from.ok());
  EXPECT_TRUE(bad_from.status().message().starts_with("sink mail: from: ")) << bad_from.status().message();
  sink = Mail("smtp://127.0.0.1:9");
  sink.password_env = "KEEL_TEST_SMTP_PASSWORD";  // not set
  auto missing = BuildSinkChannel(sink, Context(), Builders());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("KEEL_TEST_SMTP_PASSWORD (password_env of sink mail)"), std::string::npos)
      << missing.status().message();
}

}  // namespace
}  // namespace keel::server
