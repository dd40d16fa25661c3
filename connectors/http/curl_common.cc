#include "connectors/http/curl_common.h"

#include <curl/curl.h>

#include <cctype>

namespace keel::http {
namespace {

// A URL parsed by libcurl, freed on scope exit.
class ParsedUrl {
 public:
  explicit ParsedUrl(const std::string& url) : handle_(curl_url()) {
    code_ = handle_ == nullptr ? CURLUE_OUT_OF_MEMORY : curl_url_set(handle_, CURLUPART_URL, url.c_str(), 0);
  }
  ~ParsedUrl() { curl_url_cleanup(handle_); }
  ParsedUrl(const ParsedUrl&) = delete;
  ParsedUrl& operator=(const ParsedUrl&) = delete;

  CURLUcode code() const { return code_; }
  // The part, or "" when it is missing.
  std::string Part(CURLUPart part, unsigned flags = 0) const {
    char* text = nullptr;
    if (code_ != CURLUE_OK || curl_url_get(handle_, part, &text, flags) != CURLUE_OK) return "";
    std::string out(text);
    curl_free(text);
    return out;
  }

 private:
  CURLU* handle_;
  CURLUcode code_;
};

}  // namespace

Status InitCurlOnce() {
  static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK) return Status::Internal(std::string("libcurl init: ") + curl_easy_strerror(code));
  return Status::OK();
}

Result<std::string> UrlScheme(const std::string& url) {
  ParsedUrl parsed(url);
  if (parsed.code() != CURLUE_OK) {
    return Status::InvalidArgument(std::string("the URL is malformed (") + curl_url_strerror(parsed.code()) + ")");
  }
  std::string scheme = parsed.Part(CURLUPART_SCHEME);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return scheme;
}

std::string UrlOrigin(const std::string& url) {
  ParsedUrl parsed(url);
  std::string scheme = parsed.Part(CURLUPART_SCHEME);
  std::string host = parsed.Part(CURLUPART_HOST);
  std::string port = parsed.Part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (scheme.empty() || host.empty()) return "the server";
  return scheme + "://" + host + (port.empty() ? "" : ":" + port);
}

}  // namespace keel::http
