// The loopback receiver of `keel bench sinks`: keel's own HTTP server
// answering each signed POST with 200, and recording, per event id (the
// Idempotency-Key), how many times it came and when it first came, so the
// bench can check that every event was delivered and measure the lag.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "connectors/http/http_server.h"
#include "engine/mutex.h"
#include "engine/status.h"

namespace keel::cli {

class SinkBenchReceiver {
 public:
  using Steady = std::chrono::steady_clock;

  // The path it answers POST on.
  static constexpr char kPath[] = "/sink";

  // Listens on 127.0.0.1 on a free port; a request whose X-Keel-Signature is
  // not the HMAC of its body under `secret` is answered 401 (the sink then
  // keeps it as a dead letter, and the bench fails).
  Status Start(size_t workers, std::string secret);
  void Stop();
  int port() const { return server_ ? server_->port() : 0; }
  std::string url() const;

  // Forgets what came, between phases.
  void Reset();
  // Waits until `count` distinct event ids came, or `deadline`.
  bool WaitForDistinct(uint64_t count, Steady::time_point deadline);

  struct Tally {
    uint64_t requests = 0;        // answered 200
    uint64_t distinct = 0;        // distinct event ids among them
    uint64_t refused = 0;         // bad signature or no id
  };
  Tally tally() const;
  // When each event id first came.
  std::unordered_map<std::string, Steady::time_point> Arrivals() const;

 private:
  http::HttpResponse Answer(const http::HttpRequest& request);

  std::string secret_;
  std::unique_ptr<http::HttpServer> server_;
  mutable Mutex mu_;
  CondVar arrived_;
  uint64_t requests_ GUARDED_BY(mu_) = 0;
  uint64_t refused_ GUARDED_BY(mu_) = 0;
  std::unordered_map<std::string, Steady::time_point> first_ GUARDED_BY(mu_);
};

}  // namespace keel::cli
