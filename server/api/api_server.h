// The API's own HTTP listener (serve.yaml `api:`; `keel serve --db`): its
// routes under /api/ (api_routes.cc) with the tokens' access rules, on a
// server of its own, apart from the webhook listener. The page's routes
// join it through http() before Start.
#pragma once

#include <memory>
#include <string>

#include "connectors/http/http_server.h"
#include "engine/status.h"
#include "server/api/api_access.h"
#include "server/api/api_backend.h"
#include "server/api/api_router.h"

namespace keel::api {

class ApiServer {
 public:
  // `backend` must outlive it. `open_admin`: see ApiAccess.
  ApiServer(ApiTokens tokens, bool open_admin, ApiBackend* backend, ApiSettings settings = {});
  ~ApiServer() { Stop(); }
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // More routes (the page, okr's): before Start.
  http::HttpServer& http() { return *http_; }
  ApiRouter& router() { return router_; }

  Status Start(const std::string& address, int port);
  int port() const { return http_->port(); }
  // Ends the open streams, waits for the answers being made; idempotent.
  void Stop() { http_->Stop(); }

 private:
  ApiAccess access_;
  ApiRouter router_;
  std::unique_ptr<http::HttpServer> http_;
};

}  // namespace keel::api
