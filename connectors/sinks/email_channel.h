// The `email` channel of a sink: a notification.requested event becomes one
// mail to all of its recipients, sent over SMTP (smtp_client.h). Recipients
// `user:ID` are looked up in the workspace's people file (its `email`); one
// that is already an address is used as is. The subject and text are
// templates over `event` (event_text.h: the CloudEvent as JSON, with
// `seq`). Safe for concurrent use.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connectors/sinks/channel.h"
#include "connectors/sinks/event_text.h"
#include "connectors/sinks/smtp_client.h"
#include "connectors/webhooks/people.h"
#include "engine/expression.h"

namespace keel::sinks {

struct EmailChannelConfig {
  SmtpOptions smtp;     // the server, STARTTLS, user and password, timeouts, TLS
  std::string from;     // "keel@example.com" or "Keel <keel@example.com>"
  // Templates over `event`. An empty subject: the text's first line, cut at
  // 78 characters.
  std::string subject;
  std::string text = std::string(kDefaultMessageTemplate);
  // The people file of a workspace, or nullptr when it has none. Called
  // from several threads at once; what it returns must outlive the channel.
  std::function<const webhooks::PeopleFile*(std::string_view workspace)> people;
};

class EmailChannel final : public Channel {
 public:
  // Compiles the templates and makes the SMTP client. InvalidArgument names
  // the field ("subject: 1:4: ...", "from: ...", "smtp: ..."; the sink's
  // builder adds the sink's name).
  // `compiler` must outlive the channel.
  static Result<std::unique_ptr<EmailChannel>> Create(EmailChannelConfig config, const ExpressionCompiler& compiler);

  // The mail for `event`; nullopt when its `data.channel` names another
  // channel than email. An error (permanent) for a recipient without an
  // address, no recipients, or a template that fails.
  Result<std::optional<OutboundMessage>> Prepare(const StoredEvent& event) const override;

  // SMTP 2xx: delivered; 4xx and no reply (connection, TLS, timeout):
  // retried; 5xx: permanent.
  TryResult Send(const StoredEvent& event, const OutboundMessage& message) const override;

 private:
  EmailChannel(EmailChannelConfig config, EventTextTemplate text)
      : config_(std::move(config)), text_(std::move(text)) {}
  Result<std::vector<std::string>> Recipients(const Event& event, const nlohmann::json& data) const;

  EmailChannelConfig config_;
  EventTextTemplate text_;
  std::optional<EventTextTemplate> subject_;  // none: the text's first line
  std::unique_ptr<SmtpClient> smtp_;
};

// "<EVENT-ID@keel>": the same on every try of the event, so a receiver (or a
// person) can tell a re-sent mail from a new one. Characters that a
// Message-ID may not hold are written %XX.
std::string MessageIdOf(std::string_view event_id);

}  // namespace keel::sinks
