// keel serve --config FILE: keel next to Kafka. Consumes the input topics
// in a consumer group, one log per partition, runs the rules, fires each
// log's due timers by the system clock, publishes the derived events through
// the outbox, dead-letters what it cannot ingest.
#include <csignal>
#include <iostream>
#include <map>
#include <mutex>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/rule_pack.h"
#include "server/serve_config.h"
#include "server/serve_http.h"
#include "connectors/json_log.h"
#include "server/kafka_serve.h"
#include "engine/schema/schema_registry.h"
#include "rules/react/rule_reactor.h"
#include "rules/react/ruleset_store.h"

namespace keel::cli {
namespace {

std::atomic<bool> g_stop{false};
// What time it is for the partitions' timers.
const SystemClock g_wall_clock;

void RequestStop(int) { g_stop.store(true); }

Result<KafkaServeOptions> ServeOptions(const ServeConfig& config) {
  KafkaServeOptions options;
  options.input_topics = config.input_topics;
  options.group_id = config.group;
  options.dead_letter_topic = config.dead_letter_topic;
  options.partition.data_dir = config.data;
  KEEL_ASSIGN_OR_RETURN(options.partition.log.sync, ParseSyncMode(config.sync));
  options.partition.log.max_cascade_depth = config.max_depth;
  options.partition.decode.max_event_bytes = config.max_event_bytes;
  options.partition.decode.time_window = {.days = config.event_time_window_days, .clock = &g_wall_clock};
  options.partition.outbox.topic = config.output_topic;
  options.partition.outbox.publish_all = config.publish == "all";
  options.kafka = {{"bootstrap.servers", config.brokers}, {"client.id", "keel"}};
  options.kafka.insert(options.kafka.end(), config.kafka.begin(), config.kafka.end());
  options.consumer = config.consumer;
  options.producer = config.producer;
  options.max_batch = config.batch_max_messages;
  options.max_wait = std::chrono::milliseconds(config.batch_max_wait_ms);
  options.ingest_threads = config.ingest_threads;
  options.drain_timeout = std::chrono::milliseconds(config.drain_timeout_ms);
  options.partition.clock = &g_wall_clock;
  return options;
}

// Every partition log runs the same rule set, activated in each log at the
// time of the first event it sees there. Each log gets a reactor of its own:
// a reactor binds each event into its own activation, and partitions are
// appended on several threads at once.
class RulesForPartitions {
 public:
  RulesForPartitions(const rules::RuleSet& set, const SchemaRegistry* schemas, const CascadeLimits& limits,
                     TimeWindow window)
      : set_(set), schemas_(schemas), limits_(limits), window_(window) {}

  PartitionHooks Hooks() {
    PartitionHooks hooks;
    hooks.opened = [this](EventLog& log) -> Status {
      log.SetReactor(std::make_shared<rules::RuleReactor>(set_), schemas_);
      KEEL_ASSIGN_OR_RETURN(std::optional<std::string> active, log.ActiveRuleSet());
      // Active under other limits (max_depth changed): activated again,
      // so the log records the limits it runs under from here on.
      KEEL_ASSIGN_OR_RETURN(CascadeLimits recorded, log.ActiveRuleSetLimits());
      SetActive(log, active && *active == set_.hash() && recorded == limits_);
      return Status::OK();
    };
    hooks.before_group = [this](EventLog& log, std::span<const IngestItem> items) -> Status {
      if (IsActive(log)) return Status::OK();
      std::optional<std::string> time = FirstEventTime(items, window_);
      if (!time) return Status::OK();
      return Activate(log, *time);
    };
    // A timer that fell due before any input came (after a restart, say)
    // is the first event the set applies to: it takes effect at its time.
    hooks.before_timers = [this](EventLog& log, int64_t first_due_micros) -> Status {
      if (IsActive(log)) return Status::OK();
      return Activate(log, Rfc3339FromMicros(first_due_micros));
    };
    return hooks;
  }

 private:
  Status Activate(EventLog& log, const std::string& time) {
    KEEL_RETURN_IF_ERROR(rules::ActivateRuleSet(log, set_, time).status());
    SetActive(log, true);
    return Status::OK();
  }

  bool IsActive(const EventLog& log) {
    std::lock_guard lock(mu_);
    auto it = active_.find(&log);
    return it != active_.end() && it->second;
  }

  void SetActive(const EventLog& log, bool active) {
    std::lock_guard lock(mu_);
    active_[&log] = active;
  }

  const rules::RuleSet& set_;
  const SchemaRegistry* schemas_;
  const CascadeLimits limits_;  // the partition logs', from serve.yaml
  const TimeWindow window_;  // an event dead-lettered for its time never activates the set
  std::mutex mu_;  // partitions call the hooks from several threads
  std::map<const EventLog*, bool> active_;  // by open log; set again whenever a log opens
};

// A configuration that cannot work stops serve before it serves anything,
// with exit 2, so that a supervisor does not restart it in a loop.
int ConfigurationError(const Status& status) {
  ReportError("serve", status);
  return kExitUsage;
}

int RunServe(const std::string& config_path) {
  // Before /healthz first answers: a SIGTERM from then on is a clean stop,
  // however early it comes.
  std::signal(SIGTERM, RequestStop);
  std::signal(SIGINT, RequestStop);
  auto config = ReadServeConfig(config_path);
  if (!config.ok()) return ConfigurationError(config.status());
  auto options = ServeOptions(*config);
  if (!options.ok()) return ConfigurationError(options.status());
  Result<rules::RuleSet> set = LoadRuleSetForRun(ResolveRulePack(config->rules, config->templates));
  if (!set.ok()) return ConfigurationError(set.status());
  auto schemas = SchemaRegistry::LoadEmbedded();
  if (!schemas.ok()) return ReportError("serve", schemas.status());
  if (Status s = set->RegisterCustomEventTypes(**schemas); !s.ok()) return ConfigurationError(s);

  ServeMetrics metrics;
  std::atomic<bool> healthy{true};
  ServeHttp http(&metrics, &healthy);
  if (config->http_port != 0) {
    if (Status s = http.Start(config->http_address, config->http_port); !s.ok()) return ConfigurationError(s);
  }
  RulesForPartitions rules(*set, schemas->get(), CascadeLimits{config->max_depth, CascadeLimits().max_derived},
                           {.days = config->event_time_window_days, .clock = &g_wall_clock});
  PartitionHooks hooks = rules.Hooks();
  auto serve = KafkaServe::Create(std::move(options).value(), &hooks, schemas->get(), &metrics);
  if (!serve.ok()) {
    return ConfigurationError(Status::InvalidArgument(config_path + ": " + serve.status().message()));
  }
  Log(LogLevel::kInfo, "keel serve started",
      {{"rules", set->hash().substr(0, 12)}, {"http_port", std::to_string(config->http_port)}});
  Status served = (*serve)->Run(g_stop);
  healthy.store(false);
  serve->reset();
  if (!served.ok()) return ReportError("serve", served);
  return kExitOk;
}

}  // namespace

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto config = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "serve", "Serve Kafka: consume the input topics in a consumer group (one log per partition), run the rules, "
               "publish derived events to the output topic, send what cannot be ingested to the dead-letter topic. "
               "Stops cleanly on SIGTERM or SIGINT. README, \"With Kafka\", lists the settings.");
  command->add_option("--config", *config, "The YAML configuration file")->required();
  command->callback([config, exit_code] { *exit_code = RunServe(*config); });
}

}  // namespace keel::cli
