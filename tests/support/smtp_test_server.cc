#include "tests/support/smtp_test_server.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/self_signed_certificate.h"
#include "tests/support/spawned_process.h"
#include "tests/support/temp_dir.h"

namespace keel::testing {
namespace {

namespace fs = std::filesystem;

// Debian's interpreter, which has python3-aiosmtpd (one on PATH, e.g. a
// pyenv shim, may not).
constexpr const char* kPython = "/usr/bin/python3";

// The server: aiosmtpd's SMTP protocol on an asyncio server bound to port 0,
// whose port it writes to a file once it listens. Each accepted mail becomes
// NNNNNN.eml (the raw message) and then NNNNNN.json (the envelope; written
// beside, then renamed, so a reader never sees half of it).
constexpr const char* kServerScript = R"PY(
import asyncio, json, os, ssl, sys
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

config = json.load(open(sys.argv[1]))
folder = config["folder"]
accepted = 0


def write_atomically(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = config["rcpt_replies"].get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        global accepted
        if config["data_reply"]:
            return config["data_reply"]
        accepted += 1
        login = session.login_data.decode() if isinstance(session.login_data, bytes) else (session.login_data or "")
        record = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                  "over_tls": server.transport.get_extra_info("ssl_object") is not None, "login": login}
        with open(os.path.join(folder, "%06d.eml" % accepted), "wb") as f:
            f.write(envelope.original_content)
        write_atomically(os.path.join(folder, "%06d.json" % accepted), json.dumps(record))
        return "250 2.0.0 Ok: queued as %d" % accepted


def authenticate(server, session, envelope, mechanism, auth_data):
    good = (isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == config["username"]
            and auth_data.password.decode() == config["password"])
    # handled=False: aiosmtpd then answers a failure with 535 itself.
    return AuthResult(success=good, handled=False, auth_data=auth_data if good else None)


async def main():
    context = None
    if config["security"] != "plain":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(config["cert"], config["key"])
    options = {"hostname": "keel-test", "decode_data": False}
    if config["security"] == "starttls":
        options.update(tls_context=context, require_starttls=True)
    if config["username"]:
        # Over plain or implicit TLS aiosmtpd's own TLS check would refuse
        # AUTH: it counts only STARTTLS.
        options.update(authenticator=authenticate, auth_required=True,
                       auth_require_tls=config["security"] == "starttls")
    else:
        options.update(auth_require_tls=False)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Handler(), **options), "127.0.0.1", 0,
                                      ssl=context if config["security"] == "implicit" else None)
    port = server.sockets[0].getsockname()[1]
    write_atomically(config["port_file"], str(port))
    await asyncio.Event().wait()


asyncio.run(main())
)PY";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

const char* SecurityName(SmtpSecurity security) {
  switch (security) {
    case SmtpSecurity::kPlain: return "plain";
    case SmtpSecurity::kStartTls: return "starttls";
    case SmtpSecurity::kImplicit: return "implicit";
  }
  return "plain";
}

}  // namespace

SmtpTestServer::SmtpTestServer(SmtpTestServerOptions options)
    : security_(options.security), dir_(std::make_unique<TempDir>()) {
  fs::create_directories(*dir_ / "mail");
  if (security_ != SmtpSecurity::kPlain) MakeSelfSignedCertificate(dir_->path());
  WriteConfig(options);
  WriteFile(*dir_ / "server.py", kServerScript);
  child_ = std::make_unique<SpawnedProcess>(
      std::vector<std::string>{kPython, (*dir_ / "server.py").string(), (*dir_ / "config.json").string()},
      *dir_ / "stdout", *dir_ / "stderr");
  WaitUntilListening();
}

SmtpTestServer::~SmtpTestServer() = default;  // SpawnedProcess kills the child, TempDir removes the folder

std::string SmtpTestServer::Url() const {
  return std::string(security_ == SmtpSecurity::kImplicit ? "smtps" : "smtp") + "://127.0.0.1:" + std::to_string(port_);
}

std::string SmtpTestServer::CertificateFile() const {
  return security_ == SmtpSecurity::kPlain ? "" : (*dir_ / "cert.pem").string();
}

void SmtpTestServer::WriteConfig(const SmtpTestServerOptions& options) const {
  nlohmann::json config = {
      {"folder", (*dir_ / "mail").string()},
      {"port_file", (*dir_ / "port").string()},
      {"security", SecurityName(options.security)},
      {"cert", (*dir_ / "cert.pem").string()},
      {"key", (*dir_ / "key.pem").string()},
      {"username", options.username},
      {"password", options.password},
      {"rcpt_replies", options.rcpt_replies},
      {"data_reply", options.data_reply},
  };
  WriteFile(*dir_ / "config.json", config.dump());
}

void SmtpTestServer::WaitUntilListening() {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!fs::exists(*dir_ / "port")) {
    if (child_->Poll() || std::chrono::steady_clock::now() > deadline) {
      child_->Kill();
      throw std::runtime_error("SmtpTestServer: the server did not start: " + ReadFile(*dir_ / "stderr"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  port_ = std::stoi(ReadFile(*dir_ / "port"));
}

std::vector<ReceivedMail> SmtpTestServer::Messages() const {
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(*dir_ / "mail")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());  // zero-padded numbers: the order of arrival
  std::vector<ReceivedMail> mails;
  for (const fs::path& file : files) {
    nlohmann::json record = nlohmann::json::parse(ReadFile(file));
    ReceivedMail mail;
    mail.mail_from = record["mail_from"].get<std::string>();
    mail.rcpt_to = record["rcpt_tos"].get<std::vector<std::string>>();
    mail.data = ReadFile(fs::path(file).replace_extension(".eml"));
    mail.over_tls = record["over_tls"].get<bool>();
    mail.login = record["login"].get<std::string>();
    mails.push_back(std::move(mail));
  }
  return mails;
}

bool SmtpTestServer::WaitForMessages(size_t count, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Messages().size() < count) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace keel::testing
