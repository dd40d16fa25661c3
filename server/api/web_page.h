// Serves the embedded web page (web_files.h) at `/` on the API listener:
// one GET route per file, plus `/` for index.html. Every answer carries a
// strict Content-Security-Policy (only this origin; no inline script or
// style, no framing), nosniff, no referrer, and an ETag with
// `Cache-Control: no-cache`, so a browser revalidates (304) and a new build's
// page is seen at once.
#pragma once

#include <string>
#include <vector>

#include "connectors/http/http_server.h"

namespace keel::api {

inline constexpr char kWebPagePolicy[] =
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

struct WebRoute {
  std::string path;  // "/", "/index.html", "/app.js", ...
  http::HttpHandler handler;
};

// The GET routes of the page; register each on the API's server.
std::vector<WebRoute> WebPageRoutes();

}  // namespace keel::api
