#include "server/api/api_server.h"

#include "server/api/api_routes.h"

namespace keel::api {
namespace {

http::HttpServerLimits Limits(const ApiSettings& settings) {
  http::HttpServerLimits limits;
  limits.workers = settings.max_streams + 16;  // streams hold a worker each; the rest answer pages
  limits.max_queued_connections = 128;
  limits.max_body_bytes = 64 << 10;  // an action's body is a reason
  limits.request_deadline = std::chrono::milliseconds(15000);
  return limits;
}

}  // namespace

ApiServer::ApiServer(ApiTokens tokens, bool open_admin, ApiBackend* backend, ApiSettings settings)
    : access_(std::move(tokens), open_admin),
      router_(&access_, backend, settings),
      http_(std::make_unique<http::HttpServer>(Limits(settings))) {
  AddApiRoutes(router_);
}

Status ApiServer::Start(const std::string& address, int port) {
  for (const char* method : {"GET", "POST"}) {
    http_->RoutePrefix(method, "/api/", [this](const http::HttpRequest& request) { return router_.Handle(request); });
  }
  return http_->Start(address, port);
}

}  // namespace keel::api
