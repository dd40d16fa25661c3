// What a sink sends and what came of one try: the shared vocabulary of the
// sinks out (connectors/sinks/README.md). A Channel turns one event of the
// log into an outbound message (an HTTP request or a mail) and sends it once;
// the SinkRunner (sink_runner.h) decides what to send, in which order, when to
// try again and when to give up. Transports (connectors/http/http_client.h,
// connectors/sinks/smtp_client.h) carry the messages.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/event.h"
#include "engine/status.h"

namespace keel::sinks {

using Header = std::pair<std::string, std::string>;

struct OutboundHttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<Header> headers;  // as sent; the transport adds none but Content-Length
  std::string body;
};

struct OutboundHttpResponse {
  int status = 0;
  std::vector<Header> headers;  // names lower-cased
  std::string body;             // bounded by the transport (1 MiB); longer is cut
};

struct MailMessage {
  std::string from;              // an address
  std::vector<std::string> to;   // addresses, at least one
  std::string subject;
  std::string text;              // the plain-text body, UTF-8
  std::string message_id;        // "<EVENT-ID@keel>": the same on every try
  std::string date;              // RFC 5322 date of the event's time (never the wall clock)
};

// One event made ready to send: exactly one of `http` and `mail` is set.
struct OutboundMessage {
  std::optional<OutboundHttpRequest> http;
  std::optional<MailMessage> mail;
};

// How one try ended.
enum class TryOutcome : uint8_t {
  kDelivered,   // 2xx, or the mail server accepted every recipient
  kRetry,       // worth trying again: connection failed, timed out, 408/409/425/429/5xx
  kPermanent,   // trying again cannot help: another 4xx, a recipient refused
};

struct TryResult {
  TryOutcome outcome = TryOutcome::kRetry;
  // The receiver's Retry-After (429, 503), when it sent one.
  std::optional<std::chrono::milliseconds> retry_after;
  // For people and dead letters: "HTTP 503: <first 512 bytes of the body>",
  // "connect: Connection refused", "SMTP 550: ...". Never a secret.
  std::string detail;
  // A delivered action's answer mapped to events (connectors/actions/): JSON
  // CloudEvents with ids derived from the event and the sink, which the
  // runner appends to the log like any input before it counts the event as
  // delivered.
  std::vector<nlohmann::json> answer_events;
};

// The HTTP status classes of issue 22: 2xx delivered; 408, 409, 425, 429 and
// 5xx retried; any other status (and 3xx: the transport does not follow
// redirects) permanent.
TryOutcome OutcomeOfStatus(int status);

}  // namespace keel::sinks
