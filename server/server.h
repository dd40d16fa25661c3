// keel serve put together: serve.yaml's settings turned into the Kafka
// group's options, the rule set attached to every partition log, the HTTP
// endpoint started, the group run until asked to stop. Without brokers
// (embedded mode) one local log in DATA/log takes the place of the group,
// written through LocalIngest. The webhook receiver writes to that log, or
// with brokers produces to the input topic (KafkaSubmit). cli/cmd_serve.cc only reads the command line
// and turns the outcome into an exit code.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "connectors/serve_metrics.h"
#include "engine/clock.h"
#include "engine/schema/schema_registry.h"
#include "rules/ruleset.h"
#include "server/api/api_server.h"
#include "server/api_backends.h"
#include "server/kafka_serve.h"
#include "server/kafka_submit.h"
#include "server/local_ingest.h"
#include "server/partition_rules.h"
#include "server/serve_config.h"
#include "server/serve_http.h"
#include "server/serve_sinks.h"
#include "server/webhook_receiver.h"

namespace keel::server {

class Server {
 public:
  // Everything that can be checked before serving is checked here: an error
  // is a configuration that cannot work (a sync mode, a librdkafka
  // property, a port another process holds, an event type the rules
  // declare twice), to be fixed before a restart can help. `config_path`
  // names the file in messages.
  static Result<std::unique_ptr<Server>> Create(const std::string& config_path, const ServeConfig& config,
                                                rules::RuleSet set, std::unique_ptr<SchemaRegistry> schemas);

  // Serves until `stop` is set; an error is a failure while serving (a
  // broker gone for good, a full disk). /healthz turns 503 as it returns.
  Status Run(const std::atomic<bool>& stop);
  // Maps the dead letters `ids` (every one when empty) again through their
  // endpoints and appends what they map to (WebhookReceiver::Redrive), in
  // the order they arrived. FailedPrecondition without webhooks.
  struct Redriven {
    std::string id;
    DeliveryKind kind;
    std::string detail;
  };
  Result<std::vector<Redriven>> RedriveDeadLetters(const std::vector<std::string>& ids);

  // The HTTP routes use the receiver and the log: they stop first.
  ~Server();

  const rules::RuleSet& rules() const { return set_; }
  // The way into the local log in embedded mode (thread-safe); nullptr with
  // brokers. Lives as long as the Server; Run closes it as it returns (later
  // submits are answered FailedPrecondition).
  LocalIngest* local_ingest() { return local_.get(); }
  // Every kind of sink channel as this serve builds them, for `keel
  // deliveries redrive` (http sinks read the state in the local log).
  SinkChannelBuilders SinkBuilders() const;

 private:
  Server(const ServeConfig& config, rules::RuleSet set, std::unique_ptr<SchemaRegistry> schemas);
  Status RunEmbedded(const std::atomic<bool>& stop);
  // The receiver of config.receiver on the local log, or on the input topic
  // with brokers (`group`: the group's options); its routes on http_.
  Status StartEmbeddedReceiver(const ServeConfig& config);
  Status StartKafkaReceiver(const ServeConfig& config, const KafkaServeOptions& group);
  Status StartReceiver(const ServeConfig& config, ReceiverParts parts);
  // Checks the sinks (secrets, channels, mappings) and, in embedded mode,
  // makes their runners on the local log; Run starts them.
  Status PrepareSinks(const ServeConfig& config, const KafkaServeOptions& group);
  // The API's listener (config.api), on `backend`; nothing without `api:`.
  Status StartApi(const ServeConfig& config, std::unique_ptr<api::ApiBackend> backend);

  // Members in the order they are needed: each outlives what is built on it.
  const SystemClock wall_clock_;  // what time it is for the partitions' timers
  rules::RuleSet set_;
  std::unique_ptr<SchemaRegistry> schemas_;
  ServeMetrics metrics_;
  std::atomic<bool> healthy_{true};
  ServeHttp http_;
  PartitionRules partition_rules_;
  PartitionHooks hooks_;
  HeldLogs held_logs_;  // the partition logs the API reads (Kafka mode); outlives serve_
  std::unique_ptr<KafkaServe> serve_;   // with brokers
  std::unique_ptr<LocalIngest> local_;  // without: embedded mode
  // The webhook receiver and POST /events, when configured.
  std::unique_ptr<ExpressionCompiler> expressions_;
  std::unique_ptr<webhooks::DeadLetterStore> dead_letters_;  // embedded mode
  std::unique_ptr<KafkaSubmit> kafka_submit_;                // with brokers
  std::unique_ptr<WebhookReceiver> receiver_;
  // The sinks: what every log's runners share, and the local log's runners.
  LoadedPeople people_;
  std::unique_ptr<sinks::SinkDeadLetterStore> sink_letters_;
  SinkServeParts sink_parts_;
  LiveSinks live_sinks_;  // for /metrics
  std::unique_ptr<LogSinks> local_sinks_;  // embedded mode; stops before local_ closes
  // The API (serve.yaml `api:`): stops before the log it reads closes.
  std::unique_ptr<api::ApiBackend> api_backend_;
  std::unique_ptr<api::ApiServer> api_;
};

// Where embedded mode keeps its log: DATA/log.
std::filesystem::path EmbeddedLogDir(const std::string& data);
// Where the receiver keeps its dead letters: DATA/dead-letters.
std::filesystem::path DeadLetterDir(const std::string& data);

}  // namespace keel::server
