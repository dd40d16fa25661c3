#include "server/api/api_router.h"

#include <charconv>
#include <iostream>

namespace keel::api {
namespace {

std::vector<std::string> Segments(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) out.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() + 0 && HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

bool IsParameter(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

QueryParams QueryParams::Parse(std::string_view query) {
  QueryParams params;
  size_t start = 0;
  while (start < query.size()) {
    size_t amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(start, amp - start);
    if (!pair.empty()) {
      size_t equals = pair.find('=');
      std::string_view name = pair.substr(0, equals);
      std::string_view value = equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
      params.pairs_.emplace_back(PercentDecode(name), PercentDecode(value));
    }
    start = amp + 1;
  }
  return params;
}

std::optional<std::string> QueryParams::Get(std::string_view name) const {
  for (const auto& [key, value] : pairs_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

Result<int64_t> QueryParams::Int(std::string_view name, int64_t fallback, int64_t min, int64_t max) const {
  std::optional<std::string> text = Get(name);
  if (!text) return fallback;
  int64_t value = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || error != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    return Status::InvalidArgument("query parameter " + std::string(name) + " must be a whole number from " +
                                   std::to_string(min) + " to " + std::to_string(max) + ", not '" + *text + "'");
  }
  return value;
}

http::HttpResponse JsonAnswer(const nlohmann::json& body, int status) {
  http::HttpResponse response =
      http::HttpResponse::Json(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

http::HttpResponse ErrorAnswer(const ApiError& error) {
  http::HttpResponse response =
      JsonAnswer({{"error", {{"code", error.code}, {"message", error.message}}}}, error.status);
  for (const auto& header : error.headers) response.headers.push_back(header);
  return response;
}

http::HttpResponse ErrorAnswer(int status, std::string code, std::string message) {
  return ErrorAnswer(ApiError{status, std::move(code), std::move(message), {}});
}

http::HttpResponse StatusAnswer(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return JsonAnswer(nlohmann::json::object());
    case StatusCode::kNotFound: return ErrorAnswer(404, "not_found", status.message());
    case StatusCode::kInvalidArgument: return ErrorAnswer(400, "bad_request", status.message());
    case StatusCode::kConflict: return ErrorAnswer(409, "conflict", status.message());
    case StatusCode::kFailedPrecondition: return ErrorAnswer(409, "read_only", status.message());
    case StatusCode::kResourceExhausted: return ErrorAnswer(503, "unavailable", status.message());
    default:
      std::cerr << "keel: api: " << status.ToString() << "\n";
      return ErrorAnswer(500, "internal", "the server could not answer; its log says why");
  }
}

http::HttpResponse Answer(const Result<nlohmann::json>& result) {
  if (!result.ok()) return StatusAnswer(result.status());
  return JsonAnswer(*result);
}

void ApiRouter::Get(const std::string& pattern, ApiHandler handler, RouteAccess access) {
  Add("GET", pattern, std::move(handler), access);
}

void ApiRouter::Post(const std::string& pattern, ApiHandler handler, RouteAccess access) {
  Add("POST", pattern, std::move(handler), access);
}

void ApiRouter::Add(std::string method, const std::string& pattern, ApiHandler handler, RouteAccess access) {
  routes_.push_back({std::move(method), Segments(pattern), std::move(handler), access});
}

http::HttpResponse ApiRouter::Handle(const http::HttpRequest& request) {
  std::variant<Caller, ApiError> who = access_->Authenticate(request);
  if (auto* error = std::get_if<ApiError>(&who)) return ErrorAnswer(*error);
  const Caller& caller = std::get<Caller>(who);

  std::vector<std::string> path = Segments(request.path);
  std::string method = request.method == "HEAD" ? "GET" : request.method;
  std::vector<std::string> allowed;
  for (const Route& route : routes_) {
    if (route.segments.size() != path.size()) continue;
    std::map<std::string, std::string> params;
    bool matches = true;
    for (size_t i = 0; matches && i < path.size(); ++i) {
      if (IsParameter(route.segments[i])) {
        params[route.segments[i].substr(1, route.segments[i].size() - 2)] = path[i];
      } else {
        matches = route.segments[i] == path[i];
      }
    }
    if (!matches) continue;
    if (route.method != method) {
      allowed.push_back(route.method);
      continue;
    }
    ApiCall call(request, caller, *backend_, settings_);
    call.params = std::move(params);
    call.query = QueryParams::Parse(request.query);
    call.open_streams = &open_streams_;
    auto ws = call.params.find("ws");
    if (ws != call.params.end()) {
      call.workspace = ws->second;
      if (caller.SeesWorkspace(call.workspace)) call.log_hold = backend_->LogOf(call.workspace);
      call.log = call.log_hold.get();
      if (call.log == nullptr) {
        return ErrorAnswer(404, "not_found", "no workspace '" + call.workspace + "'");
      }
    }
    if (route.access == RouteAccess::kNoGuests && caller.guest()) {
      return ErrorAnswer(404, "not_found", "no such path: " + request.path);
    }
    return route.handler(call);
  }
  if (!allowed.empty()) {
    std::string allow;
    for (const std::string& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    ApiError error{405, "method_not_allowed", request.method + " is not allowed on " + request.path + "; allowed: " + allow,
                   {{"Allow", allow}}};
    return ErrorAnswer(error);
  }
  return ErrorAnswer(404, "not_found", "no such path: " + request.path);
}

}  // namespace keel::api
