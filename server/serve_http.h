// The HTTP endpoint of `keel serve`: GET /metrics (Prometheus text format)
// and GET /healthz (serve_http_routes.h). One thread serves every
// connection with poll(2), so a slow or silent client holds a connection
// slot, never the thread: /healthz answers while such clients wait. Each
// connection carries one request and must be done within a deadline; no
// request body is read; the port is bound exclusively (a second serve on it
// fails to start).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <thread>

#include "connectors/serve_metrics.h"
#include "engine/status.h"

namespace keel::server {

struct ServeHttpLimits {
  // Connections open at once; more wait in the kernel's listen queue.
  size_t max_connections = 64;
  // From accept to the last byte of the answer; a connection still open
  // then is closed.
  std::chrono::milliseconds connection_deadline{5000};
  // The request line and headers; a longer head is answered 431.
  size_t max_request_head = 8192;
};

class ServeHttp {
 public:
  // `metrics` and `healthy` must outlive it. /healthz answers 200 while
  // `healthy` is true, 503 otherwise.
  ServeHttp(const ServeMetrics* metrics, const std::atomic<bool>* healthy, ServeHttpLimits limits = {});
  ~ServeHttp();  // stops serving and closes every connection
  ServeHttp(const ServeHttp&) = delete;
  ServeHttp& operator=(const ServeHttp&) = delete;

  // Binds and starts serving; the port is taken when this returns. A port
  // another process listens on is an error.
  Status Start(const std::string& address, int port);

 private:
  struct Connection;
  void Serve();

  const ServeMetrics* metrics_;
  const std::atomic<bool>* healthy_;
  ServeHttpLimits limits_;
  int listen_fd_ = -1;
  int wake_read_ = -1;   // the destructor writes to wake_write_ to end Serve
  int wake_write_ = -1;
  std::thread thread_;
};

}  // namespace keel::server
