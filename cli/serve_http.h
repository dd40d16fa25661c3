// The HTTP endpoint of `keel serve`: GET /metrics (Prometheus text format)
// and GET /healthz. Runs on a thread of its own.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "connectors/serve_metrics.h"
#include "engine/status.h"

namespace httplib {
class Server;
}

namespace keel::cli {

class ServeHttp {
 public:
  // `metrics` and `healthy` must outlive it. /healthz answers 200 while
  // `healthy` is true, 503 otherwise.
  ServeHttp(const ServeMetrics* metrics, const std::atomic<bool>* healthy);
  ~ServeHttp();  // stops the server

  // Binds and starts serving; the port is taken and served when this
  // returns.
  Status Start(const std::string& address, int port);

 private:
  const ServeMetrics* metrics_;
  const std::atomic<bool>* healthy_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> listen_returned_{false};
};

}  // namespace keel::cli
