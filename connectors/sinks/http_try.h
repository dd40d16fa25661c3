// One HTTP try of a sink's channel: sends an OutboundHttpRequest with the
// sink's HttpClient and tells the runner how it ended (the status classes of
// OutcomeOfStatus, the receiver's Retry-After, a detail for people). Shared
// by the channels that speak HTTP (webhook, slack, teams, http actions).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "connectors/http/http_client.h"
#include "connectors/sinks/delivery.h"

namespace keel::sinks {

// At most this much of a response body goes into a detail (dead letters,
// logs): enough to read the receiver's reason, never a whole page.
inline constexpr size_t kDetailBodyBytes = 512;

// Sends `request` once. A transport failure is kRetry with the client's
// message ("connect to ...: Connection refused", the timeout), except a
// malformed URL, which no retry mends (kPermanent).
// A message without `http` is kPermanent (a channel's mistake).
TryResult TryHttp(const http::HttpClient& client, const OutboundMessage& message);

// How a response ends a try, at `now_unix_seconds` (for a Retry-After given
// as a date). Retry-After counts on 429 and 503 only.
TryResult TryResultOfResponse(const http::ClientResponse& response, int64_t now_unix_seconds);

// "HTTP 503: <the first 512 bytes of the body, cut on a character boundary>",
// or "HTTP 503" for an empty body.
std::string HttpDetail(int status, std::string_view body);

}  // namespace keel::sinks
