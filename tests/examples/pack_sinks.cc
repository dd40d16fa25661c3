#include "tests/examples/pack_sinks.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string_view>
#include <thread>

#include <nlohmann/json.hpp>

#include "connectors/http/http_client.h"
#include "connectors/serve_metrics.h"
#include "connectors/sinks/sink_dead_letters.h"
#include "connectors/sinks/sink_runner.h"
#include "connectors/webhooks/people.h"
#include "engine/clock.h"
#include "engine/json_time.h"
#include "engine/schema/schema_registry.h"
#include "rules/expressions.h"
#include "server/email_sink_channel.h"
#include "server/local_ingest.h"
#include "server/serve_config.h"
#include "server/server.h"
#include "server/sink_config.h"
#include "server/sink_follower.h"
#include "server/sink_http_action.h"
#include "server/sink_letters.h"
#include "tests/cli/run_keel_support.h"
#include "tests/support/file_text.h"

namespace keel::testing {

namespace fs = std::filesystem;

namespace {

const fs::path kSourceRoot = fs::path(KEEL_SOURCE_DIR);

std::vector<std::string> RunArgs(const fs::path& pack) {
  std::vector<std::string> args;
  std::istringstream words(ReadFileText(pack / "run.args"));
  for (std::string word; words >> word;) args.push_back(word);
  return args;
}

// The time the pack's run ends at: its run.args' --until, else the last
// event's. The sinks' log runs on it, so that no timer the run left pending
// fires by today's wall clock.
int64_t RunEndMicros(const fs::path& pack, const std::vector<std::string>& exported) {
  std::vector<std::string> args = RunArgs(pack);
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--until") return TryParseRfc3339Micros(args[i + 1]).value_or(0);
  }
  int64_t last = 0;
  for (const std::string& line : exported) {
    nlohmann::json event = nlohmann::json::parse(line, nullptr, false);
    if (!event.is_object() || !event.contains("time")) continue;
    last = std::max(last, TryParseRfc3339Micros(event["time"].get<std::string>()).value_or(0));
  }
  return last;
}

Result<std::shared_ptr<const http::HttpClient>> MakeHttpClient(const http::HttpClientOptions& options) {
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<http::HttpClient> client, http::HttpClient::Create(options));
  return std::shared_ptr<const http::HttpClient>(std::move(client));
}

