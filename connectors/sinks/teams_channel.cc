#include "connectors/sinks/teams_channel.h"

#include "connectors/sinks/http_try.h"

namespace keel::sinks {

nlohmann::ordered_json TeamsCardMessage(const std::string& text) {
  using Json = nlohmann::ordered_json;
  // Teams' "Send Adaptive Cards using an Incoming Webhook" (learn.microsoft.com,
  // add-incoming-webhook): a "message" with attachments of content type
  // application/vnd.microsoft.card.adaptive; Workflows accept Adaptive Cards
  // only, in the same envelope.
  Json card = {{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
               {"type", "AdaptiveCard"},
               {"version", "1.4"},
               {"body", Json::array({Json{{"type", "TextBlock"}, {"text", text}, {"wrap", true}}})}};
  return Json{{"type", "message"},
              {"attachments", Json::array({Json{{"contentType", "application/vnd.microsoft.card.adaptive"},
                                                {"content", std::move(card)}}})}};
}

Result<std::unique_ptr<TeamsChannel>> TeamsChannel::Create(ChatChannelOptions options,
                                                          const ExpressionCompiler& compiler,
                                                          std::shared_ptr<const http::HttpClient> client) {
  Result<EventTextTemplate> text = EventTextTemplate::Compile(options.text, compiler);
  if (!text.ok()) return text.status().WithContext("text");
  return std::unique_ptr<TeamsChannel>(new TeamsChannel(std::move(options.url), std::move(*text), std::move(client)));
}

Result<std::optional<OutboundMessage>> TeamsChannel::Prepare(const StoredEvent& event) const {
  Result<std::string> text = text_.Render(event);
  if (!text.ok()) return text.status().WithContext("text");
  return std::optional<OutboundMessage>(ChatMessage(url_, TeamsCardMessage(*text)));
}

TryResult TeamsChannel::Send(const StoredEvent&, const OutboundMessage& message) const {
  return TryHttp(*client_, message);
}

}  // namespace keel::sinks
