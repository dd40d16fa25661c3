// The builders of the webhook, slack and teams channels, and the seam
// (BuildSinkChannel) through which every kind of sink gets its channel.
#include "connectors/sinks/slack_channel.h"
#include "connectors/sinks/teams_channel.h"
#include "connectors/sinks/webhook_channel.h"
#include "server/sink_config.h"

namespace keel::server {
namespace {

Result<std::shared_ptr<const http::HttpClient>> ClientOf(const SinkConfig& sink, const SinkChannelContext& context) {
  if (!context.make_http_client) return Status::Internal("no HTTP client factory was given");
  return context.make_http_client(HttpClientOptionsOf(sink));
}

Result<std::unique_ptr<sinks::Channel>> BuildWebhook(const SinkConfig& sink, const SinkSecrets& secrets,
                                                     const SinkChannelContext& context) {
  KEEL_ASSIGN_OR_RETURN(auto client, ClientOf(sink, context));
  sinks::WebhookChannelOptions options;
  options.url = secrets.url;
  options.mode = sink.mode == "binary" ? sinks::CloudEventsMode::kBinary : sinks::CloudEventsMode::kStructured;
  options.secret = secrets.secret;
  return std::unique_ptr<sinks::Channel>(new sinks::WebhookChannel(std::move(options), std::move(client)));
}

template <typename ChatChannel>
Result<std::unique_ptr<sinks::Channel>> BuildChat(const SinkConfig& sink, const SinkSecrets& secrets,
                                                  const SinkChannelContext& context) {
  if (context.compiler == nullptr) return Status::Internal("no expression compiler was given");
  KEEL_ASSIGN_OR_RETURN(auto client, ClientOf(sink, context));
  sinks::ChatChannelOptions options;
  options.url = secrets.url;
  if (!sink.text.empty()) options.text = sink.text;
  KEEL_ASSIGN_OR_RETURN(auto channel, ChatChannel::Create(std::move(options), *context.compiler, std::move(client)));
  return std::unique_ptr<sinks::Channel>(std::move(channel));
}

}  // namespace

SinkChannelBuilders WebhookAndChatChannelBuilders() {
  return {{"webhook", BuildWebhook},
          {"slack", BuildChat<sinks::SlackChannel>},
          {"teams", BuildChat<sinks::TeamsChannel>}};
}

Result<std::unique_ptr<sinks::Channel>> BuildSinkChannel(const SinkConfig& sink, const SinkChannelContext& context,
                                                          const SinkChannelBuilders& builders) {
  auto builder = builders.find(sink.kind);
  if (builder == builders.end()) {
    return Status::FailedPrecondition("sink " + sink.name + ": this keel cannot build " + sink.kind + " sinks");
  }
  Result<SinkSecrets> secrets = ResolveSinkSecrets(sink);
  if (!secrets.ok()) return secrets.status();  // it names the sink already
  Result<std::unique_ptr<sinks::Channel>> channel = builder->second(sink, *secrets, context);
  if (!channel.ok()) return channel.status().WithContext("sink " + sink.name);
  return channel;
}

}  // namespace keel::server
