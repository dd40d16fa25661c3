#include "cli/serve_http.h"

#include <chrono>

#include <httplib.h>

namespace keel::cli {

ServeHttp::ServeHttp(const ServeMetrics* metrics, const std::atomic<bool>* healthy)
    : metrics_(metrics), healthy_(healthy), server_(std::make_unique<httplib::Server>()) {
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(metrics_->PrometheusText(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server_->Get("/healthz", [this](const httplib::Request&, httplib::Response& response) {
    bool healthy = healthy_->load();
    response.status = healthy ? 200 : 503;
    response.set_content(healthy ? "ok\n" : "stopping\n", "text/plain");
  });
}

ServeHttp::~ServeHttp() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

Status ServeHttp::Start(const std::string& address, int port) {
  if (!server_->bind_to_port(address.c_str(), port)) {
    return Status::IOError("cannot listen for HTTP on " + address + ":" + std::to_string(port));
  }
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    listen_returned_.store(true);
  });
  // httplib's stop() does nothing until the listening loop runs: stopping
  // earlier (serve failing right after Start) would leave the loop running
  // and the destructor waiting for it for ever.
  while (!server_->is_running() && !listen_returned_.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Status::OK();
}

}  // namespace keel::cli
