#include "server/webhook_receiver.h"

#include <algorithm>
#include <future>

#include <nlohmann/json.hpp>

#include "connectors/http/cloudevents_http.h"
#include "connectors/webhooks/builtin_mappings.h"
#include "connectors/webhooks/map_delivery.h"

namespace keel::server {
namespace {

// How long a tool is asked to wait before retrying a 503.
constexpr const char* kRetryAfterBusySeconds = "1";
constexpr const char* kRetryAfterFullSeconds = "60";

http::HttpResponse JsonAnswer(int status, const nlohmann::ordered_json& body) {
  return http::HttpResponse::Json(status, body.dump() + "\n");
}

http::HttpResponse Unavailable(const std::string& reason, const char* retry_after) {
  http::HttpResponse answer = JsonAnswer(503, {{"error", reason}});
  answer.headers.emplace_back("Retry-After", retry_after);
  return answer;
}

// Submits and waits for the answer: the handler runs on an HTTP worker,
// which may block, and must not answer before the events are durable.
SubmitOutcome SubmitAndWait(const SubmitEvents& submit, std::vector<std::string> events) {
  auto promise = std::make_shared<std::promise<SubmitOutcome>>();
  std::future<SubmitOutcome> answer = promise->get_future();
  submit(std::move(events), [promise](SubmitOutcome outcome) { promise->set_value(std::move(outcome)); });
  return answer.get();
}

// Headers that may carry a secret are not kept with a dead letter.
std::map<std::string, std::string> KeptHeaders(const std::map<std::string, std::string>& headers,
                                               const std::string& secret_header) {
  std::map<std::string, std::string> kept;
  for (const auto& [name, value] : headers) {
    if (name == "authorization" || name == "proxy-authorization" || name == "cookie" || name == secret_header) {
      continue;
    }
    kept.emplace(name, value);
  }
  return kept;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// Why the log refused some of a delivery's events, or "" when it took all.
std::string Rejections(const std::vector<AppendResult>& results) {
  std::string reasons;
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].outcome != AppendOutcome::kRejected) continue;
    if (!reasons.empty()) reasons += "; ";
    reasons += "event " + std::to_string(i + 1) + ": " + results[i].error.message();
  }
  return reasons;
}

}  // namespace

struct WebhookReceiver::Counters {
  std::atomic<uint64_t> mapped{0};        // deliveries whose events are in the log
  std::atomic<uint64_t> events{0};        // events appended
  std::atomic<uint64_t> duplicates{0};    // events already in the log (redeliveries)
  std::atomic<uint64_t> produced{0};      // Kafka mode: events acknowledged on the input topic
  std::atomic<uint64_t> ignored{0};
  std::atomic<uint64_t> dead_letters{0};
  std::atomic<uint64_t> unauthorized{0};
  std::atomic<uint64_t> refused{0};       // POST /events: not events keel takes (400)
  std::atomic<uint64_t> unavailable{0};   // busy, stopping, full, or a failed log
};

struct WebhookReceiver::Endpoint {
  std::string name;
  std::string path;
  webhooks::Mapping mapping;
  std::optional<http::SignatureVerifier> signature;  // set once the secret is read
  std::string workspace;  // fixed; empty when the mapping's (workspace_from) decides
  mutable Counters counters;
};

WebhookReceiver::WebhookReceiver(ReceiverParts parts)
    : parts_(std::move(parts)), events_counters_(std::make_unique<Counters>()) {}

WebhookReceiver::~WebhookReceiver() = default;

