// The text of a mail (RFC 5322 headers, RFC 2047 subjects, RFC 2045
// quoted-printable), with expected outputs written from those RFCs.
#include "connectors/sinks/mail_text.h"

#include <gtest/gtest.h>

namespace keel::testing {
namespace {

using sinks::BuildMailText;
using sinks::EncodeMailbox;
using sinks::EncodeSubject;
using sinks::EnvelopeAddress;
using sinks::MailMessage;
using sinks::QuotedPrintable;
using sinks::Rfc5322Date;

TEST(MailTextTest, AsciiSubjectStaysAsItIs) {
  EXPECT_EQ(EncodeSubject("Task T-1 is overdue"), "Task T-1 is overdue");
  EXPECT_EQ(EncodeSubject(""), "");
}

TEST(MailTextTest, LongAsciiSubjectIsFoldedAtSpaces) {
  // 69 characters fit after "Subject: " on the first line.
  std::string first(60, 'a'), second(30, 'b'), third(10, 'c');
  EXPECT_EQ(EncodeSubject(first + " " + second + " " + third), first + "\r\n " + second + " " + third);
}

TEST(MailTextTest, NonAsciiSubjectIsAnEncodedWord) {
  EXPECT_EQ(EncodeSubject("Grüße"), "=?UTF-8?B?R3LDvMOfZQ==?=");
  EXPECT_EQ(EncodeSubject("Réunion à 10 h"), "=?UTF-8?B?UsOpdW5pb24gw6AgMTAgaA==?=");
  // Text that looks like an encoded-word is encoded, so it is read as written.
  EXPECT_EQ(EncodeSubject("=?x?="), "=?UTF-8?B?PT94Pz0=?=");
}

TEST(MailTextTest, LongNonAsciiSubjectIsSplitBetweenCharacters) {
  // 30 two-byte characters: 45 bytes fit in a word, but the 45th is the
  // first half of a character, so the first word takes 22 characters.
  std::string subject;
  for (int i = 0; i < 30; ++i) subject += "é";
  EXPECT_EQ(EncodeSubject(subject),
            "=?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6k=?=\r\n"
            " =?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqQ==?=");
}

TEST(MailTextTest, QuotedPrintableEscapesWhatIsNotPlainAscii) {
  EXPECT_EQ(QuotedPrintable("a=b"), "a=3Db");
  EXPECT_EQ(QuotedPrintable("naïve"), "na=C3=AFve");
  EXPECT_EQ(QuotedPrintable("tab\there"), "tab\there");
  // A space or tab that ends a line would be lost in transit: escaped.
  EXPECT_EQ(QuotedPrintable("end \nnext\t"), "end=20\r\nnext=09");
}

TEST(MailTextTest, QuotedPrintableMakesLineEndsCrlf) {
  EXPECT_EQ(QuotedPrintable("one\ntwo\r\nthree\n"), "one\r\ntwo\r\nthree\r\n");
  EXPECT_EQ(QuotedPrintable("lone\rcr"), "lone=0Dcr");
}

TEST(MailTextTest, QuotedPrintableBreaksLongLinesSoftly) {
  EXPECT_EQ(QuotedPrintable(std::string(76, 'x')), std::string(76, 'x'));  // 76 is allowed
  EXPECT_EQ(QuotedPrintable(std::string(100, 'x')), std::string(75, 'x') + "=\r\n" + std::string(25, 'x'));
  // An escape is never cut: =C3 would end at column 77, so it moves down.
  EXPECT_EQ(QuotedPrintable(std::string(74, 'x') + "é"), std::string(74, 'x') + "=\r\n=C3=A9");
}

TEST(MailTextTest, DateIsRfc5322InUtc) {
  // 784111777 s after the epoch: Sunday 6 November 1994, 08:49:37 UTC.
  EXPECT_EQ(Rfc5322Date(std::chrono::system_clock::time_point(std::chrono::seconds(784111777))),
            "Sun, 06 Nov 1994 08:49:37 +0000");
  EXPECT_EQ(Rfc5322Date(std::chrono::system_clock::time_point(std::chrono::milliseconds(1709164800500))),
            "Thu, 29 Feb 2024 00:00:00 +0000");
}

TEST(MailTextTest, EnvelopeAddressOfAMailbox) {
  EXPECT_EQ(*EnvelopeAddress("ops@example.com"), "ops@example.com");
  EXPECT_EQ(*EnvelopeAddress("Keel Alerts <keel@example.com>"), "keel@example.com");
  for (const char* bad : {"", "no-at-sign", "@example.com", "ops@", "two words@example.com", "a@b\r\nBcc: c@d"}) {
    EXPECT_EQ(EnvelopeAddress(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(MailTextTest, MailboxNamesAreEncodedOrQuotedWhenNeeded) {
  EXPECT_EQ(EncodeMailbox("ops@example.com"), "ops@example.com");
  EXPECT_EQ(EncodeMailbox("Keel Alerts <keel@example.com>"), "Keel Alerts <keel@example.com>");
  EXPECT_EQ(EncodeMailbox("Jörg Müller <j@example.com>"), "=?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <j@example.com>");
  // The comma would otherwise split the To list in two.
  EXPECT_EQ(EncodeMailbox("Doe, John <j@example.com>"), "\"Doe, John\" <j@example.com>");
  EXPECT_EQ(EncodeMailbox("\"Doe, John\" <j@example.com>"), "\"Doe, John\" <j@example.com>");
  EXPECT_EQ(EncodeMailbox("Say \"hi\", ok <j@example.com>"), "\"Say \\\"hi\\\", ok\" <j@example.com>");
  EXPECT_EQ(EncodeMailbox(" <j@example.com>"), "<j@example.com>");
}

MailMessage Sample() {
  MailMessage message;
  message.from = "keel@example.com";
  message.to = {"ada@example.com", "grace@example.com"};
  message.subject = "Grüße";
  message.text = "Line one\nnaïve = yes\n";
  message.message_id = "<e-42@keel>";
  message.date = "Sun, 06 Nov 1994 08:49:37 +0000";
  return message;
}

TEST(MailTextTest, WholeMessage) {
  auto text = BuildMailText(Sample());
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text,
            "Date: Sun, 06 Nov 1994 08:49:37 +0000\r\n"
            "From: keel@example.com\r\n"
            "To: ada@example.com,\r\n"
            " grace@example.com\r\n"
            "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n"
            "Message-ID: <e-42@keel>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n"
            "\r\n"
            "Line one\r\n"
            "na=C3=AFve =3D yes\r\n");
}

TEST(MailTextTest, FieldsThatCouldSmuggleHeadersAreRefused) {
  MailMessage message = Sample();
  message.to = {};
  EXPECT_EQ(BuildMailText(message).status().code(), StatusCode::kInvalidArgument);
  message = Sample();
  message.to.push_back("x@example.com\r\nBcc: spy@example.com");
  EXPECT_EQ(BuildMailText(message).status().code(), StatusCode::kInvalidArgument);
  message = Sample();
  message.message_id = "<a@keel>\r\nX-Evil: 1";
  EXPECT_EQ(BuildMailText(message).status().code(), StatusCode::kInvalidArgument);
  message = Sample();
  message.from = "";
  EXPECT_EQ(BuildMailText(message).status().code(), StatusCode::kInvalidArgument);
  // A line break in the subject is not refused: the subject is then encoded.
  message = Sample();
  message.subject = "two\r\nlines";
  auto text = BuildMailText(message);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("Subject: =?UTF-8?B?"), std::string::npos);
}

}  // namespace
}  // namespace keel::testing
