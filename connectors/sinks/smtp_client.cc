// SmtpClient with libcurl's easy interface: a fresh easy handle per mail
// (mail is rare next to webhooks; a kept connection would only go stale).
// The server's replies come through libcurl's debug callback, which is the
// only place they appear: libcurl's own messages give the code at most.
#include "connectors/sinks/smtp_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

#include "connectors/http/curl_common.h"
#include "connectors/sinks/mail_text.h"

namespace keel::sinks {
namespace {

constexpr size_t kMaxReplyText = 512;

// The mail going out, read by libcurl in pieces.
struct Upload {
  std::string text;
  size_t sent = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  size_t bytes = std::min(size * count, upload->text.size() - upload->sent);
  std::memcpy(buffer, upload->text.data() + upload->sent, bytes);
  upload->sent += bytes;
  return bytes;
}

// The server's latest reply lines (a refusal is often followed by the
// answer to QUIT). Only what the server sent is looked at
// (CURLINFO_HEADER_IN): what keel sends, the AUTH exchange among it, never
// leaves libcurl.
struct Replies {
  static constexpr size_t kKept = 8;
  std::vector<std::string> lines;

  // The latest line with `code`, without it: "5.1.1 No such user".
  std::string TextOf(int code) const {
    std::string prefix = std::to_string(code);
    for (auto line = lines.rbegin(); line != lines.rend(); ++line) {
      if (!line->starts_with(prefix)) continue;
      std::string text = line->substr(prefix.size());
      while (!text.empty() && (text.front() == ' ' || text.front() == '-')) text.erase(0, 1);
      return text;
    }
    return "";
  }
};

int OnDebug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN) return 0;
  auto* replies = static_cast<Replies*>(user);
  std::string_view text(data, size);
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    if (!line.empty()) {
      if (replies->lines.size() == Replies::kKept) replies->lines.erase(replies->lines.begin());
      replies->lines.emplace_back(line.substr(0, kMaxReplyText));
    }
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return 0;
}

struct CurlList {
  curl_slist* list = nullptr;
  ~CurlList() { curl_slist_free_all(list); }
  void Add(const std::string& line) {
    if (curl_slist* grown = curl_slist_append(list, line.c_str())) list = grown;
  }
};

SmtpResult Refused(std::string detail) {
  SmtpResult result;
  result.detail = std::move(detail);
  return result;
}

class CurlSmtpClient final : public SmtpClient {
 public:
  explicit CurlSmtpClient(SmtpOptions options, bool implicit_tls)
      : options_(std::move(options)), implicit_tls_(implicit_tls), origin_(http::UrlOrigin(options_.url)) {}

  SmtpResult Send(const MailMessage& message) const override {
    Result<std::string> text = BuildMailText(message);
    if (!text.ok()) return Refused(text.status().message());
    Result<std::string> from = EnvelopeAddress(message.from);
    if (!from.ok()) return Refused(from.status().message());
    CurlList recipients;
    for (const std::string& to : message.to) {
      Result<std::string> address = EnvelopeAddress(to);
      if (!address.ok()) return Refused(address.status().message());
      recipients.Add("<" + *address + ">");
    }
    CURL* handle = curl_easy_init();
    if (handle == nullptr) return Refused("libcurl: cannot make an easy handle");
    Upload upload{std::move(text).value()};
    Replies replies;
    char error[CURL_ERROR_SIZE] = {0};
    SetOptions(handle, "<" + *from + ">", recipients.list, upload, replies, error);
    CURLcode code = curl_easy_perform(handle);
    long reply_code = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply_code);
    curl_easy_cleanup(handle);
    return Outcome(code, static_cast<int>(reply_code), replies, error);
  }

 private:
  void SetOptions(CURL* handle, const std::string& from, curl_slist* recipients, Upload& upload,
                  Replies& replies, char* error) const {
    curl_easy_setopt(handle, CURLOPT_URL, options_.url.c_str());
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    // smtps:// is TLS from the start; smtp:// upgrades with STARTTLS, and
    // CURLUSESSL_ALL gives up rather than send in the clear.
    long tls = implicit_tls_ || options_.starttls ? CURLUSESSL_ALL : CURLUSESSL_NONE;
    curl_easy_setopt(handle, CURLOPT_USE_SSL, tls);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (!options_.ca_file.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, options_.ca_file.c_str());
    if (!options_.username.empty()) {
      curl_easy_setopt(handle, CURLOPT_USERNAME, options_.username.c_str());
      curl_easy_setopt(handle, CURLOPT_PASSWORD, options_.password.c_str());
    }
    curl_easy_setopt(handle, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(handle, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(handle, CURLOPT_READFUNCTION, ReadUpload);
    curl_easy_setopt(handle, CURLOPT_READDATA, &upload);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(handle, CURLOPT_VERBOSE, 1L);  // feeds OnDebug; nothing is printed
    curl_easy_setopt(handle, CURLOPT_DEBUGFUNCTION, OnDebug);
    curl_easy_setopt(handle, CURLOPT_DEBUGDATA, &replies);
  }

  SmtpResult Outcome(CURLcode code, int reply_code, const Replies& replies, const char* error) const {
    SmtpResult result;
    if (code == CURLE_OK) {
      result.delivered = true;
      result.reply_code = reply_code;
      return result;
    }
    // A code below 400 is the last good reply before libcurl itself gave up
    // (no STARTTLS offered, a TLS or connection failure): no refusal.
    if (reply_code >= 400 && reply_code < 600) {
      result.reply_code = reply_code;
      std::string text = replies.TextOf(reply_code);
      result.detail = "SMTP " + std::to_string(reply_code) + ": " + (text.empty() ? std::string(error) : text);
      return result;
    }
    std::string what = error[0] != '\0' ? error : curl_easy_strerror(code);
    if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST) {
      result.detail = "connect to " + origin_ + ": " + what;
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
      result.detail = origin_ + ": timed out (" + what + ")";
    } else {
      result.detail = origin_ + ": " + what;
    }
    return result;
  }

  SmtpOptions options_;
  bool implicit_tls_;
  std::string origin_;
};

}  // namespace

Result<std::unique_ptr<SmtpClient>> SmtpClient::Create(SmtpOptions options) {
  KEEL_ASSIGN_OR_RETURN(std::string scheme, http::UrlScheme(options.url));
  if (scheme != "smtp" && scheme != "smtps") {
    return Status::InvalidArgument("the SMTP URL has scheme \"" + scheme + "\"; it must be smtp:// or smtps://");
  }
  if (options.connect_timeout.count() <= 0 || options.timeout.count() <= 0) {
    return Status::InvalidArgument("SMTP client timeouts must be positive");
  }
  KEEL_RETURN_IF_ERROR(http::InitCurlOnce());
  bool implicit_tls = scheme == "smtps";
  return std::unique_ptr<SmtpClient>(new CurlSmtpClient(std::move(options), implicit_tls));
}

}  // namespace keel::sinks