Result<std::unique_ptr<WebhookReceiver>> WebhookReceiver::Create(const ReceiverConfig& config, ReceiverParts parts) {
  std::unique_ptr<WebhookReceiver> receiver(new WebhookReceiver(std::move(parts)));
  const ExpressionCompiler& compiler = *receiver->parts_.compiler;
  for (const auto& [workspace, file] : config.people) {
    Result<webhooks::PeopleFile> people = webhooks::PeopleFile::LoadFile(file);
    if (!people.ok()) return people.status();
    receiver->people_.Add(workspace, std::make_shared<const webhooks::PeopleFile>(std::move(*people)));
  }
  for (size_t i = 0; i < config.webhooks.size(); ++i) {
    const WebhookEndpointConfig& entry = config.webhooks[i];
    const std::string where = "webhooks[" + std::to_string(i) + "] (" + entry.name + ")";
    auto endpoint = std::make_unique<Endpoint>();
    endpoint->name = entry.name;
    endpoint->path = entry.path;
    endpoint->workspace = entry.workspace;
    Result<webhooks::Mapping> mapping =
        entry.source.empty() ? webhooks::LoadMappingFile(entry.mapping, compiler, receiver->parts_.schemas)
                             : webhooks::LoadBuiltinMapping(entry.source, compiler, receiver->parts_.schemas);
    if (!mapping.ok()) return mapping.status().WithContext(where);
    endpoint->mapping = std::move(*mapping);
    if (!entry.workspace_from.empty()) {
      ExpressionError error;
      std::vector<std::string> variables = {std::string(webhooks::kHeadersVar), std::string(webhooks::kBodyVar),
                                            std::string(webhooks::kEndpointVar)};
      auto expression = compiler.Compile(entry.workspace_from, ExpressionForm::kCel, variables, &error);
      if (!expression.ok()) {
        return Status::InvalidArgument(where + ": workspace_from, column " + std::to_string(error.column) + ": " +
                                       error.message);
      }
      endpoint->mapping.workspace = std::move(*expression);
    }
    if (!endpoint->mapping.signature) {
      return Status::InvalidArgument(where + ": the mapping " + endpoint->mapping.file +
                                     " declares no `signature`; keel takes no unsigned webhooks");
    }
    Result<http::SignatureScheme> scheme = http::SignatureSchemeNamed(endpoint->mapping.signature->scheme);
    if (!scheme.ok()) return Status::InvalidArgument(where + ": " + scheme.status().message());
    Result<std::string> secret = SecretFromEnvironment(entry.secret_env, where + ".secret_env");
    if (!secret.ok()) return secret.status();
    endpoint->signature.emplace(
        http::SignatureCheck{*scheme, endpoint->mapping.signature->header, endpoint->mapping.signature->prefix},
        *secret);
    receiver->endpoints_.push_back(std::move(endpoint));
  }
  if (config.events) {
    Result<std::string> token = SecretFromEnvironment(config.events->token_env, "events.token_env");
    if (!token.ok()) return token.status();
    receiver->events_path_ = config.events->path;
    receiver->events_token_.emplace(http::BearerToken(), *token);
  }
  return receiver;
}

std::vector<WebhookReceiver::Route> WebhookReceiver::Routes() const {
  std::vector<Route> routes;
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    routes.push_back({"POST", endpoints_[i]->path,
                      [this, i](const http::HttpRequest& request) { return HandleWebhook(i, request); }});
  }
  if (events_token_) {
    routes.push_back({"POST", events_path_,
                      [this](const http::HttpRequest& request) { return HandleEvents(request); }});
  }
  return routes;
}

std::unique_ptr<ExpressionScope> WebhookReceiver::BorrowScope() const {
  {
    MutexLock lock(&scopes_mu_);
    if (!idle_scopes_.empty()) {
      std::unique_ptr<ExpressionScope> scope = std::move(idle_scopes_.back());
      idle_scopes_.pop_back();
      return scope;
    }
  }
  return parts_.compiler->NewScope();
}

void WebhookReceiver::ReturnScope(std::unique_ptr<ExpressionScope> scope) const {
  scope->Clear();  // an idle scope holds no delivery's values
  MutexLock lock(&scopes_mu_);
  idle_scopes_.push_back(std::move(scope));
}

