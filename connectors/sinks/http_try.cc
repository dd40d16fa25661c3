#include "connectors/sinks/http_try.h"

#include <chrono>

namespace keel::sinks {
namespace {

// The length of the longest prefix of `text` within `limit` bytes that does
// not end inside a UTF-8 sequence.
size_t CutOnCharacter(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text.size();
  size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return cut;
}

}  // namespace

std::string HttpDetail(int status, std::string_view body) {
  std::string detail = "HTTP " + std::to_string(status);
  if (body.empty()) return detail;
  return detail.append(": ").append(body.substr(0, CutOnCharacter(body, kDetailBodyBytes)));
}

TryResult TryResultOfResponse(const http::ClientResponse& response, int64_t now_unix_seconds) {
  TryResult result;
  result.outcome = OutcomeOfStatus(response.status);
  result.detail = HttpDetail(response.status, response.body);
  if (response.status == 429 || response.status == 503) {
    for (const auto& [name, value] : response.headers) {
      if (name == "retry-after") result.retry_after = http::ParseRetryAfter(value, now_unix_seconds);
    }
  }
  return result;
}

TryResult TryHttp(const http::HttpClient& client, const OutboundMessage& message) {
  if (!message.http) return TryResult{TryOutcome::kPermanent, std::nullopt, "the message is not an HTTP request", {}};
  const OutboundHttpRequest& request = *message.http;
  http::ClientRequest sent{request.method, request.url, request.headers, request.body};
  Result<http::ClientResponse> response = client.Send(sent);
  if (!response.ok()) {
    TryResult failed;
    failed.outcome = response.status().code() == StatusCode::kInvalidArgument ? TryOutcome::kPermanent
                                                                               : TryOutcome::kRetry;
    failed.detail = response.status().message();
    return failed;
  }
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  return TryResultOfResponse(*response, now.count());
}

}  // namespace keel::sinks
