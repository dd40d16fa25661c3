// What keel's two libcurl clients (http_client.h, and the SMTP client of
// connectors/sinks/) share: libcurl's one-time global setup, and reading a
// URL for what an error message may show of it.
#pragma once

#include <string>

#include "engine/status.h"

namespace keel::http {

// curl_global_init, once per process, before any easy handle.
Status InitCurlOnce();

// The URL's scheme, lower-cased ("https", "smtp"). InvalidArgument naming
// libcurl's reason when the URL is malformed; the URL itself is not
// repeated (it may carry a secret).
Result<std::string> UrlScheme(const std::string& url);

// "SCHEME://HOST:PORT" (the scheme's default port when none is given):
// all of a URL an error message shows. Its path and query (a Slack or Teams
// URL carries its secret there) and any user:password are left out.
std::string UrlOrigin(const std::string& url);

}  // namespace keel::http
