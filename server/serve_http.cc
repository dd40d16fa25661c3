#include "server/serve_http.h"

#include <utility>

namespace keel::server {
namespace {

http::HttpServerLimits ServerLimits(const ServeHttpLimits& limits) {
  http::HttpServerLimits server;
  server.workers = limits.workers;
  server.request_deadline = limits.request_deadline;
  server.idle_timeout = limits.request_deadline;
  server.max_request_head = limits.max_request_head;
  server.max_body_bytes = limits.max_body_bytes;
  return server;
}

}  // namespace

ServeHttp::ServeHttp(const ServeMetrics* metrics, const std::atomic<bool>* healthy, ServeHttpLimits limits)
    : server_(ServerLimits(limits)) {
  server_.Route("GET", "/metrics", [metrics](const http::HttpRequest&) {
    http::HttpResponse response = http::HttpResponse::Text(200, metrics->PrometheusText());
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return response;
  });
  server_.Route("GET", "/healthz", [healthy](const http::HttpRequest&) {
    return healthy->load() ? http::HttpResponse::Text(200, "ok\n") : http::HttpResponse::Text(503, "stopping\n");
  });
}

void ServeHttp::Route(const std::string& method, const std::string& path, http::HttpHandler handler) {
  server_.Route(method, path, std::move(handler));
}

Status ServeHttp::Start(const std::string& address, int port) {
  Status started = server_.Start(address, port);
  if (!started.ok() && started.Is(StatusCode::kIOError)) {
    return Status::IOError(started.message() + "; choose another http_port");
  }
  return started;
}

}  // namespace keel::server
