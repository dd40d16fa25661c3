// keel's HTTP server: routes by method and exact path, each answered by a
// handler that gets the whole request (headers with lower-case names, the
// raw body) and returns the whole answer. Built on cpp-httplib, none of whose
// types or exceptions reach the caller. Limits protect the workers: a body
// limit (413 before any byte past it is read), a request-head limit (431), an
// idle timeout between reads, a deadline per request (a client that trickles
// its request is cut off there), a fixed pool of workers. Connections are
// kept alive between requests. The port is bound exclusively: a second
// server on it fails to start. An answer may instead be streamed (Server-Sent
// Events): it holds its worker while it runs, is written as it is produced,
// and ends when its producer returns, the client goes or the server stops.
//
// Thread safety: Route before Start; handlers run on the pool's workers, at
// most `workers` at once, and may block (e.g. until events are durable).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/status.h"

namespace keel::http {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-decoded, without the query
  std::string query;   // after '?', as sent (may be empty)
  // Names lower-cased; a header sent several times is joined with ", "
  // (RFC 9110, section 5.3).
  std::map<std::string, std::string> headers;
  std::string body;            // the raw bytes, as received
  std::string remote_address;  // "IP:PORT" of the client

  // The header's value, or "" when absent. `name` is lower-case.
  const std::string& Header(const std::string& name) const;
};

// What a streamed answer writes to.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  // Sends `text` now. False when the client is gone or the server stops:
  // the producer should return.
  virtual bool Write(std::string_view text) = 0;
  // The server is stopping: the producer should return soon (within a
  // second or so), without waiting for more to send.
  virtual bool stopping() const = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type and Content-Length
  // When set, the answer is streamed: `body` is ignored, the answer is sent
  // chunked, and `stream` writes it, without the request's deadline (each
  // write waits at most the idle timeout for the client). The connection
  // closes after it.
  std::function<void(StreamWriter&)> stream;

  static HttpResponse Text(int status, std::string body);
  static HttpResponse Json(int status, std::string body);
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerLimits {
  size_t max_body_bytes = 1 << 20;  // larger: 413, the body is not read
  size_t max_request_head = 16384;  // request line and headers; larger: 431
  // Longest wait for the next byte of a request, or to send a byte.
  std::chrono::milliseconds idle_timeout{5000};
  // From a request's first byte to the end of its answer, the handler's own
  // time included; past it the connection is closed.
  std::chrono::milliseconds request_deadline{30000};
  // How long a kept-alive connection may wait for its next request.
  std::chrono::milliseconds keep_alive_timeout{5000};
  size_t max_requests_per_connection = 1000;
  size_t workers = 8;                  // connections served at once
  size_t max_queued_connections = 64;  // accepted, waiting for a worker
};

class HttpServer {
 public:
  explicit HttpServer(HttpServerLimits limits = {});
  ~HttpServer();  // stops (Stop)
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Answers `method` on `path` (exact). GET, HEAD and DELETE routes take no
  // body; a request with one is refused (413).
  void Route(const std::string& method, const std::string& path, HttpHandler handler);
  // Answers `method` on every path that starts with `prefix` and has no
  // exact route; the longest matching prefix wins. Same rules on bodies.
  void RoutePrefix(const std::string& method, const std::string& prefix, HttpHandler handler);

  // Binds `address`:`port` (port 0: any free port, see port()) and serves on
  // threads of its own. The port is taken when this returns OK.
  Status Start(const std::string& address, int port);
  int port() const { return port_; }

  // Stops accepting, lets answers being written finish, closes every
  // connection, and joins the threads. Idempotent.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace keel::http
