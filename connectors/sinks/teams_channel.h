// The `teams` channel: posts a message with one Adaptive Card holding TEXT
// (rendered from the sink's template over `event`) to a Microsoft Teams
// incoming webhook or a Workflows "When a Teams webhook request is received"
// URL; both take this form. connectors/sinks/README.md, "Teams", shows the
// body and cites Microsoft's documentation.
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
class TeamsChannel final : public Channel {
 public:
  // InvalidArgument "text: LINE:COL: message" when the template does not
  // compile. `compiler` must outlive the channel.
  static Result<std::unique_ptr<TeamsChannel>> Create(ChatChannelOptions options, const ExpressionCompiler& compiler,
                                                      std::shared_ptr<const http::HttpClient> client);

  Result<std::optional<OutboundMessage>> Prepare(const StoredEvent& event) const override;
  TryResult Send(const StoredEvent& event, const OutboundMessage& message) const override;

 private:
  TeamsChannel(std::string url, EventTextTemplate text, std::shared_ptr<const http::HttpClient> client)
      : url_(std::move(url)), text_(std::move(text)), client_(std::move(client)) {}

  std::string url_;
  EventTextTemplate text_;
  std::shared_ptr<const http::HttpClient> client_;
};

// The body Teams takes: a message whose one attachment is an Adaptive Card
// (version 1.4) with one wrapping TextBlock of `text`.
nlohmann::ordered_json TeamsCardMessage(const std::string& text);

}  // namespace keel::sinks
