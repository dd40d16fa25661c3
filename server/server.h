// keel serve put together: serve.yaml's settings turned into the Kafka
// group's options, the rule set attached to every partition log, the HTTP
// endpoint started, the group run until asked to stop. cli/cmd_serve.cc
// only reads the command line and turns the outcome into an exit code.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "connectors/serve_metrics.h"
#include "engine/clock.h"
#include "engine/schema/schema_registry.h"
#include "rules/ruleset.h"
#include "server/kafka_serve.h"
#include "server/partition_rules.h"
#include "server/serve_config.h"
#include "server/serve_http.h"

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

  const rules::RuleSet& rules() const { return set_; }

 private:
  Server(const ServeConfig& config, rules::RuleSet set, std::unique_ptr<SchemaRegistry> schemas);

  // Members in the order they are needed: each outlives what is built on it.
  const SystemClock wall_clock_;  // what time it is for the partitions' timers
  rules::RuleSet set_;
  std::unique_ptr<SchemaRegistry> schemas_;
  ServeMetrics metrics_;
  std::atomic<bool> healthy_{true};
  ServeHttp http_;
  PartitionRules partition_rules_;
  PartitionHooks hooks_;
  std::unique_ptr<KafkaServe> serve_;
};

}  // namespace keel::server
