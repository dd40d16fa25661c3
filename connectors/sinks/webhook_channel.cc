#include "connectors/sinks/webhook_channel.h"

#include "connectors/http/cloudevents_http.h"
#include "connectors/sinks/event_text.h"
#include "connectors/sinks/http_try.h"

namespace keel::sinks {

Result<std::optional<OutboundMessage>> WebhookChannel::Prepare(const StoredEvent& event) const {
  std::string json = StoredEventJson(event);
  KEEL_ASSIGN_OR_RETURN(http::HttpCloudEvent encoded, options_.mode == CloudEventsMode::kBinary
                                                          ? http::BinaryCloudEvent(json)
                                                          : http::StructuredCloudEvent(json));
  OutboundHttpRequest request;
  request.url = options_.url;
  request.headers = std::move(encoded.headers);
  request.headers.emplace_back("Idempotency-Key", event.event.id);
  // The HMAC is of the exact bytes sent, so it is computed once, here; a
  // retry sends the same body and the same signature.
  if (key_ != nullptr) {
    request.headers.emplace_back("X-Keel-Signature", "sha256=" + http::DigestHex(key_->Sign(encoded.body)));
  }
  request.body = std::move(encoded.body);
  return std::optional<OutboundMessage>(OutboundMessage{std::move(request), std::nullopt});
}

TryResult WebhookChannel::Send(const StoredEvent&, const OutboundMessage& message) const {
  return TryHttp(*client_, message);
}

}  // namespace keel::sinks