WebhookReceiver::DeliveryResult WebhookReceiver::KeepDeadLetter(const Endpoint& endpoint,
                                                                const std::map<std::string, std::string>& headers,
                                                                std::string_view body, const std::string& received,
                                                                const std::string& delivery_id,
                                                                const std::string& reason) const {
  webhooks::DeadLetter letter;
  letter.endpoint = endpoint.name;
  letter.delivery = delivery_id;
  letter.received = received;
  letter.reason = reason;
  letter.headers = KeptHeaders(headers, endpoint.signature->check().scheme == http::SignatureScheme::kToken
                                            ? Lower(endpoint.signature->check().header)
                                            : std::string());
  letter.body = std::string(body);
  Status kept;
  if (parts_.produce_dead_letter) {
    letter.id = webhooks::DeadLetterId(letter.endpoint, letter.delivery, letter.body);
    kept = parts_.produce_dead_letter(letter);
  } else {
    kept = parts_.dead_letters->Put(letter);
  }
  if (!kept.ok()) {
    ++endpoint.counters.unavailable;
    return {DeliveryKind::kUnavailable,
            Unavailable("not mappable (" + reason + "), and it cannot be kept: " + kept.message(),
                        kRetryAfterFullSeconds),
            kept.message()};
  }
  ++endpoint.counters.dead_letters;
  return {DeliveryKind::kDeadLetter, JsonAnswer(202, {{"dead_letter", letter.id}, {"reason", reason}}), reason};
}

http::HttpResponse WebhookReceiver::HandleWebhook(size_t index, const http::HttpRequest& request) const {
  const Endpoint& endpoint = *endpoints_[index];
  if (Status signed_ok = endpoint.signature->Verify(request.headers, request.body);
      !signed_ok.ok()) {
    ++endpoint.counters.unauthorized;
    return JsonAnswer(401, {{"error", signed_ok.message()}});
  }
  std::string received = parts_.now_rfc3339 ? parts_.now_rfc3339() : "";
  return Deliver(endpoint, request.headers, request.body, received).answer;
}

WebhookReceiver::DeliveryResult WebhookReceiver::Deliver(const Endpoint& endpoint,
                                                         const std::map<std::string, std::string>& headers,
                                                         std::string_view body, const std::string& received) const {
  webhooks::Delivery delivery;
  delivery.endpoint = endpoint.name;
  delivery.headers.assign(headers.begin(), headers.end());
  delivery.body = body;
  webhooks::MapOptions options;
  options.workspace = endpoint.workspace;
  options.schemas = parts_.schemas;
  options.people = [this](std::string_view workspace) { return people_.For(workspace); };
  options.max_body_bytes = body.size() + 1;
  std::unique_ptr<ExpressionScope> scope = BorrowScope();
  webhooks::MappingOutcome outcome = webhooks::MapDelivery(endpoint.mapping, delivery, options, *scope);
  ReturnScope(std::move(scope));

  switch (outcome.kind) {
    case webhooks::MappingOutcome::Kind::kIgnored:
      ++endpoint.counters.ignored;
      return {DeliveryKind::kIgnored, JsonAnswer(200, {{"ignored", outcome.reason}}), outcome.reason};
    case webhooks::MappingOutcome::Kind::kRefused:
      return KeepDeadLetter(endpoint, headers, body, received, outcome.delivery_id, outcome.reason);
    case webhooks::MappingOutcome::Kind::kEvents:
      break;
  }
  std::vector<std::string> events;
  events.reserve(outcome.events.size());
  for (const auto& event : outcome.events) events.push_back(event.dump());
  const size_t count = events.size();
  SubmitOutcome submitted = events.empty() ? SubmitOutcome(std::vector<AppendResult>())
                                           : SubmitAndWait(parts_.submit, std::move(events));
  if (!submitted.ok()) {
    ++endpoint.counters.unavailable;
    const Status& error = submitted.status();
    if (error.code() == StatusCode::kInvalidArgument) {
      // An event the mapping made that the ingest path refuses: the mapping's
      // fault, not the tool's, so the delivery waits for a fixed mapping.
      return KeepDeadLetter(endpoint, headers, body, received, outcome.delivery_id, error.message());
    }
    const char* prefix = error.code() == StatusCode::kResourceExhausted ? "busy: " : "";
    return {DeliveryKind::kUnavailable, Unavailable(prefix + error.message(), kRetryAfterBusySeconds),
            error.message()};
  }
  if (std::string rejected = Rejections(*submitted); !rejected.empty()) {
    // With brokers the events were checked before producing, as the
    // partition will check them: nothing of the delivery was produced.
    const char* who = parts_.answers_produced ? "refused before producing: " : "the log refused ";
    return KeepDeadLetter(endpoint, headers, body, received, outcome.delivery_id, who + rejected);
  }
  if (parts_.answers_produced) {
    ++endpoint.counters.mapped;
    endpoint.counters.produced += count;
    return {DeliveryKind::kMapped, JsonAnswer(200, {{"events", count}, {"produced", count}}),
            std::to_string(count) + " produced to the input topic"};
  }
  uint64_t appended = 0, duplicates = 0;
  for (const AppendResult& result : *submitted) {
    (result.outcome == AppendOutcome::kAppended ? appended : duplicates) += 1;
  }
  ++endpoint.counters.mapped;
  endpoint.counters.events += appended;
  endpoint.counters.duplicates += duplicates;
  return {DeliveryKind::kMapped,
          JsonAnswer(200, {{"events", count}, {"appended", appended}, {"duplicates", duplicates}}),
          std::to_string(appended) + " appended, " + std::to_string(duplicates) + " already in the log"};
}

