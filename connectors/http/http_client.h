// HttpClient: the HTTP client the sinks send with (libcurl from Debian's
// packages). One request at a time per call, safe to call from several
// threads at once (each call uses its own easy handle, or one from a pool).
// TLS certificates are verified unless the options say otherwise; redirects
// are not followed (a sink's URL is exact, and a redirect could carry a
// signed request somewhere else).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/status.h"

namespace keel::http {

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds timeout{30000};       // the whole request, connect included
  size_t max_response_bytes = size_t{1} << 20;    // the rest of a longer body is dropped (not an error)
  bool verify_tls = true;
  std::string ca_file;                            // empty: the system's certificates
  std::string user_agent = "keel";
};

struct ClientRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
  std::string body;
  bool body_truncated = false;
};

class HttpClient {
 public:
  static Result<std::unique_ptr<HttpClient>> Create(HttpClientOptions options);
  virtual ~HttpClient() = default;

  // Sends `request` and reads the answer, whatever its status. A transport
  // failure is a Status naming it and never a secret (no header value, no
  // URL path or query, only SCHEME://HOST:PORT): IOError ("connect to
  // http://127.0.0.1:8080: ...", a TLS failure, "...: timed out (...)"),
  // InvalidArgument (a malformed URL, a scheme other than http(s), a header
  // value with a line break). A body past max_response_bytes ends the
  // transfer there: the answer is kept, cut, with body_truncated set.
  virtual Result<ClientResponse> Send(const ClientRequest& request) const = 0;
};

// The delay a Retry-After header value asks for: delay-seconds, or an
// HTTP-date taken relative to `now_unix_seconds`. nullopt when it is neither.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value, int64_t now_unix_seconds);

}  // namespace keel::http
