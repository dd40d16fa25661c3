// SmtpClient against a real SMTP server (aiosmtpd, tests/support/
// smtp_test_server.h): the mail as it arrives, STARTTLS, implicit TLS, AUTH,
// and how refusals and failures read.
#include "connectors/sinks/smtp_client.h"

#include <gtest/gtest.h>

#include "tests/support/smtp_test_server.h"

namespace keel::testing {
namespace {

using namespace std::chrono_literals;
using sinks::MailMessage;
using sinks::SmtpClient;
using sinks::SmtpOptions;
using sinks::SmtpResult;

MailMessage Sample() {
  MailMessage message;
  message.from = "keel@example.com";
  message.to = {"ada@example.com", "grace@example.com"};
  message.subject = "Réunion à 10 h";
  message.text = "Task T-7 is due.\n.hidden dot line\nnaïve = 1\n";
  message.message_id = "<e-7@keel>";
  message.date = "Sun, 06 Nov 1994 08:49:37 +0000";
  return message;
}

SmtpResult SendWith(SmtpOptions options, const MailMessage& message = Sample()) {
  auto client = SmtpClient::Create(std::move(options));
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  if (!client.ok()) return {};
  return (*client)->Send(message);
}

SmtpOptions PlainTo(const SmtpTestServer& server) {
  SmtpOptions options;
  options.url = server.Url();
  options.starttls = false;
  return options;
}

TEST(SmtpClientTest, MailArrivesWithEveryHeaderAndTheBody) {
  SmtpTestServer server;
  SmtpResult result = SendWith(PlainTo(server));
  ASSERT_TRUE(result.delivered) << result.detail;
  EXPECT_EQ(result.reply_code, 250);
  ASSERT_TRUE(server.WaitForMessages(1, 10s));
  ReceivedMail mail = server.Messages().at(0);
  EXPECT_EQ(mail.mail_from, "keel@example.com");
  EXPECT_EQ(mail.rcpt_to, (std::vector<std::string>{"ada@example.com", "grace@example.com"}));
  EXPECT_FALSE(mail.over_tls);
  // The line that starts with a dot went dot-stuffed and came back as written.
  EXPECT_EQ(mail.data,
            "Date: Sun, 06 Nov 1994 08:49:37 +0000\r\n"
            "From: keel@example.com\r\n"
            "To: ada@example.com,\r\n"
            " grace@example.com\r\n"
            "Subject: =?UTF-8?B?UsOpdW5pb24gw6AgMTAgaA==?=\r\n"
            "Message-ID: <e-7@keel>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n"
            "\r\n"
            "Task T-7 is due.\r\n"
            ".hidden dot line\r\n"
            "na=C3=AFve =3D 1\r\n");
}

TEST(SmtpClientTest, MailboxWithADisplayNameGoesToItsAddress) {
  SmtpTestServer server;
  MailMessage message = Sample();
  message.from = "Keel Alerts <keel@example.com>";
  message.to = {"Ada <ada@example.com>"};
  SmtpResult result = SendWith(PlainTo(server), message);
  ASSERT_TRUE(result.delivered) << result.detail;
  ReceivedMail mail = server.Messages().at(0);
  EXPECT_EQ(mail.mail_from, "keel@example.com");
  EXPECT_EQ(mail.rcpt_to, std::vector<std::string>{"ada@example.com"});
  EXPECT_NE(mail.data.find("From: Keel Alerts <keel@example.com>\r\n"), std::string::npos);
  EXPECT_NE(mail.data.find("To: Ada <ada@example.com>\r\n"), std::string::npos);
}

TEST(SmtpClientTest, RefusedRecipientIsAPermanentReply) {
  SmtpTestServerOptions options;
  options.rcpt_replies = {{"grace@example.com", "550 5.1.1 No such user"}};
  SmtpTestServer server(options);
  SmtpResult result = SendWith(PlainTo(server));
  EXPECT_FALSE(result.delivered);
  EXPECT_EQ(result.reply_code, 550);
  EXPECT_EQ(result.detail, "SMTP 550: 5.1.1 No such user");
  EXPECT_TRUE(server.Messages().empty());
}

TEST(SmtpClientTest, BusyServerIsATransientReply) {
  SmtpTestServerOptions options;
  options.data_reply = "451 4.3.0 Try again later";
  SmtpTestServer server(options);
  SmtpResult result = SendWith(PlainTo(server));
  EXPECT_FALSE(result.delivered);
  EXPECT_EQ(result.reply_code, 451);
  EXPECT_EQ(result.detail, "SMTP 451: 4.3.0 Try again later");
}

TEST(SmtpClientTest, AuthOverStartTls) {
  SmtpTestServerOptions options;
  options.security = SmtpSecurity::kStartTls;
  options.username = "keel";
  options.password = "s3cret-pass";
  SmtpTestServer server(options);
  SmtpOptions client;
  client.url = server.Url();  // smtp://: STARTTLS is required by default
  client.ca_file = server.CertificateFile();
  client.username = "keel";
  client.password = "s3cret-pass";
  SmtpResult result = SendWith(client);
  ASSERT_TRUE(result.delivered) << result.detail;
  ReceivedMail mail = server.Messages().at(0);
  EXPECT_TRUE(mail.over_tls);
  EXPECT_EQ(mail.login, "keel");

  client.password = "wrong-pass";
  SmtpResult refused = SendWith(client);
  EXPECT_FALSE(refused.delivered);
  EXPECT_EQ(refused.reply_code, 535);
  EXPECT_EQ(refused.detail.find("wrong-pass"), std::string::npos) << refused.detail;
}

TEST(SmtpClientTest, PlainServerIsRefusedWhileStartTlsIsRequired) {
  SmtpTestServer server;  // offers no STARTTLS
  SmtpOptions client;
  client.url = server.Url();
  SmtpResult result = SendWith(client);
  EXPECT_FALSE(result.delivered);
  EXPECT_EQ(result.reply_code, 0);
  EXPECT_NE(result.detail.find("smtp://127.0.0.1:" + std::to_string(server.port())), std::string::npos) << result.detail;
  EXPECT_TRUE(server.Messages().empty());
}

TEST(SmtpClientTest, AuthOverPlainSmtpWhenStartTlsIsOff) {
  SmtpTestServerOptions options;
  options.username = "keel";
  options.password = "pw";
  SmtpTestServer server(options);
  SmtpOptions client = PlainTo(server);
  client.username = "keel";
  client.password = "pw";
  SmtpResult result = SendWith(client);
  ASSERT_TRUE(result.delivered) << result.detail;
  EXPECT_EQ(server.Messages().at(0).login, "keel");
}

TEST(SmtpClientTest, ImplicitTls) {
  SmtpTestServerOptions options;
  options.security = SmtpSecurity::kImplicit;
  SmtpTestServer server(options);
  SmtpOptions client;
  client.url = server.Url();
  ASSERT_EQ(client.url.substr(0, 8), "smtps://");
  client.ca_file = server.CertificateFile();
  SmtpResult result = SendWith(client);
  ASSERT_TRUE(result.delivered) << result.detail;
  EXPECT_TRUE(server.Messages().at(0).over_tls);
}

TEST(SmtpClientTest, UntrustedCertificateIsRefusedUnlessVerifyingIsOff) {
  SmtpTestServerOptions options;
  options.security = SmtpSecurity::kStartTls;
  SmtpTestServer server(options);
  SmtpOptions client;
  client.url = server.Url();  // the self-signed certificate is in no trusted store
  SmtpResult refused = SendWith(client);
  EXPECT_FALSE(refused.delivered);
  EXPECT_EQ(refused.reply_code, 0);
  EXPECT_TRUE(server.Messages().empty());
  client.verify_tls = false;
  SmtpResult result = SendWith(client);
  EXPECT_TRUE(result.delivered) << result.detail;
}

TEST(SmtpClientTest, NoServerIsAConnectFailure) {
  std::string url;
  {
    SmtpTestServer gone;
    url = gone.Url();
  }  // the child is killed: nothing listens on its port now
  SmtpOptions client;
  client.url = url;
  client.starttls = false;
  SmtpResult result = SendWith(client);
  EXPECT_FALSE(result.delivered);
  EXPECT_EQ(result.reply_code, 0);
  EXPECT_EQ(result.detail.rfind("connect to " + url, 0), 0u) << result.detail;
}

TEST(SmtpClientTest, BadOptionsAndMessages) {
  SmtpOptions options;
  options.url = "https://mail.example.com";
  EXPECT_EQ(SmtpClient::Create(options).status().code(), StatusCode::kInvalidArgument);
  options.url = "smtp://127.0.0.1:1";
  options.timeout = 0ms;
  EXPECT_EQ(SmtpClient::Create(options).status().code(), StatusCode::kInvalidArgument);
  options.timeout = 1s;
  MailMessage message = Sample();
  message.to = {"not-an-address"};
  SmtpResult result = SendWith(options, message);
  EXPECT_FALSE(result.delivered);
  EXPECT_EQ(result.reply_code, 0);
  EXPECT_NE(result.detail.find("not-an-address"), std::string::npos) << result.detail;
}

}  // namespace
}  // namespace keel::testing
