// SmtpClient: sends a MailMessage (delivery.h) to a mail server with
// libcurl's SMTP: smtp:// with STARTTLS required (unless the sink turned it
// off), or smtps:// (TLS from the first byte); AUTH with a user and password
// when given. One connection per mail. Safe for concurrent use.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "connectors/sinks/delivery.h"
#include "engine/status.h"

namespace keel::sinks {

struct SmtpOptions {
  std::string url;          // smtp://HOST[:PORT] or smtps://HOST[:PORT]
  bool starttls = true;     // smtp:// only: refuse to send unless the server takes STARTTLS
  std::string username;     // empty: no AUTH
  std::string password;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds timeout{60000};  // the whole mail, connect included
  bool verify_tls = true;
  std::string ca_file;      // empty: the system's certificates
};

// How one mail went.
struct SmtpResult {
  bool delivered = false;
  // The server's reply that refused the mail (421, 450, 535, 550, ...); 0
  // when there was none: the connection or TLS failed, or timed out.
  int reply_code = 0;
  // For people: "SMTP 550: 5.1.1 <x@example.com>: user unknown",
  // "connect to smtp://mail.example.com:587: ...". Never the password.
  std::string detail;
};

class SmtpClient {
 public:
  // InvalidArgument for a URL that is not smtp:// or smtps://, or timeouts
  // that are not positive.
  static Result<std::unique_ptr<SmtpClient>> Create(SmtpOptions options);
  virtual ~SmtpClient() = default;

  // Sends `message` to every one of its recipients: delivered only when the
  // server accepted all of them and the message. A message that cannot be
  // built (a line break in an address) is not delivered, with reply_code 0
  // and the reason in detail.
  virtual SmtpResult Send(const MailMessage& message) const = 0;
};

}  // namespace keel::sinks
