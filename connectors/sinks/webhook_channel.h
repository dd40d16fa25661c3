// The `webhook` channel: POSTs each event to a URL as a CloudEvent, in the
// structured or the binary mode of the CloudEvents HTTP binding
// (connectors/http/cloudevents_http.h), with the event id as
// `Idempotency-Key` and, when the sink has a secret, `X-Keel-Signature:
// sha256=HEX` (HMAC-SHA256 of the exact body). connectors/sinks/README.md,
// "Webhook", shows the requests.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "connectors/http/hmac_sha256.h"
#include "connectors/http/http_client.h"
#include "connectors/sinks/channel.h"

namespace keel::sinks {

enum class CloudEventsMode { kStructured, kBinary };

struct WebhookChannelOptions {
  std::string url;
  CloudEventsMode mode = CloudEventsMode::kStructured;
  std::string secret;  // empty: the requests are not signed
};

// Safe for concurrent use (the client is).
class WebhookChannel final : public Channel {
 public:
  WebhookChannel(WebhookChannelOptions options, std::shared_ptr<const http::HttpClient> client)
      : options_(std::move(options)),
        key_(options_.secret.empty() ? nullptr : std::make_shared<const http::HmacSha256Key>(options_.secret)),
        client_(std::move(client)) {}

  Result<std::optional<OutboundMessage>> Prepare(const StoredEvent& event) const override;
  TryResult Send(const StoredEvent& event, const OutboundMessage& message) const override;

 private:
  WebhookChannelOptions options_;
  std::shared_ptr<const http::HmacSha256Key> key_;  // null: the requests are not signed
  std::shared_ptr<const http::HttpClient> client_;
};

}  // namespace keel::sinks
