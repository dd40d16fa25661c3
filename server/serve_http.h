// The HTTP endpoint of `keel serve`: GET /metrics (Prometheus text format)
// and GET /healthz, on keel's HTTP server (connectors/http/http_server.h),
// which the webhook receiver's routes join (Route). A slow or silent client
// holds one worker until its request deadline, never the endpoint: the other
// workers answer /healthz meanwhile. /metrics and /healthz take no body (413,
// unread); the port is bound exclusively (a second serve on it fails to
// start).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>

#include "connectors/http/http_server.h"
#include "connectors/serve_metrics.h"
#include "engine/status.h"

namespace keel::server {

struct ServeHttpLimits {
  // Connections served at once; more wait in a queue, then in the kernel's
  // listen queue.
  size_t workers = 32;
  // From a request's first byte to the last byte of its answer; a
  // connection still busy with it then is closed.
  std::chrono::milliseconds request_deadline{5000};
  // The request line and headers; a longer head is answered 431.
  size_t max_request_head = 8192;
  // The largest body a route that takes one accepts (413 past it).
  size_t max_body_bytes = 1 << 20;
};

class ServeHttp {
 public:
  // `metrics` and `healthy` must outlive it. /healthz answers 200 while
  // `healthy` is true, 503 otherwise.
  ServeHttp(const ServeMetrics* metrics, const std::atomic<bool>* healthy, ServeHttpLimits limits = {});
  ~ServeHttp() = default;  // the server stops and closes every connection
  ServeHttp(const ServeHttp&) = delete;
  ServeHttp& operator=(const ServeHttp&) = delete;

  // Adds a route (e.g. a webhook endpoint); before Start.
  void Route(const std::string& method, const std::string& path, http::HttpHandler handler);

  // Binds and starts serving; the port is taken when this returns. A port
  // another process listens on is an error.
  Status Start(const std::string& address, int port);

 private:
  http::HttpServer server_;
};

}  // namespace keel::server
