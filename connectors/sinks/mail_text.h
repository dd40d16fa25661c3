// The text of a mail as it goes over SMTP (RFC 5322, MIME RFC 2045-2047):
// headers, a UTF-8 plain-text body in quoted-printable, CRLF line ends.
// Dot-stuffing is the SMTP client's (libcurl's) job, not this one's.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "connectors/sinks/delivery.h"
#include "engine/status.h"

namespace keel::sinks {

// The whole message: Date, From, To, Subject, Message-ID, MIME-Version,
// Content-Type: text/plain; charset=utf-8, Content-Transfer-Encoding:
// quoted-printable, a blank line, the body. InvalidArgument when a field
// could smuggle a header or break the envelope (a line break in an address,
// the date or the Message-ID; an address without '@'; no recipient).
Result<std::string> BuildMailText(const MailMessage& message);

// The address of `mailbox` for the envelope: "a@b" as is, or the part in
// angle brackets of "Name <a@b>". InvalidArgument when it is neither.
Result<std::string> EnvelopeAddress(std::string_view mailbox);

// The Subject header's value: as is when it is printable ASCII, folded at
// spaces past 78 characters a line; else RFC 2047 encoded-words
// (=?UTF-8?B?...?=), each at most 75 characters, one per folded line, never
// splitting a UTF-8 character.
std::string EncodeSubject(std::string_view subject);

// A From or To mailbox as a header shows it: a bare address as is; in
// "Name <a@b>", a name that is not printable ASCII becomes RFC 2047
// encoded-words, and one with a comma or another special is quoted.
std::string EncodeMailbox(std::string_view mailbox);

// The body as quoted-printable (RFC 2045, section 6.7): line ends made CRLF,
// lines at most 76 characters (soft breaks "=" CRLF), '=' and bytes outside
// printable ASCII as =XX, a space or tab at a line's end as =20 or =09.
std::string QuotedPrintable(std::string_view text);

// "Mon, 07 Dec 2026 21:05:25 +0000": an RFC 5322 date-time in UTC.
std::string Rfc5322Date(std::chrono::system_clock::time_point time);

}  // namespace keel::sinks
