#include "connectors/sinks/mail_text.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>

namespace keel::sinks {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";
constexpr size_t kMaxQuotedLine = 76;   // RFC 2045: encoded lines at most 76 characters
constexpr size_t kMaxHeaderLine = 78;   // RFC 5322: lines SHOULD be at most 78
constexpr size_t kMaxEncodedWord = 75;  // RFC 2047: an encoded-word at most 75

bool HasLineBreakOrNul(std::string_view text) { return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos; }

bool IsPrintableAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t chunk = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) chunk |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) chunk |= static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

// Where the UTF-8 character that starts at or before `at` begins: a cut
// there never splits one.
size_t CharacterStart(std::string_view text, size_t at) {
  while (at > 0 && at < text.size() && (static_cast<uint8_t>(text[at]) & 0xC0) == 0x80) --at;
  return at;
}

// Folds printable ASCII at spaces so lines stay near 78 characters; a word
// longer than a line stays whole (RFC 5322 allows up to 998).
std::string FoldAtSpaces(std::string_view text, size_t first_line_room) {
  std::string out;
  size_t room = first_line_room;
  size_t line_length = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t space = text.find(' ', start + 1);
    std::string_view word = text.substr(start, space == std::string_view::npos ? std::string_view::npos : space - start);
    if (line_length > 0 && line_length + word.size() > room) {
      out += "\r\n";  // the word's leading space begins the continuation line
      room = kMaxHeaderLine;
      line_length = 0;
    }
    out += word;
    line_length += word.size();
    start += word.size();
  }
  return out;
}

// RFC 2047 encoded-words (=?UTF-8?B?...?=) of `text`, each at most 75
// characters, one per folded line, never splitting a UTF-8 character.
std::string EncodedWords(std::string_view text) {
  constexpr std::string_view kOpen = "=?UTF-8?B?", kClose = "?=";
  // Each word holds at most 45 bytes: 60 base64 characters plus 12 around them.
  constexpr size_t kBytesPerWord = (kMaxEncodedWord - kOpen.size() - kClose.size()) / 4 * 3;
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.size(), start + kBytesPerWord);
    if (end < text.size()) end = std::max(start + 1, CharacterStart(text, end));
    if (!out.empty()) out += "\r\n ";
    out += kOpen;
    out += Base64(text.substr(start, end - start));
    out += kClose;
    start = end;
  }
  return out;
}

Status CheckHeaderField(std::string_view what, std::string_view value) {
  if (value.empty()) return Status::InvalidArgument("the mail has no " + std::string(what));
  if (HasLineBreakOrNul(value)) return Status::InvalidArgument("the mail's " + std::string(what) + " has a line break");
  return Status::OK();
}

}  // namespace

Result<std::string> EnvelopeAddress(std::string_view mailbox) {
  std::string_view address = mailbox;
  if (size_t open = mailbox.rfind('<'); open != std::string_view::npos && mailbox.ends_with('>')) {
    address = mailbox.substr(open + 1, mailbox.size() - open - 2);
  }
  size_t at = address.find('@');
  bool plain = !address.empty() && IsPrintableAscii(address) &&
               address.find_first_of(" <>,;\"()[]\\") == std::string_view::npos;
  if (!plain || at == std::string_view::npos || at == 0 || at + 1 == address.size()) {
    return Status::InvalidArgument("\"" + std::string(mailbox.substr(0, 200)) + "\" is not a mail address");
  }
  return std::string(address);
}

std::string EncodeSubject(std::string_view subject) {
  constexpr size_t kSubjectLabel = 9;  // "Subject: "
  // A literal "=?" could be taken for the start of an encoded-word.
  if (IsPrintableAscii(subject) && subject.find("=?") == std::string_view::npos) {
    return FoldAtSpaces(subject, kMaxHeaderLine - kSubjectLabel);
  }
  return EncodedWords(subject);
}

