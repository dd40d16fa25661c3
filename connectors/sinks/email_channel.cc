#include "connectors/sinks/email_channel.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <utility>

#include "connectors/sinks/mail_text.h"

namespace keel::sinks {
namespace {

constexpr size_t kMaxDefaultSubject = 78;  // characters, RFC 5322's advised line length

// RFC 5322 atext, and '.', may stand in a Message-ID's left part as they are.
bool IsMessageIdCharacter(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$&'*+-/=?^_`{|}~.").find(c) != std::string_view::npos;
}

// The first line of `text`, at most kMaxDefaultSubject characters (a
// character is a UTF-8 sequence: never cut inside one).
std::string FirstLine(std::string_view text) {
  text = text.substr(0, text.find_first_of("\r\n"));
  size_t characters = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<uint8_t>(text[i]) & 0xC0) == 0x80) continue;  // inside a character
    if (characters++ == kMaxDefaultSubject) return std::string(text.substr(0, i));
  }
  return std::string(text);
}

}  // namespace

std::string MessageIdOf(std::string_view event_id) {
  std::string id = "<";
  for (char c : event_id) {
    if (IsMessageIdCharacter(c)) {
      id += c;
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof(escaped), "%%%02X", static_cast<unsigned>(static_cast<uint8_t>(c)));
      id += escaped;
    }
  }
  return id + "@keel>";
}

Result<std::unique_ptr<EmailChannel>> EmailChannel::Create(EmailChannelConfig config, const ExpressionCompiler& compiler) {
  if (Result<std::string> from = EnvelopeAddress(config.from); !from.ok()) return from.status().WithContext("from");
  Result<EventTextTemplate> text = EventTextTemplate::Compile(config.text, compiler);
  if (!text.ok()) return text.status().WithContext("text");
  std::optional<EventTextTemplate> subject;
  if (!config.subject.empty()) {
    Result<EventTextTemplate> compiled = EventTextTemplate::Compile(config.subject, compiler);
    if (!compiled.ok()) return compiled.status().WithContext("subject");
    subject = std::move(compiled).value();
  }
  Result<std::unique_ptr<SmtpClient>> smtp = SmtpClient::Create(config.smtp);
  if (!smtp.ok()) return smtp.status().WithContext("smtp");
  std::unique_ptr<EmailChannel> channel(new EmailChannel(std::move(config), std::move(text).value()));
  channel->subject_ = std::move(subject);
  channel->smtp_ = std::move(smtp).value();
  return channel;
}

Result<std::optional<OutboundMessage>> EmailChannel::Prepare(const StoredEvent& stored) const {
  const Event& event = stored.event;
  nlohmann::json data = nlohmann::json::parse(event.data(), nullptr, /*allow_exceptions=*/false);
  if (!data.is_object()) return Status::InvalidArgument("event " + event.id + ": data is not a JSON object");
  // A notification for another channel is not this sink's to send.
  if (auto channel = data.find("channel"); channel != data.end() && channel->is_string()) {
    const std::string& name = channel->get_ref<const std::string&>();
    if (name != "email" && !name.starts_with("email:")) return std::optional<OutboundMessage>();
  }
  KEEL_ASSIGN_OR_RETURN(std::vector<std::string> to, Recipients(event, data));

  MailMessage mail;
  Result<std::string> text = text_.Render(stored);
  if (!text.ok()) return text.status().WithContext("text");
  mail.text = std::move(text).value();
  if (subject_) {
    Result<std::string> subject = subject_->Render(stored);
    if (!subject.ok()) return subject.status().WithContext("subject");
    mail.subject = std::move(subject).value();
  } else {
    mail.subject = FirstLine(mail.text);
  }
  mail.from = config_.from;
  mail.to = std::move(to);
  mail.message_id = MessageIdOf(event.id);
  mail.date = Rfc5322Date(std::chrono::system_clock::time_point(std::chrono::microseconds(event.time_micros)));
  // Whatever could not be sent as built is found now: a permanent error.
  if (Result<std::string> text = BuildMailText(mail); !text.ok()) return text.status();
  OutboundMessage message;
  message.mail = std::move(mail);
  return std::optional<OutboundMessage>(std::move(message));
}

TryResult EmailChannel::Send(const StoredEvent&, const OutboundMessage& message) const {
  TryResult result;
  if (!message.mail) {
    result.outcome = TryOutcome::kPermanent;
    result.detail = "an email sink got a message that is not a mail";
    return result;
  }
  SmtpResult sent = smtp_->Send(*message.mail);
  result.detail = sent.detail;
  if (sent.delivered) {
    result.outcome = TryOutcome::kDelivered;
  } else if (sent.reply_code >= 500) {
    result.outcome = TryOutcome::kPermanent;
  } else {
    result.outcome = TryOutcome::kRetry;  // 4xx, or no reply at all
  }
  return result;
}

Result<std::vector<std::string>> EmailChannel::Recipients(const Event& event, const nlohmann::json& data) const {
  auto listed = data.find("recipients");
  if (listed == data.end() || !listed->is_array() || listed->empty()) {
    return Status::InvalidArgument("event " + event.id + " has no data.recipients to mail");
  }
  const webhooks::PeopleFile* people = config_.people ? config_.people(event.workspace) : nullptr;
  std::vector<std::string> addresses;
  for (const nlohmann::json& item : *listed) {
    if (!item.is_string()) return Status::InvalidArgument("event " + event.id + ": a recipient is not a string");
    const std::string& recipient = item.get_ref<const std::string&>();
    std::string address;
    if (recipient.starts_with("user:")) {
      std::string_view id = std::string_view(recipient).substr(5);
      if (people == nullptr) {
        return Status::InvalidArgument("recipient " + recipient + ": workspace " + event.workspace + " has no people file");
      }
      const webhooks::Person* person = people->ById(id);
      if (person == nullptr) {
        return Status::InvalidArgument("recipient " + recipient + " is not in the people file of workspace " + event.workspace);
      }
      if (person->email.empty()) {
        return Status::InvalidArgument("recipient " + recipient + " has no email in the people file of workspace " + event.workspace);
      }
      address = person->email;
    } else if (EnvelopeAddress(recipient).ok()) {
      address = recipient;
    } else {
      return Status::InvalidArgument("recipient " + recipient + " is neither user:ID nor a mail address");
    }
    if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) addresses.push_back(address);
  }
  return addresses;
}

}  // namespace keel::sinks
