// The email channel: recipients from the people file, templates over the
// event, the mail as the SMTP server (aiosmtpd) receives it, and how SMTP
// replies become try outcomes.
#include "connectors/sinks/email_channel.h"

#include <gtest/gtest.h>

#include "rules/expressions.h"
#include "tests/support/events.h"
#include "tests/support/smtp_test_server.h"

namespace keel::testing {
namespace {

using namespace std::chrono_literals;
using sinks::EmailChannel;
using sinks::EmailChannelConfig;
using sinks::OutboundMessage;
using sinks::TryOutcome;

constexpr const char* kPeople = R"(people:
  - id: ada
    name: Ada Lovelace
    email: ada@example.com
  - id: grace
    name: Grace Hopper
    email: grace@example.com
  - id: nomail
    name: No Mail
    github: nomail
)";

StoredEvent Notification(nlohmann::json data, std::string id = "n-1") {
  EventSpec spec;
  spec.id = std::move(id);
  spec.type = "notification.requested";
  spec.subject = "task/T-7";
  spec.time = "2026-03-02T09:00:00Z";
  spec.data = std::move(data);
  StoredEvent stored;
  stored.seq = 12;
  stored.event = MakeEvent(spec);
  return stored;
}

class EmailChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = webhooks::PeopleFile::Load("people/acme.yaml", kPeople);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    people_ = std::make_unique<webhooks::PeopleFile>(std::move(loaded).value());
  }

  // Tests that only prepare need no server: nothing listens on port 9 there.
  EmailChannelConfig Config(const std::string& smtp_url = "smtp://127.0.0.1:9") {
    EmailChannelConfig config;
    config.smtp.url = smtp_url;
    config.smtp.starttls = false;
    config.from = "keel@example.com";
    config.people = [this](std::string_view workspace) -> const webhooks::PeopleFile* {
      return workspace == "acme" ? people_.get() : nullptr;
    };
    return config;
  }

  std::unique_ptr<EmailChannel> Make(EmailChannelConfig config) {
    auto channel = EmailChannel::Create(std::move(config), compiler_);
    EXPECT_TRUE(channel.ok()) << channel.status().ToString();
    return channel.ok() ? std::move(channel).value() : nullptr;
  }

  rules::CelExpressionCompiler compiler_;
  std::unique_ptr<webhooks::PeopleFile> people_;
};

TEST_F(EmailChannelTest, NotificationReachesEveryRecipient) {
  SmtpTestServer server;
  auto channel = Make(Config(server.Url()));
  StoredEvent event = Notification({{"recipients", {"user:ada", "ops@example.org", "user:grace"}},
                                    {"message", "Task T-7 is overdue\nPlease look at it."},
                                    {"channel", "email"}});
  auto prepared = channel->Prepare(event);
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  ASSERT_TRUE(prepared->has_value());
  const OutboundMessage& message = **prepared;
  ASSERT_TRUE(message.mail.has_value());
  EXPECT_FALSE(message.http.has_value());

  auto result = channel->Send(event, message);
  EXPECT_EQ(result.outcome, TryOutcome::kDelivered) << result.detail;
  ASSERT_TRUE(server.WaitForMessages(1, 10s));
  ReceivedMail mail = server.Messages().at(0);
  EXPECT_EQ(mail.mail_from, "keel@example.com");
  EXPECT_EQ(mail.rcpt_to, (std::vector<std::string>{"ada@example.com", "ops@example.org", "grace@example.com"}));
  // The default subject is the message's first line; the date is the
  // event's time (2026-03-02 was a Monday), never the wall clock.
  EXPECT_EQ(mail.data,
            "Date: Mon, 02 Mar 2026 09:00:00 +0000\r\n"
            "From: keel@example.com\r\n"
            "To: ada@example.com,\r\n"
            " ops@example.org,\r\n"
            " grace@example.com\r\n"
            "Subject: Task T-7 is overdue\r\n"
            "Message-ID: <n-1@keel>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n"
            "\r\n"
            "Task T-7 is overdue\r\n"
            "Please look at it.\r\n");
}

TEST_F(EmailChannelTest, TemplatesRenderOverTheEvent) {
  SmtpTestServer server;
  EmailChannelConfig config = Config(server.Url());
  config.subject = "[{{ event.workspace }}] {{ event.subject }}: Fällig #{{ event.seq }}";
  config.text = "{{ event.data.message }} (about {{ event.data.about }})";
  auto channel = Make(config);
  StoredEvent event = Notification({{"recipients", {"user:ada"}}, {"message", "Due today"}, {"about", "task/T-7"}});
  auto prepared = channel->Prepare(event);
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  const sinks::MailMessage& mail = *(*prepared)->mail;
  EXPECT_EQ(mail.subject, "[acme] task/T-7: Fällig #12");
  EXPECT_EQ(mail.text, "Due today (about task/T-7)");
  EXPECT_EQ(mail.to, std::vector<std::string>{"ada@example.com"});
  EXPECT_EQ(mail.message_id, "<n-1@keel>");
  EXPECT_EQ(channel->Send(event, **prepared).outcome, TryOutcome::kDelivered);
  ASSERT_TRUE(server.WaitForMessages(1, 10s));
  // "Fällig" is not ASCII: the subject travels RFC 2047-encoded.
  EXPECT_NE(server.Messages().at(0).data.find("Subject: =?UTF-8?B?W2FjbWVdIHRhc2svVC03OiBGw6RsbGlnICMxMg==?=\r\n"),
            std::string::npos)
      << server.Messages().at(0).data;
}

