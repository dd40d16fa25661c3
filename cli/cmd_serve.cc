// keel serve --config FILE: keel next to Kafka. Consumes the input topics
// in a consumer group, one log per partition, runs the rules, fires each
// log's due timers by the system clock, publishes the derived events through
// the outbox, dead-letters what it cannot ingest. Without `brokers`
// (embedded mode) one local log in DATA/log, with the rules and timers.
//
// keel serve --db DIR [--api-port N] [--tokens FILE]: the API and the page
// over an existing log, read-only: no writer, no Kafka, no rules run.
#include <csignal>
#include <iostream>
#include <thread>

#include "cli/report.h"
#include "cli/commands.h"
#include "cli/rule_pack.h"
#include "cli/log_access.h"
#include "connectors/json_log.h"
#include "server/api/api_server.h"
#include "server/api_backends.h"
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

struct ServeFlags {
  std::string config;
  std::string db;
  int api_port = 8081;
  std::string tokens;
};

// Read-only: the API on loopback over the log in `flags.db` until SIGTERM
// or SIGINT.
int RunReadOnly(const ServeFlags& flags) {
  std::signal(SIGTERM, RequestStop);
  std::signal(SIGINT, RequestStop);
  bool open = flags.tokens.empty();
  api::ApiTokens tokens;
  if (!open) {
    auto loaded = api::ApiTokens::Load(flags.tokens);
    if (!loaded.ok()) return ConfigurationError(loaded.status());
    tokens = std::move(loaded).value();
  }
  auto log = OpenLogForReading(flags.db);
  if (!log.ok()) return ConfigurationError(log.status());
  server::ReadOnlyApiBackend backend(std::move(log).value());
  api::ApiServer api(std::move(tokens), open, &backend);
  const std::string address = "127.0.0.1";
  if (Status started = api.Start(address, flags.api_port); !started.ok()) return ConfigurationError(started);
  if (open) {
    std::cerr << "keel: no --tokens: every request from this machine is answered as an admin of every workspace "
                 "(read-only)\n";
  }
  std::cout << "keel: the page is at http://" << address << ":" << api.port() << "/" << std::endl;
  while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  api.Stop();
  return kExitOk;
}

}  // namespace

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* command = app.add_subcommand(
      "serve", "Serve Kafka: consume the input topics in a consumer group (one log per partition), run the rules, "
               "publish derived events to the output topic, send what cannot be ingested to the dead-letter topic. "
               "Without 'brokers' in the configuration: one local log in DATA/log, with the rules and timers. "
               "Stops cleanly on SIGTERM or SIGINT. README, \"With Kafka\", lists the settings. With --db instead: "
               "the HTTP API and the page over an existing log, read-only, on 127.0.0.1.");
  CLI::Option* config = command->add_option("--config", flags->config, "The YAML configuration file");
  CLI::Option* db = command->add_option("--db", flags->db, "Serve the API and the page over this log, read-only");
  config->excludes(db);
  command->add_option("--api-port", flags->api_port, "With --db: the API's port on 127.0.0.1 (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->needs(db);
  command->add_option("--tokens", flags->tokens,
                      "With --db: the API tokens file; without it every request from this machine is an admin")
      ->needs(db);
  command->callback([flags, exit_code] {
    if (flags->config.empty() && flags->db.empty()) {
      *exit_code = ConfigurationError(Status::InvalidArgument("give --config FILE, or --db DIR for a read-only serve"));
      return;
    }
    *exit_code = flags->db.empty() ? RunServe(flags->config) : RunReadOnly(*flags);
  });
}

}  // namespace keel::cli
