#include "connectors/sinks/slack_channel.h"

#include "connectors/sinks/http_try.h"

namespace keel::sinks {

Result<std::unique_ptr<SlackChannel>> SlackChannel::Create(ChatChannelOptions options,
                                                          const ExpressionCompiler& compiler,
                                                          std::shared_ptr<const http::HttpClient> client) {
  Result<EventTextTemplate> text = EventTextTemplate::Compile(options.text, compiler);
  if (!text.ok()) return text.status().WithContext("text");
  return std::unique_ptr<SlackChannel>(new SlackChannel(std::move(options.url), std::move(*text), std::move(client)));
}

Result<std::optional<OutboundMessage>> SlackChannel::Prepare(const StoredEvent& event) const {
  Result<std::string> text = text_.Render(event);
  if (!text.ok()) return text.status().WithContext("text");
  // Slack's incoming webhooks take the message as the `text` member of a
  // JSON body (docs.slack.dev, "Incoming webhooks"; connectors/sinks/README.md).
  return std::optional<OutboundMessage>(ChatMessage(url_, nlohmann::ordered_json{{"text", *text}}));
}

TryResult SlackChannel::Send(const StoredEvent&, const OutboundMessage& message) const {
  return TryHttp(*client_, message);
}

}  // namespace keel::sinks
