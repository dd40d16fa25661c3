// The webhook receiver of `keel serve`: one route per `webhooks:` endpoint
// and POST /events (CloudEvents over HTTP). A delivery goes
//
//   signature (on the raw body, constant time; 401 when missing or wrong)
//   -> mapping (connectors/webhooks) -> events -> submit -> answer
//
// and is answered 2xx only once its events are durable (the submit's
// answer, which waits for the log's sync). What a delivery can come to:
//
//   200 mapped: {"events": N, "appended": A, "duplicates": D}; a redelivery
//       maps to the same ids and appends nothing (duplicates == N)
//   200 with brokers (Kafka mode), once the brokers acknowledged the events
//       on the input topic: {"events": N, "produced": N}; the partition's
//       owner appends them (a redelivery appends nothing there)
//   200 ignored by the mapping: {"ignored": REASON}
//   202 signed but not mappable, or an event the log refused: kept as a dead
//       letter (`keel deliveries`; with brokers, on the dead-letter topic),
//       {"dead_letter": ID, "reason": REASON}; the
//       tool neither retries for ever nor disables the hook
//   401 signature missing or wrong; nothing kept
//   413 body over max_body_bytes (the HTTP server, before reading it)
//   503 busy (the submit queue is full) or the dead letters are full: the
//       tool retries later (Retry-After)
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/http/http_server.h"
#include "connectors/http/signatures.h"
#include "connectors/webhooks/dead_letters.h"
#include "connectors/webhooks/mapping.h"
#include "connectors/webhooks/people.h"
#include "engine/expression.h"
#include "engine/mutex.h"
#include "server/local_ingest.h"
#include "server/webhook_config.h"

namespace keel::server {

// Where mapped events go: the embedded log (LocalIngest::Submit) or, with
// brokers, the input topic. Calls `done` once, when the events are durable
// or refused.
using SubmitEvents = std::function<void(std::vector<std::string> events, SubmitDone done)>;

struct ReceiverParts {
  const ExpressionCompiler* compiler = nullptr;  // for mappings and workspace_from
  const SchemaRegistry* schemas = nullptr;       // mapped events are checked against their types
  webhooks::DeadLetterStore* dead_letters = nullptr;
  SubmitEvents submit;
  // Kafka mode: `submit` answers once the brokers acknowledged the events,
  // before any partition appended them, so a 200 says {"events": N,
  // "produced": N} instead of appended and duplicates.
  bool answers_produced = false;
  // Kafka mode: keeps a dead letter (with its id set) on the dead-letter
  // topic instead of in `dead_letters`; OK once the broker acknowledged it.
  std::function<Status(const webhooks::DeadLetter&)> produce_dead_letter;
  // The wall clock for a dead letter's `received` (never for an event).
  std::function<std::string()> now_rfc3339;
};

// What became of a signed delivery (or a redriven dead letter).
enum class DeliveryKind : uint8_t { kMapped, kIgnored, kDeadLetter, kUnavailable };
std::string_view DeliveryKindName(DeliveryKind kind);  // "mapped", "ignored", "dead_letter", "unavailable"

class WebhookReceiver {
 public:
  // Loads every endpoint's mapping and people file and reads every secret
  // from the environment; the first problem fails it, naming the entry.
  static Result<std::unique_ptr<WebhookReceiver>> Create(const ReceiverConfig& config, ReceiverParts parts);
  ~WebhookReceiver();

  // POST on each endpoint's path, and on the events route, for the HTTP
  // server to register. The handlers use this receiver: stop the server
  // before destroying it.
  struct Route {
    std::string method;
    std::string path;
    http::HttpHandler handler;
  };
  std::vector<Route> Routes() const;

  http::HttpResponse HandleWebhook(size_t endpoint, const http::HttpRequest& request) const;
  http::HttpResponse HandleEvents(const http::HttpRequest& request) const;

  // Maps a dead letter again through its endpoint's mapping (fixed since, it
  // is hoped) and submits the events. Mapped or now ignored: the letter is
  // removed. Still not mappable: it stays, with the new reason. NotFound when
  // the configuration has no endpoint of the letter's name.
  struct RedriveResult {
    DeliveryKind kind;
    std::string detail;  // the reason, or what was appended
  };
  Result<RedriveResult> Redrive(const webhooks::DeadLetter& letter) const;

  // Deliveries by endpoint and outcome, in Prometheus text format.
  std::string PrometheusText() const;

 private:
  struct Endpoint;
  struct Counters;
  explicit WebhookReceiver(ReceiverParts parts);
  // A scope for one delivery's mapping: an idle one when there is one, so
  // each HTTP worker makes its scope once rather than once per delivery.
  std::unique_ptr<ExpressionScope> BorrowScope() const;
  void ReturnScope(std::unique_ptr<ExpressionScope> scope) const;
  struct DeliveryResult {
    DeliveryKind kind;
    http::HttpResponse answer;
    std::string detail;
  };
  // A delivery whose signature was checked: mapped, submitted, answered.
  DeliveryResult Deliver(const Endpoint& endpoint, const std::map<std::string, std::string>& headers,
                         std::string_view body, const std::string& received) const;
  DeliveryResult KeepDeadLetter(const Endpoint& endpoint, const std::map<std::string, std::string>& headers,
                                std::string_view body, const std::string& received, const std::string& delivery_id,
                                const std::string& reason) const;

  ReceiverParts parts_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
  webhooks::PeopleFiles people_;
  std::string events_path_;
  std::optional<http::SignatureVerifier> events_token_;  // none: no events route
  std::unique_ptr<Counters> events_counters_;
  mutable Mutex scopes_mu_;
  mutable std::vector<std::unique_ptr<ExpressionScope>> idle_scopes_ GUARDED_BY(scopes_mu_);
};

}  // namespace keel::server