std::vector<std::string> Export(const fs::path& db, std::string* error) {
  KeelRun exported = RunKeel({"export", "--db", db.string()});
  if (exported.exit_code != 0) {
    *error = "keel export: " + exported.Describe();
    return {};
  }
  std::vector<std::string> lines;
  for (std::string& line : Lines(exported.out)) {
    if (!line.empty()) lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace

fs::path WritePackServeConfig(const fs::path& pack, const fs::path& dir,
                              const std::function<void(YAML::Node sink)>& adjust_sink) {
  YAML::Node config = YAML::LoadFile((pack / "serve.yaml").string());
  config["data"] = (dir / "data").string();
  config["rules"] = pack.string();
  config["http_port"] = 0;
  config.remove("events");
  if (config["people"]) {
    for (auto entry : config["people"]) entry.second = (kSourceRoot / entry.second.as<std::string>()).string();
  }
  for (auto sink : config["sinks"]) adjust_sink(sink);
  YAML::Emitter out;
  out << config;
  fs::path file = dir / "serve.yaml";
  std::ofstream(file, std::ios::trunc) << out.c_str() << "\n";
  return file;
}

PackDeliveryRun RunPackWithSinks(const fs::path& pack, const fs::path& serve_yaml, size_t expected_sends,
                                 const std::function<size_t()>& sent) {
  PackDeliveryRun run;
  Result<server::ServeConfig> config = server::ReadServeConfig(serve_yaml.string());
  if (!config.ok()) {
    run.error = "serve.yaml: " + config.status().message();
    return run;
  }
  fs::path db = server::EmbeddedLogDir(config->data);
  fs::create_directories(db.parent_path());

  // The rules derive the pack's events, as its expected/ holds them.
  std::vector<std::string> derive = {"run", "--rules", pack.string(), "--events", (pack / "events.ndjson").string(),
                                     "--db", db.string()};
  for (std::string& arg : RunArgs(pack)) derive.push_back(std::move(arg));
  KeelRun ran = RunKeel(derive);
  if (ran.exit_code != 0) {
    run.error = "keel run: " + ran.Describe();
    return run;
  }
  std::vector<std::string> before = Export(db, &run.error);
  if (!run.error.empty()) return run;

  // The log as serve's embedded mode holds it, on the run's clock.
  FakeClock clock(RunEndMicros(pack, before));
  auto schemas = SchemaRegistry::LoadEmbedded();
  if (!schemas.ok()) {
    run.error = schemas.status().message();
    return run;
  }
  ServeMetrics metrics;
  server::LocalIngestOptions ingest_options;
  ingest_options.dir = db;
  ingest_options.clock = &clock;
  ingest_options.decode.time_window.clock = &clock;
  PartitionHooks no_rules;  // answers are inputs; the packs' rules derive nothing from them
  auto ingest = server::LocalIngest::Open(ingest_options, no_rules, schemas->get(), &metrics);
  if (!ingest.ok()) {
    run.error = "the log: " + ingest.status().message();
    return run;
  }

  // Every sink's channel, as serve builds them.
  std::map<std::string, std::shared_ptr<const webhooks::PeopleFile>, std::less<>> people;
  for (const auto& [workspace, file] : config->receiver.people) {
    auto loaded = webhooks::PeopleFile::LoadFile(file);
    if (!loaded.ok()) {
      run.error = loaded.status().message();
      return run;
    }
    people[workspace] = std::make_shared<const webhooks::PeopleFile>(std::move(loaded).value());
  }
  auto people_of = [&people](std::string_view workspace) -> const webhooks::PeopleFile* {
    auto it = people.find(workspace);
    return it == people.end() ? nullptr : it->second.get();
  };
  rules::CelExpressionCompiler compiler;
  server::SinkChannelContext context{.compiler = &compiler, .make_http_client = MakeHttpClient};
  server::SinkChannelBuilders builders = server::WebhookAndChatChannelBuilders();
  builders.emplace("email", server::EmailChannelBuilder(people_of));
  server::HttpActionSinkContext actions;
  actions.people = [&people_of](std::string_view workspace) -> const PeopleDirectory* { return people_of(workspace); };
  actions.schemas = schemas->get();
  builders.emplace("http", server::HttpActionChannelBuilder(actions));

  auto letters = sinks::SinkDeadLetterStore::Open(server::SinkDeadLetterDir(config->data));
  if (!letters.ok()) {
    run.error = letters.status().message();
    return run;
  }
  std::vector<std::unique_ptr<sinks::SinkRunner>> runners;
  for (const server::SinkConfig& sink : config->sinks) {
    auto channel = server::BuildSinkChannel(sink, context, builders);
    if (!channel.ok()) {
      run.error = channel.status().message();
      return run;
    }
    sinks::SinkOptions options;
    options.name = sink.name;
    options.kind = sink.kind;
    options.selection.types = sink.types;
    options.selection.condition = sink.condition;
    options.concurrency = static_cast<int>(sink.concurrency);
    options.retry = {.max_attempts = sink.retry.max_attempts,
                     .initial_delay = sink.retry.initial_delay,
                     .max_delay = sink.retry.max_delay};
    sinks::SinkParts parts;
    // The runner only reads the log; LocalIngest hands it out read-only.
    parts.log = const_cast<EventLog*>((*ingest)->log());
    parts.channel = std::shared_ptr<const sinks::Channel>(std::move(channel).value());
    parts.dead_letters = letters->get();
    parts.expressions = &compiler;
    parts.append_answers = server::LocalAnswerAppender(ingest->get());
    auto runner = sinks::SinkRunner::Create(std::move(options), std::move(parts));
    if (!runner.ok()) {
      run.error = "sink " + sink.name + ": " + runner.status().message();
      return run;
    }
    runners.push_back(std::move(runner).value());
  }
  // The log's writer wakes them after each append and stores their cursors.
  std::vector<std::shared_ptr<AppendFollower>> followers;
  for (auto& runner : runners) {
    followers.push_back(server::SinkFollower(runner.get()));
    (*ingest)->followers().Add(followers.back());
    runner->Start();
  }

  auto done = [&] {
    if (sent() < expected_sends) return false;
    for (auto& runner : runners) {
      if (!runner->CaughtUp()) return false;
    }
    return true;
  };
  for (int waited = 0; waited < 300 && !done(); ++waited) {  // 30 s
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  bool finished = done();
  for (auto& runner : runners) runner->Stop();
  for (const auto& follower : followers) (*ingest)->followers().Remove(follower.get());
  runners.clear();
  if (Status closed = (*ingest)->Close(); !closed.ok()) {
    run.error = "closing the log: " + closed.message();
    return run;
  }
  if (!finished) {
    run.error = "the sinks did not finish in 30 s: " + std::to_string(sent()) + " of " +
                std::to_string(expected_sends) + " sent";
    return run;
  }
  run.exported = Export(db, &run.error);
  run.ok = run.error.empty();
  return run;
}

}  // namespace keel::testing
