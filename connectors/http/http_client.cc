// HttpClient with libcurl's easy interface. Each Send takes an easy handle
// from a small pool (so connections to the same receiver are kept alive
// between sends), resets it, sets every option the request needs, and gives
// it back afterwards.
#include "connectors/http/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "connectors/http/curl_common.h"

namespace keel::http {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

// The answer as it arrives, filled by libcurl's callbacks.
struct Reception {
  size_t max_body_bytes = 0;
  ClientResponse response;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* reception = static_cast<Reception*>(user);
  size_t bytes = size * count;
  std::string& body = reception->response.body;
  size_t room = reception->max_body_bytes - std::min(reception->max_body_bytes, body.size());
  body.append(data, std::min(bytes, room));
  if (bytes <= room) return bytes;
  // Past the bound: stop reading (a short count ends the transfer with
  // CURLE_WRITE_ERROR, which Send takes as a cut answer, not a failure).
  reception->response.body_truncated = true;
  return 0;
}

size_t OnHeaderLine(char* data, size_t size, size_t count, void* user) {
  auto* reception = static_cast<Reception*>(user);
  size_t bytes = size * count;
  std::string_view line(data, bytes);
  auto& headers = reception->response.headers;
  if (line.starts_with("HTTP/")) {
    headers.clear();  // an interim answer (100 Continue) came first: keep the final one's
  } else if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
    if (!headers.empty()) headers.back().second += " " + std::string(Trim(line));  // obsolete line folding
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    headers.emplace_back(Lower(Trim(line.substr(0, colon))), std::string(Trim(line.substr(colon + 1))));
  }
  return bytes;
}

bool IsToken(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

bool HasHeader(const ClientRequest& request, std::string_view lower_name) {
  return std::any_of(request.headers.begin(), request.headers.end(),
                     [&](const auto& header) { return Lower(header.first) == lower_name; });
}

// The header lines as libcurl takes them. libcurl would add headers of its
// own (Accept, Expect: 100-continue, a form Content-Type for a body); an
// empty "Name:" line tells it not to, so the receiver gets what the channel
// built. A value is never put in an error message: it may be a secret.
struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
  bool Add(const std::string& line) {
    curl_slist* grown = curl_slist_append(list, line.c_str());
    if (grown == nullptr) return false;
    list = grown;
    return true;
  }
};

Status BuildHeaders(const ClientRequest& request, HeaderList& out) {
  for (const auto& [name, value] : request.headers) {
    if (!IsToken(name)) return Status::InvalidArgument("request header name \"" + name + "\" is not a valid token");
    if (value.find_first_of("\r\n", 0) != std::string::npos || value.find('\0') != std::string::npos) {
      return Status::InvalidArgument("request header " + name + " has a line break or NUL in its value");
    }
    // "Name;" is libcurl's way to send a header with an empty value.
    if (!out.Add(value.empty() ? name + ";" : name + ": " + value)) return Status::Internal("out of memory");
  }
  for (const char* suppressed : {"accept", "expect", "content-type"}) {
    if (!HasHeader(request, suppressed)) {
      std::string name(suppressed);
      name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
      if (!out.Add(name + ":")) return Status::Internal("out of memory");
    }
  }
  return Status::OK();
}

// The request URL must be an absolute http or https URL.
Status CheckUrl(const std::string& url) {
  Result<std::string> scheme = UrlScheme(url);
  if (!scheme.ok()) return scheme.status().WithContext("request");
  if (*scheme != "http" && *scheme != "https") {
    return Status::InvalidArgument("the request URL has scheme \"" + *scheme + "\"; only http and https are sent to");
  }
  return Status::OK();
}

Status TransferError(CURLcode code, const char* detail, const std::string& url) {
  std::string what = detail[0] != '\0' ? detail : curl_easy_strerror(code);
  std::string origin = UrlOrigin(url);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return Status::IOError(origin + ": timed out (" + what + ")");
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Status::InvalidArgument(origin + ": " + what);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
      return Status::IOError("connect to " + origin + ": " + what);
    default:
      return Status::IOError(origin + ": " + what);
  }
}

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(HttpClientOptions options) : options_(std::move(options)) {}
  ~CurlHttpClient() override {
    for (CURL* handle : idle_) curl_easy_cleanup(handle);
  }

  Result<ClientResponse> Send(const ClientRequest& request) const override {
    KEEL_RETURN_IF_ERROR(CheckUrl(request.url));
    HeaderList headers;
    KEEL_RETURN_IF_ERROR(BuildHeaders(request, headers));
    CURL* handle = Take();
    if (handle == nullptr) return Status::Internal("libcurl: cannot make an easy handle");
    Reception reception;
    reception.max_body_bytes = options_.max_response_bytes;
    char detail[CURL_ERROR_SIZE] = {0};
    SetOptions(handle, request, headers.list, reception, detail);
    CURLcode code = curl_easy_perform(handle);
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    Give(handle);
    if (code == CURLE_WRITE_ERROR && reception.response.body_truncated) code = CURLE_OK;
    if (code != CURLE_OK) return TransferError(code, detail, request.url);
    reception.response.status = static_cast<int>(status);
    return std::move(reception.response);
  }

 private:
  static constexpr size_t kMaxIdleHandles = 16;

  void SetOptions(CURL* handle, const ClientRequest& request, curl_slist* headers, Reception& reception,
                  char* detail) const {
    curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for resolver timeouts
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (!options_.ca_file.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(handle, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, detail);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &reception);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, OnHeaderLine);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &reception);
    SetMethodAndBody(handle, request);
  }

  static void SetMethodAndBody(CURL* handle, const ClientRequest& request) {
    const std::string& method = request.method;
    if (method == "GET" && request.body.empty()) {
      curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
      return;
    }
    if (method == "HEAD") {
      curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
      return;
    }
    // POST, PUT and PATCH always say their length (0 for no body); other
    // methods send a body only when there is one.
    bool sends_body = !request.body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
    if (sends_body) {
      curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
    }
    if (method != "POST" || !sends_body) curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method.c_str());
  }

  CURL* Take() const {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        CURL* handle = idle_.back();
        idle_.pop_back();
        return handle;
      }
    }
    return curl_easy_init();
  }

  void Give(CURL* handle) const {
    // Options back to defaults (none left pointing at this call's buffers);
    // the handle's kept-alive connections stay.
    curl_easy_reset(handle);
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < kMaxIdleHandles) {
      idle_.push_back(handle);
      return;
    }
    curl_easy_cleanup(handle);
  }

  HttpClientOptions options_;
  mutable std::mutex mu_;
  mutable std::vector<CURL*> idle_;  // guarded by mu_
};

}  // namespace

Result<std::unique_ptr<HttpClient>> HttpClient::Create(HttpClientOptions options) {
  if (options.connect_timeout.count() <= 0 || options.timeout.count() <= 0) {
    return Status::InvalidArgument("HTTP client timeouts must be positive");
  }
  if (options.max_response_bytes == 0) return Status::InvalidArgument("HTTP client max_response_bytes must be positive");
  KEEL_RETURN_IF_ERROR(InitCurlOnce());
  return std::unique_ptr<HttpClient>(new CurlHttpClient(std::move(options)));
}

}  // namespace keel::http
