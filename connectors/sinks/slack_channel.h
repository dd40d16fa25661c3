// The `slack` channel: posts `{"text": TEXT}` to a Slack incoming webhook,
// TEXT rendered from the sink's template over `event` (by default a
// notification.requested's message). Slack answers 200 "ok"; 400
// invalid_payload, 403 action_prohibited, 404 channel_not_found, 410
// channel_is_archived (permanent), 429 with Retry-After and 5xx (retried).
// connectors/sinks/README.md, "Slack", cites Slack's documentation.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "connectors/http/http_client.h"
#include "connectors/sinks/channel.h"
#include "connectors/sinks/chat_message.h"
#include "connectors/sinks/event_text.h"

namespace keel::sinks {

// Safe for concurrent use.
class SlackChannel final : public Channel {
 public:
  // InvalidArgument "text: LINE:COL: message" when the template does not
  // compile. `compiler` must outlive the channel.
  static Result<std::unique_ptr<SlackChannel>> Create(ChatChannelOptions options, const ExpressionCompiler& compiler,
                                                      std::shared_ptr<const http::HttpClient> client);

  Result<std::optional<OutboundMessage>> Prepare(const StoredEvent& event) const override;
  TryResult Send(const StoredEvent& event, const OutboundMessage& message) const override;

 private:
  SlackChannel(std::string url, EventTextTemplate text, std::shared_ptr<const http::HttpClient> client)
      : url_(std::move(url)), text_(std::move(text)), client_(std::move(client)) {}

  std::string url_;
  EventTextTemplate text_;
  std::shared_ptr<const http::HttpClient> client_;
};

}  // namespace keel::sinks
