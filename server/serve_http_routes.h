// What `keel serve`'s HTTP endpoint answers, from the head of one request:
// GET /metrics (Prometheus text format) and GET /healthz. Nothing is
// accepted on these routes, so a request announcing a body is refused
// (413) before any of the body is read. Every answer closes the connection.
#pragma once

#include <string>
#include <string_view>

#include "connectors/serve_metrics.h"

namespace keel::server {

// `head` is the request line and the header lines, without the blank line
// that ends them. Returns the whole HTTP/1.1 response.
std::string AnswerRequest(std::string_view head, const ServeMetrics& metrics, bool healthy);

// The response to a request whose head does not fit in the limit.
std::string AnswerHeadTooLarge();

}  // namespace keel::server
