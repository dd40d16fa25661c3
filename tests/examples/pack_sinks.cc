#include "tests/examples/pack_sinks.h"

#include <signal.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "server/serve_config.h"
#include "server/server.h"
#include "tests/cli/run_keel_support.h"
#include "tests/support/file_text.h"
#include "tests/support/spawned_process.h"

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

// `keel serve --config serve_yaml` (embedded mode) over the log `keel run`
// made: it delivers what its sinks select; stopped with SIGTERM once the
// receivers saw `expected_sends` (a clean stop lets the tries in flight
// finish and append their answers).
bool DeliverThroughServe(const fs::path& serve_yaml, size_t expected_sends, const std::function<size_t()>& sent,
                         std::string* error) {
  fs::path dir = serve_yaml.parent_path();
  SpawnedProcess serve({KeelPath(), "serve", "--config", serve_yaml.string()}, dir / "serve.out", dir / "serve.err");
  for (int waited = 0; waited < 300 && sent() < expected_sends; ++waited) {  // 30 s
    if (std::optional<int> ended = serve.Poll()) {
      *error = "keel serve ended with " + std::to_string(*ended) + ":\n" + ReadFileText(dir / "serve.err");
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  serve.Signal(SIGTERM);
  int status = serve.Wait();
  if (status != 0) {
    *error = "keel serve stopped with " + std::to_string(status) + ":\n" + ReadFileText(dir / "serve.err");
    return false;
  }
  if (sent() < expected_sends) {
    *error = "keel serve sent " + std::to_string(sent()) + " of " + std::to_string(expected_sends) + " in 30 s:\n" +
             ReadFileText(dir / "serve.err");
    return false;
  }
  return true;
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
  if (!DeliverThroughServe(serve_yaml, expected_sends, sent, &run.error)) return run;
  run.exported = Export(db, &run.error);
  run.ok = run.error.empty();
  return run;
}

}  // namespace keel::testing
