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
constexpr std::string_view kVariables[] = {"event"};

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

Result<std::shared_ptr<const Expression>> CompileField(const ExpressionCompiler& compiler, const std::string& sink,
                                                       std::string_view field, const std::string& text) {
  std::vector<std::string> variables(std::begin(kVariables), std::end(kVariables));
  ExpressionError error;
  auto compiled = compiler.Compile(text, ExpressionForm::kTemplate, variables, &error);
  if (!compiled.ok()) {
    return Status::InvalidArgument("sink " + sink + ": " + std::string(field) + ": " + std::to_string(error.line) + ":" +
                                   std::to_string(error.column) + ": " + error.message);
  }
  return std::move(compiled).value();
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
  const std::string sink = config.sink;
  if (Result<std::string> from = EnvelopeAddress(config.from); !from.ok()) {
    return from.status().WithContext("sink " + sink + ": from");
  }
  std::unique_ptr<EmailChannel> channel(new EmailChannel(std::move(config), compiler));
  if (!channel->config_.subject.empty()) {
    KEEL_ASSIGN_OR_RETURN(channel->subject_, CompileField(compiler, sink, "subject", channel->config_.subject));
  }
  KEEL_ASSIGN_OR_RETURN(channel->text_, CompileField(compiler, sink, "text", channel->config_.text));
  Result<std::unique_ptr<SmtpClient>> smtp = SmtpClient::Create(channel->config_.smtp);
  if (!smtp.ok()) return smtp.status().WithContext("sink " + sink + ": smtp");
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

  std::unique_ptr<ExpressionScope> scope = compiler_.NewScope();
  const webhooks::PeopleFile* people = config_.people ? config_.people(event.workspace) : nullptr;
  scope->SetPeople(people);
  KEEL_RETURN_IF_ERROR(scope->BindJsonText("event", event.canonical));
  MailMessage mail;
  KEEL_ASSIGN_OR_RETURN(mail.text, Render(*text_, "text", *scope));
  if (subject_) {
    KEEL_ASSIGN_OR_RETURN(mail.subject, Render(*subject_, "subject", *scope));
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
    result.detail = "sink " + config_.sink + ": an email sink got a message that is not a mail";
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

Result<std::string> EmailChannel::Render(const Expression& expression, std::string_view field, ExpressionScope& scope) const {
  Result<nlohmann::json> value = expression.Evaluate(scope);
  if (!value.ok()) return value.status().WithContext(std::string(field));
  if (value->is_string()) return value->get<std::string>();
  if (value->is_null()) return Status::InvalidArgument(std::string(field) + ": the template gave null");
  return value->dump();  // a number, a bool, a list or an object: as JSON text
}

}  // namespace keel::sinks
