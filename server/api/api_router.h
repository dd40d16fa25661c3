// The API's router: routes by method and path pattern
// ("/api/v1/workspaces/{ws}/entities/{kind}/{id}"), each answered by a
// handler that gets the authenticated caller, the path parameters and the
// query. Before a handler runs the router has checked the token and, for a
// pattern with {ws}, that the caller may see the workspace and this serve
// holds it (else 404, the same body either way). Answers are JSON; every
// error is {"error":{"code","message"}}.
//
// Adding a route is one line (server/api/api_routes.cc):
//   router.Get("/api/v1/workspaces/{ws}/okr", OkrRoute);
// with `http::HttpResponse OkrRoute(ApiCall& call)`; Answer(Result<json>)
// turns a query module's result into the answer.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/http/http_server.h"
#include "engine/status.h"
#include "server/api/api_access.h"
#include "server/api/api_backend.h"

namespace keel::api {

// The query of a request: name=value pairs, percent-decoded ('+' is a space).
class QueryParams {
 public:
  static QueryParams Parse(std::string_view query);
  // The value of `name`, or nullopt when absent (the first when repeated).
  std::optional<std::string> Get(std::string_view name) const;
  std::string GetOr(std::string_view name, std::string fallback) const { return Get(name).value_or(fallback); }
  // A whole number from `min` to `max`, `fallback` when absent; otherwise
  // InvalidArgument naming the parameter and its bounds.
  Result<int64_t> Int(std::string_view name, int64_t fallback, int64_t min, int64_t max) const;

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

struct ApiSettings {
  // Server-Sent Event streams open at once; more are answered 503.
  size_t max_streams = 16;
  // A comment line on an idle stream this often, so proxies keep it open.
  std::chrono::milliseconds keep_alive{15000};
};

struct ApiCall {
  ApiCall(const http::HttpRequest& request, const Caller& caller, ApiBackend& backend, const ApiSettings& settings)
      : request(request), caller(caller), backend(backend), settings(settings) {}

  const http::HttpRequest& request;
  const Caller& caller;
  ApiBackend& backend;
  const ApiSettings& settings;
  std::map<std::string, std::string> params;  // {name} of the pattern -> the path's segment
  QueryParams query;
  // Routes with {ws}: the workspace, which the caller may see, and the log
  // that holds it (held for the call: see ApiBackend::LogOf).
  std::string workspace;
  const EventLog* log = nullptr;
  std::shared_ptr<const EventLog> log_hold;
  std::atomic<size_t>* open_streams = nullptr;

  const std::string& Param(const std::string& name) const { return params.at(name); }
};

using ApiHandler = std::function<http::HttpResponse(ApiCall& call)>;

// Who may use a route besides the token's workspaces.
enum class RouteAccess {
  kEveryone,
  kNoGuests,  // guests get 404, as for something that is not there
};

// JSON answers.
http::HttpResponse JsonAnswer(const nlohmann::json& body, int status = 200);
http::HttpResponse ErrorAnswer(const ApiError& error);
http::HttpResponse ErrorAnswer(int status, std::string code, std::string message);
// 200 with the JSON, or the error a Status stands for: NotFound 404
// not_found, InvalidArgument 400 bad_request, Conflict 409 conflict,
// FailedPrecondition 409 read_only, ResourceExhausted 503 unavailable, else
// 500 internal (the message is logged, not sent).
http::HttpResponse Answer(const Result<nlohmann::json>& result);
http::HttpResponse StatusAnswer(const Status& status);

class ApiRouter {
 public:
  ApiRouter(ApiAccess* access, ApiBackend* backend, ApiSettings settings = {})
      : access_(access), backend_(backend), settings_(settings) {}

  void Get(const std::string& pattern, ApiHandler handler, RouteAccess access = RouteAccess::kEveryone);
  void Post(const std::string& pattern, ApiHandler handler, RouteAccess access = RouteAccess::kEveryone);

  // Answers one request under /api/.
  http::HttpResponse Handle(const http::HttpRequest& request);

  std::atomic<size_t>& open_streams() { return open_streams_; }

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" for a parameter
    ApiHandler handler;
    RouteAccess access;
  };
  void Add(std::string method, const std::string& pattern, ApiHandler handler, RouteAccess access);

  ApiAccess* access_;
  ApiBackend* backend_;
  ApiSettings settings_;
  std::vector<Route> routes_;
  std::atomic<size_t> open_streams_{0};
};

}  // namespace keel::api
