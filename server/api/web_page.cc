#include "server/api/web_page.h"

#include <cstdint>
#include <cstdio>
#include <string_view>

#include "server/api/web_files.h"

namespace keel::api {
namespace {

// A strong validator for the file's bytes: FNV-1a, 64 bits, in quotes.
std::string EntityTag(std::string_view bytes) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char text[24];
  std::snprintf(text, sizeof text, "\"%016llx\"", static_cast<unsigned long long>(hash));
  return text;
}

// True when If-None-Match (a list of tags, or *) names `tag`.
bool Matches(const std::string& if_none_match, const std::string& tag) {
  if (if_none_match.empty()) return false;
  if (if_none_match == "*") return true;
  return if_none_match.find(tag) != std::string::npos;
}

http::HttpHandler FileHandler(const WebFile& file) {
  std::string tag = EntityTag(file.bytes);
  std::string type(ContentTypeOf(file.path));
  std::string_view bytes = file.bytes;
  return [tag, type, bytes](const http::HttpRequest& request) {
    http::HttpResponse response;
    response.headers = {
        {"Cache-Control", "no-cache"},
        {"ETag", tag},
        {"Content-Security-Policy", kWebPagePolicy},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
    };
    if (Matches(request.Header("if-none-match"), tag)) {
      response.status = 304;
      response.content_type = type;
      return response;
    }
    response.status = 200;
    response.content_type = type;
    response.body.assign(bytes);
    return response;
  };
}

}  // namespace

std::vector<WebRoute> WebPageRoutes() {
  std::vector<WebRoute> routes;
  for (const WebFile& file : WebFiles()) {
    routes.push_back({std::string(file.path), FileHandler(file)});
    if (file.path == "/index.html") routes.push_back({"/", FileHandler(file)});
  }
  return routes;
}

}  // namespace keel::api
