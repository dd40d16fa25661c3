// keel serve --config FILE: keel next to Kafka. Consumes the input topics
// in a consumer group, one log per partition, runs the rules, fires each
// log's due timers by the system clock, publishes the derived events through
// the outbox, dead-letters what it cannot ingest. Without `brokers`
// (embedded mode) one local log in DATA/log, with the rules and timers.
#include <csignal>

#include "cli/report.h"
#include "cli/commands.h"
#include "cli/rule_pack.h"
#include "connectors/json_log.h"
#include "server/serve_config.h"
#include "server/server.h"

namespace keel::cli {
namespace {

std::atomic<bool> g_stop{false};

void RequestStop(int) { g_stop.store(true); }

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
  auto config = server::ReadServeConfig(config_path);
  if (!config.ok()) return ConfigurationError(config.status());
  Result<rules::RuleSet> set = LoadRuleSetForRun(ResolveRulePack(config->rules, config->templates));
  if (!set.ok()) return ConfigurationError(set.status());
  auto schemas = SchemaRegistry::LoadEmbedded();
  if (!schemas.ok()) return ReportError("serve", schemas.status());
  auto server = server::Server::Create(config_path, *config, std::move(set).value(), std::move(schemas).value());
  if (!server.ok()) return ConfigurationError(server.status());
  Log(LogLevel::kInfo, "keel serve started",
      {{"rules", (*server)->rules().hash().substr(0, 12)}, {"http_port", std::to_string(config->http_port)},
       {"mode", config->brokers.empty() ? "embedded" : "kafka"}});
  Status served = (*server)->Run(g_stop);
  server->reset();
  if (!served.ok()) return ReportError("serve", served);
  return kExitOk;
}

}  // namespace

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto config = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "serve", "Serve Kafka: consume the input topics in a consumer group (one log per partition), run the rules, "
               "publish derived events to the output topic, send what cannot be ingested to the dead-letter topic. "
               "Without 'brokers' in the configuration: one local log in DATA/log, with the rules and timers. "
               "Stops cleanly on SIGTERM or SIGINT. README, \"With Kafka\", lists the settings.");
  command->add_option("--config", *config, "The YAML configuration file")->required();
  command->callback([config, exit_code] { *exit_code = RunServe(*config); });
}

}  // namespace keel::cli