TEST_F(EmailChannelTest, DefaultSubjectIsCutAt78Characters) {
  auto channel = Make(Config());
  std::string long_line;
  for (int i = 0; i < 100; ++i) long_line += "é";
  auto prepared = channel->Prepare(Notification({{"recipients", {"user:ada"}}, {"message", long_line}}));
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  std::string expected;
  for (int i = 0; i < 78; ++i) expected += "é";
  EXPECT_EQ((*prepared)->mail->subject, expected);
}

TEST_F(EmailChannelTest, NotificationForAnotherChannelIsNotMailed) {
  auto channel = Make(Config());
  auto prepared = channel->Prepare(
      Notification({{"recipients", {"user:ada"}}, {"message", "hi"}, {"channel", "slack:#ops"}}));
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  EXPECT_FALSE(prepared->has_value());
}

TEST_F(EmailChannelTest, RecipientsWithoutAnAddressAreNamed) {
  auto channel = Make(Config());
  auto error = [&](nlohmann::json recipients, std::string workspace = "acme") {
    StoredEvent event;
    EventSpec spec;
    spec.id = "n-1";
    spec.type = "notification.requested";
    spec.workspace = workspace;
    spec.data = {{"recipients", recipients}, {"message", "hi"}};
    event.event = MakeEvent(spec);
    auto prepared = channel->Prepare(event);
    EXPECT_FALSE(prepared.ok());
    return prepared.status().message();
  };
  EXPECT_EQ(error({"user:ada", "user:nobody"}), "recipient user:nobody is not in the people file of workspace acme");
  EXPECT_EQ(error({"user:nomail"}), "recipient user:nomail has no email in the people file of workspace acme");
  EXPECT_EQ(error({"team:ops"}), "recipient team:ops is neither user:ID nor a mail address");
  EXPECT_EQ(error({"user:ada"}, "globex"), "recipient user:ada: workspace globex has no people file");
}

TEST_F(EmailChannelTest, SameAddressIsMailedOnce) {
  auto channel = Make(Config());
  auto prepared = channel->Prepare(Notification({{"recipients", {"user:ada", "ada@example.com"}}, {"message", "hi"}}));
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  EXPECT_EQ((*prepared)->mail->to, std::vector<std::string>{"ada@example.com"});
}

TEST_F(EmailChannelTest, FailingTemplateIsAPrepareError) {
  EmailChannelConfig config = Config();
  config.subject = "{{ event.data.missing_field }}";
  auto channel = Make(config);
  auto prepared = channel->Prepare(Notification({{"recipients", {"user:ada"}}, {"message", "hi"}}));
  ASSERT_FALSE(prepared.ok());
  EXPECT_EQ(prepared.status().message().rfind("subject: ", 0), 0u) << prepared.status().message();
}

TEST_F(EmailChannelTest, BadConfigIsRefusedAtCreate) {
  EmailChannelConfig config = Config();
  config.text = "{{ event.data.message";
  auto bad_template = EmailChannel::Create(config, compiler_);
  ASSERT_FALSE(bad_template.ok());
  EXPECT_EQ(bad_template.status().message().rfind("text: 1:", 0), 0u) << bad_template.status().message();
  config = Config();
  config.from = "not an address";
  auto bad_from = EmailChannel::Create(config, compiler_);
  ASSERT_FALSE(bad_from.ok());
  EXPECT_EQ(bad_from.status().message().rfind("from: ", 0), 0u) << bad_from.status().message();
  config = Config();
  config.smtp.url = "http://mail.example.com";
  EXPECT_EQ(EmailChannel::Create(config, compiler_).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(EmailChannelTest, ReplyCodesBecomeOutcomes) {
  StoredEvent event = Notification({{"recipients", {"user:ada"}}, {"message", "hi"}});
  {
    SmtpTestServerOptions options;
    options.data_reply = "452 4.3.1 Insufficient system storage";
    SmtpTestServer server(options);
    auto channel = Make(Config(server.Url()));
    auto result = channel->Send(event, **channel->Prepare(event));
    EXPECT_EQ(result.outcome, TryOutcome::kRetry);
    EXPECT_EQ(result.detail, "SMTP 452: 4.3.1 Insufficient system storage");
  }
  {
    SmtpTestServerOptions options;
    options.rcpt_replies = {{"ada@example.com", "550 5.1.1 Mailbox unavailable"}};
    SmtpTestServer server(options);
    auto channel = Make(Config(server.Url()));
    auto result = channel->Send(event, **channel->Prepare(event));
    EXPECT_EQ(result.outcome, TryOutcome::kPermanent);
    EXPECT_EQ(result.detail, "SMTP 550: 5.1.1 Mailbox unavailable");
  }
  {
    EmailChannelConfig config;
    {
      SmtpTestServer gone;
      config = Config(gone.Url());
    }  // nothing listens there now
    auto channel = Make(config);
    auto result = channel->Send(event, **channel->Prepare(event));
    EXPECT_EQ(result.outcome, TryOutcome::kRetry);
    EXPECT_EQ(result.detail.rfind("connect to smtp://127.0.0.1:", 0), 0u) << result.detail;
  }
}

TEST(MessageIdTest, EventIdIsKeptReadable) {
  EXPECT_EQ(sinks::MessageIdOf("n-1"), "<n-1@keel>");
  EXPECT_EQ(sinks::MessageIdOf("a b<c>@d"), "<a%20b%3Cc%3E%40d@keel>");
}

}  // namespace
}  // namespace keel::testing
