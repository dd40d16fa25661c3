#include "server/serve_http_routes.h"

#include <algorithm>
#include <cctype>

namespace keel::server {
namespace {

std::string Response(int status, std::string_view reason, std::string_view content_type, std::string_view body,
                     std::string_view extra_headers = {}) {
  std::string response = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  response += "Content-Type: " + std::string(content_type) + "\r\n";
  response += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  response += extra_headers;
  response += "Connection: close\r\n\r\n";
  response += body;
  return response;
}

std::string Lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

// A body is announced by any Transfer-Encoding or a Content-Length other
// than 0 (RFC 9112, section 6.3).
bool AnnouncesBody(std::string_view headers) {
  while (!headers.empty()) {
    size_t end = headers.find('\n');
    std::string_view line = headers.substr(0, end);
    headers = end == std::string_view::npos ? std::string_view() : headers.substr(end + 1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name = Lower(Trim(line.substr(0, colon)));
    std::string_view value = Trim(line.substr(colon + 1));
    if (name == "transfer-encoding") return true;
    if (name == "content-length" && value.find_first_not_of('0') != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

std::string AnswerRequest(std::string_view head, const ServeMetrics& metrics, bool healthy) {
  size_t line_end = head.find('\n');
  std::string_view request_line = Trim(head.substr(0, line_end));
  std::string_view headers = line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 1);
  size_t first_space = request_line.find(' ');
  size_t second_space = request_line.find(' ', first_space == std::string_view::npos ? 0 : first_space + 1);
  if (first_space == std::string_view::npos || second_space == std::string_view::npos) {
    return Response(400, "Bad Request", "text/plain", "bad request line\n");
  }
  if (AnnouncesBody(headers)) return Response(413, "Content Too Large", "text/plain", "no body is accepted\n");
  std::string_view method = request_line.substr(0, first_space);
  std::string_view target = request_line.substr(first_space + 1, second_space - first_space - 1);
  std::string_view path = target.substr(0, target.find('?'));
  if (path != "/metrics" && path != "/healthz") return Response(404, "Not Found", "text/plain", "not found\n");
  if (method != "GET") return Response(405, "Method Not Allowed", "text/plain", "only GET\n", "Allow: GET\r\n");
  if (path == "/metrics") {
    return Response(200, "OK", "text/plain; version=0.0.4; charset=utf-8", metrics.PrometheusText());
  }
  return healthy ? Response(200, "OK", "text/plain", "ok\n")
                 : Response(503, "Service Unavailable", "text/plain", "stopping\n");
}

std::string AnswerHeadTooLarge() {
  return Response(431, "Request Header Fields Too Large", "text/plain", "request head too large\n");
}

}  // namespace keel::server
