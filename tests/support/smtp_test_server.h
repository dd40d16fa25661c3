// SmtpTestServer: a real SMTP server for the mail tests (Debian's
// python3-aiosmtpd, run as a child process on a free loopback port). It
// keeps every mail it accepts (envelope and raw message) and can offer
// STARTTLS or TLS from the start with a self-signed certificate made at
// start (self_signed_certificate.h), require AUTH, and refuse chosen recipients or
// every message with a reply the test gives. The child is killed when the
// server object goes.
//
// Thread safety: Messages and WaitForMessages may be called from any thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace keel::testing {

class SpawnedProcess;
class TempDir;

enum class SmtpSecurity {
  kPlain,     // no TLS offered
  kStartTls,  // STARTTLS offered and required before MAIL
  kImplicit,  // TLS from the first byte (smtps://)
};

struct SmtpTestServerOptions {
  SmtpSecurity security = SmtpSecurity::kPlain;
  // When set, AUTH (PLAIN, LOGIN) with these is required before MAIL; over
  // kPlain it is offered without TLS.
  std::string username;
  std::string password;
  // address -> the whole reply to its RCPT TO, e.g. "550 5.1.1 No such user".
  std::map<std::string, std::string> rcpt_replies;
  // When set, the reply to every message's end of DATA (nothing is kept).
  std::string data_reply;
};

struct ReceivedMail {
  std::string mail_from;            // MAIL FROM, without the angle brackets
  std::vector<std::string> rcpt_to;  // the accepted RCPT TO addresses
  std::string data;                 // the message as received, CRLF line ends, dot-stuffing undone
  bool over_tls = false;            // the mail came over TLS (STARTTLS or implicit)
  std::string login;                // the AUTH user, "" without AUTH
};

class SmtpTestServer {
 public:
  // Starts the child and waits until it listens (at most ~10 s). Throws
  // std::runtime_error (with the child's standard error) when it cannot.
  explicit SmtpTestServer(SmtpTestServerOptions options = {});
  ~SmtpTestServer();
  SmtpTestServer(const SmtpTestServer&) = delete;
  SmtpTestServer& operator=(const SmtpTestServer&) = delete;

  int port() const { return port_; }
  // "smtp://127.0.0.1:PORT" or, for kImplicit, "smtps://127.0.0.1:PORT".
  std::string Url() const;
  // The server's self-signed certificate (PEM), to trust as a ca_file; ""
  // for kPlain.
  std::string CertificateFile() const;

  // The mails accepted so far, in order of arrival.
  std::vector<ReceivedMail> Messages() const;
  // Waits until at least `count` mails were accepted; false after `timeout`.
  bool WaitForMessages(size_t count, std::chrono::milliseconds timeout) const;

 private:
  void WriteConfig(const SmtpTestServerOptions& options) const;
  void WaitUntilListening();

  SmtpSecurity security_;
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<SpawnedProcess> child_;
  int port_ = 0;
};

}  // namespace keel::testing