Result<WebhookReceiver::RedriveResult> WebhookReceiver::Redrive(const webhooks::DeadLetter& letter) const {
  const Endpoint* endpoint = nullptr;
  for (const auto& candidate : endpoints_) {
    if (candidate->name == letter.endpoint) endpoint = candidate.get();
  }
  if (endpoint == nullptr) {
    return Status::NotFound("dead letter " + letter.id + " came to endpoint '" + letter.endpoint +
                            "', which the configuration no longer has");
  }
  DeliveryResult result = Deliver(*endpoint, letter.headers, letter.body, letter.received);
  if (result.kind == DeliveryKind::kMapped || result.kind == DeliveryKind::kIgnored) {
    KEEL_RETURN_IF_ERROR(parts_.dead_letters->Remove(letter.id));
  }
  return RedriveResult{result.kind, result.detail};
}

std::string_view DeliveryKindName(DeliveryKind kind) {
  switch (kind) {
    case DeliveryKind::kMapped: return "mapped";
    case DeliveryKind::kIgnored: return "ignored";
    case DeliveryKind::kDeadLetter: return "dead_letter";
    case DeliveryKind::kUnavailable: return "unavailable";
  }
  return "unknown";
}

http::HttpResponse WebhookReceiver::HandleEvents(const http::HttpRequest& request) const {
  Counters& counters = *events_counters_;
  if (Status signed_ok = events_token_->Verify(request.headers, request.body);
      !signed_ok.ok()) {
    ++counters.unauthorized;
    http::HttpResponse answer = JsonAnswer(401, {{"error", signed_ok.message()}});
    answer.headers.emplace_back("WWW-Authenticate", "Bearer");
    return answer;
  }
  Result<std::vector<std::string>> events = http::CloudEventsFromHttp(request.headers, request.body);
  if (!events.ok()) {
    ++counters.refused;
    return JsonAnswer(400, {{"error", events.status().message()}});
  }
  const size_t count = events->size();
  SubmitOutcome submitted = count == 0 ? SubmitOutcome(std::vector<AppendResult>())
                                       : SubmitAndWait(parts_.submit, std::move(*events));
  if (!submitted.ok()) {
    const Status& error = submitted.status();
    if (error.code() == StatusCode::kInvalidArgument) {
      ++counters.refused;
      return JsonAnswer(400, {{"error", error.message()}});
    }
    ++counters.unavailable;
    return Unavailable(error.message(), kRetryAfterBusySeconds);
  }
  if (parts_.answers_produced && Rejections(*submitted).empty()) {
    ++counters.mapped;
    counters.produced += count;
    return JsonAnswer(200, {{"events", count}, {"produced", count}});
  }
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  uint64_t appended = 0, duplicates = 0, rejected = 0;
  bool only_conflicts = true;
  for (const AppendResult& result : *submitted) {
    if (result.outcome == AppendOutcome::kRejected && !result.error.Is(StatusCode::kConflict)) only_conflicts = false;
    switch (result.outcome) {
      case AppendOutcome::kAppended:
        ++appended;
        results.push_back({{"outcome", "appended"}, {"seq", result.seq}});
        break;
      case AppendOutcome::kDuplicate:
        ++duplicates;
        results.push_back({{"outcome", "duplicate"}, {"seq", result.seq}});
        break;
      case AppendOutcome::kRejected:
        ++rejected;
        results.push_back({{"outcome", "rejected"}, {"reason", result.error.message()}});
        break;
    }
  }
  counters.events += appended;
  counters.duplicates += duplicates;
  if (rejected == 0) ++counters.mapped;
  // An event keel does not take (its schema, size, time): 400, and nothing
  // of the request was appended. A conflict (an id stored with other
  // content, a version mismatch) is the sender's to resolve: 409. Both with
  // each event's result.
  int status = rejected == 0 ? 200 : (only_conflicts ? 409 : 400);
  return JsonAnswer(status, {{"events", count},
                                                {"appended", appended},
                                                {"duplicates", duplicates},
                                                {"rejected", rejected},
                                                {"results", results}});
}

