// The builder of `email` sinks' channels (connectors/sinks/email_channel.h)
// for BuildSinkChannel (sink_config.h): serve adds it to the builders' map
// beside WebhookAndChatChannelBuilders(), with the people files it loaded,
// where recipients `user:ID` find their addresses.
#pragma once

#include <functional>
#include <string_view>

#include "connectors/sinks/smtp_client.h"
#include "connectors/webhooks/people.h"
#include "server/sink_config.h"

namespace keel::server {

// The people file of a workspace, or nullptr. Called from the sink's
// threads; what it returns must outlive the channels.
using PeopleFileOf = std::function<const webhooks::PeopleFile*(std::string_view workspace)>;

// An email sink's SMTP settings: `smtp`, `starttls`, the user and password
// from the environment, `timeout` (which also bounds connecting),
// `tls_verify` and `ca_file`.
sinks::SmtpOptions SmtpOptionsOf(const SinkConfig& sink, const SinkSecrets& secrets);

// Builds the email channel of a sink: `from`, the `subject` and `text`
// templates (compiled with the context's compiler), the SMTP client.
SinkChannelBuilder EmailChannelBuilder(PeopleFileOf people);

}  // namespace keel::server
