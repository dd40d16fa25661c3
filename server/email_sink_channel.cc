#include "server/email_sink_channel.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "connectors/sinks/email_channel.h"

namespace keel::server {

sinks::SmtpOptions SmtpOptionsOf(const SinkConfig& sink, const SinkSecrets& secrets) {
  sinks::SmtpOptions options;
  options.url = sink.smtp;
  options.starttls = sink.starttls;
  options.username = secrets.username;
  options.password = secrets.password;
  options.timeout = sink.timeout;
  options.connect_timeout = std::min(options.connect_timeout, sink.timeout);
  options.verify_tls = sink.tls_verify;
  options.ca_file = sink.ca_file;
  return options;
}

SinkChannelBuilder EmailChannelBuilder(PeopleFileOf people) {
  return [people = std::move(people)](const SinkConfig& sink, const SinkSecrets& secrets,
                                      const SinkChannelContext& context) -> Result<std::unique_ptr<sinks::Channel>> {
    if (context.compiler == nullptr) return Status::Internal("no expression compiler was given");
    sinks::EmailChannelConfig config;
    config.smtp = SmtpOptionsOf(sink, secrets);
    config.from = sink.from;
    config.subject = sink.subject;
    if (!sink.text.empty()) config.text = sink.text;
    config.people = people;
    KEEL_ASSIGN_OR_RETURN(auto channel, sinks::EmailChannel::Create(std::move(config), *context.compiler));
    return std::unique_ptr<sinks::Channel>(std::move(channel));
  };
}

}  // namespace keel::server