std::string WebhookReceiver::PrometheusText() const {
  std::string text =
      "# HELP keel_webhook_deliveries_total Webhook deliveries and POST /events requests by endpoint and outcome.\n"
      "# TYPE keel_webhook_deliveries_total counter\n";
  auto lines = [&](const std::string& endpoint, const Counters& c) {
    for (const auto& [outcome, value] :
         {std::pair{"mapped", &c.mapped}, std::pair{"ignored", &c.ignored}, std::pair{"dead_letter", &c.dead_letters},
          std::pair{"unauthorized", &c.unauthorized}, std::pair{"refused", &c.refused},
          std::pair{"unavailable", &c.unavailable}}) {
      text += "keel_webhook_deliveries_total{endpoint=\"" + endpoint + "\",outcome=\"" + outcome + "\"} " +
              std::to_string(value->load()) + "\n";
    }
  };
  for (const auto& endpoint : endpoints_) lines(endpoint->name, endpoint->counters);
  if (events_token_) lines("events", *events_counters_);
  text +=
      "# HELP keel_webhook_events_total Events from webhooks and POST /events: appended, or already in the log (with "
      "brokers: produced to the input topic).\n"
      "# TYPE keel_webhook_events_total counter\n";
  for (const auto& endpoint : endpoints_) {
    if (parts_.answers_produced) {
      text += "keel_webhook_events_total{endpoint=\"" + endpoint->name + "\",outcome=\"produced\"} " +
              std::to_string(endpoint->counters.produced.load()) + "\n";
      continue;
    }
    text += "keel_webhook_events_total{endpoint=\"" + endpoint->name + "\",outcome=\"appended\"} " +
            std::to_string(endpoint->counters.events.load()) + "\n";
    text += "keel_webhook_events_total{endpoint=\"" + endpoint->name + "\",outcome=\"duplicate\"} " +
            std::to_string(endpoint->counters.duplicates.load()) + "\n";
  }
  if (!parts_.dead_letters) return text;  // Kafka mode: they are on the dead-letter topic
  text += "# HELP keel_dead_letters Dead letters kept, waiting for `keel deliveries redrive`.\n"
          "# TYPE keel_dead_letters gauge\n"
          "keel_dead_letters " +
          std::to_string(parts_.dead_letters->size()) + "\n";
  return text;
}

}  // namespace keel::server