std::string EncodeMailbox(std::string_view mailbox) {
  size_t open = mailbox.rfind('<');
  if (open == std::string_view::npos || !mailbox.ends_with('>')) return std::string(mailbox);  // a bare address
  std::string_view name = mailbox.substr(0, open);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
  std::string address(mailbox.substr(open));
  if (name.empty()) return address;
  if (!IsPrintableAscii(name) || name.find("=?") != std::string_view::npos) return EncodedWords(name) + " " + address;
  bool quoted = name.size() >= 2 && name.front() == '"' && name.back() == '"';
  if (quoted || name.find_first_of("()<>[]:;@\\,.\"") == std::string_view::npos) return std::string(name) + " " + address;
  // A comma or another special would end the name early: a quoted-string.
  std::string out = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\" " + address;
}

std::string QuotedPrintable(std::string_view text) {
  std::string out;
  size_t line_length = 0;
  auto put = [&](std::string_view piece, bool is_last_on_line) {
    // Room for a soft break's '=' unless this piece ends the line.
    size_t limit = is_last_on_line ? kMaxQuotedLine : kMaxQuotedLine - 1;
    if (line_length + piece.size() > limit) {
      out += "=\r\n";
      line_length = 0;
    }
    out += piece;
    line_length += piece.size();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;  // the '\n' makes the break
    if (c == '\n') {
      out += "\r\n";
      line_length = 0;
      continue;
    }
    bool ends_line = i + 1 == text.size() || text[i + 1] == '\n' || (text[i + 1] == '\r' && i + 2 < text.size() && text[i + 2] == '\n');
    bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !ends_line);
    if (literal) {
      put(std::string_view(&c, 1), ends_line);
    } else {
      uint8_t byte = static_cast<uint8_t>(c);
      char escaped[3] = {'=', kHex[byte >> 4], kHex[byte & 15]};
      put(std::string_view(escaped, 3), ends_line);
    }
  }
  return out;
}

std::string Rfc5322Date(std::chrono::system_clock::time_point time) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto days = std::chrono::floor<std::chrono::days>(time);
  std::chrono::year_month_day date(days);
  std::chrono::hh_mm_ss clock(std::chrono::floor<std::chrono::seconds>(time - days));
  std::chrono::weekday weekday(days);
  char text[40];
  std::snprintf(text, sizeof(text), "%s, %02u %s %04d %02d:%02d:%02d +0000", kDays[weekday.c_encoding()],
                static_cast<unsigned>(date.day()), kMonths[static_cast<unsigned>(date.month()) - 1],
                static_cast<int>(date.year()), static_cast<int>(clock.hours().count()),
                static_cast<int>(clock.minutes().count()), static_cast<int>(clock.seconds().count()));
  return text;
}

Result<std::string> BuildMailText(const MailMessage& message) {
  if (message.to.empty()) return Status::InvalidArgument("the mail has no recipient");
  KEEL_RETURN_IF_ERROR(CheckHeaderField("From", message.from));
  KEEL_RETURN_IF_ERROR(EnvelopeAddress(message.from).status());
  for (const std::string& to : message.to) {
    KEEL_RETURN_IF_ERROR(CheckHeaderField("To", to));
    KEEL_RETURN_IF_ERROR(EnvelopeAddress(to).status());
  }
  KEEL_RETURN_IF_ERROR(CheckHeaderField("Date", message.date));
  KEEL_RETURN_IF_ERROR(CheckHeaderField("Message-ID", message.message_id));
  std::string text = "Date: " + message.date + "\r\nFrom: " + EncodeMailbox(message.from) + "\r\nTo: ";
  for (size_t i = 0; i < message.to.size(); ++i) text += (i == 0 ? "" : ",\r\n ") + EncodeMailbox(message.to[i]);
  text += "\r\nSubject: " + EncodeSubject(message.subject);
  text += "\r\nMessage-ID: " + message.message_id;
  text += "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
          "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  text += QuotedPrintable(message.text);
  if (!text.ends_with("\r\n")) text += "\r\n";
  return text;
}

}  // namespace keel::sinks
