// keel bench webhooks (issue 21): signed Jira deliveries over loopback HTTP,
// mapped by the built-in `jira` mapping and appended to the embedded log, in
// process with the pieces `keel serve` wires (server::WebhookReceiver routes
// on keel's HTTP server, LocalIngest on a temp folder, keel's CEL). Each
// delivery is a ~15 KB `jira:issue_updated` body signed with X-Hub-Signature
// and carries its own X-Atlassian-Webhook-Identifier, so each appends an
// event. In the same run, alternating, so the costs are separable:
//   mapping:  MapDelivery alone on one thread, no HTTP, no log;
//   ceiling:  the HTTP server answering the same signed requests with nothing
//             behind it (as `keel bench http`);
//   full:     the whole path, closed loop (deliveries/s), then a steady rate
//             (p50/p99 latency from when each delivery was due).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "cli/bench/bench.h"
#include "cli/bench/bench_webhooks_body.h"
#include "cli/bench/http_load.h"
#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/report.h"
#include "connectors/http/http_server.h"
#include "connectors/http/signatures.h"
#include "connectors/webhooks/builtin_mappings.h"
#include "connectors/webhooks/dead_letters.h"
#include "connectors/webhooks/map_delivery.h"
#include "engine/schema/schema_registry.h"
#include "rules/expressions.h"
#include "server/local_ingest.h"
#include "server/webhook_receiver.h"

namespace keel::cli {
namespace {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

constexpr char kPath[] = "/hooks/jira";
constexpr char kSecretEnv[] = "KEEL_BENCH_JIRA_SECRET";
constexpr char kIdHeader[] = "X-Atlassian-Webhook-Identifier";
constexpr int kIssues = 64;  // distinct issues the deliveries cycle through

struct WebhooksBenchFlags {
  uint64_t requests = 20000;
  int connections = 32;
  size_t workers = 32;  // serve's default (server/serve_http.h)
  size_t body_bytes = 15 * 1024;
  uint64_t map_deliveries = 5000;
  double rate = 1000;
  double steady_seconds = 5;
  int repetitions = 3;
  std::string sync = "batch";
  std::string dir;
  bool json = false;
};

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

// The pieces serve wires for one `webhooks:` entry (source: jira) in
// embedded mode, on a temp folder.
struct Receiver {
  std::unique_ptr<SchemaRegistry> schemas;
  PartitionHooks no_rules;
  ServeMetrics metrics;
  std::unique_ptr<server::LocalIngest> ingest;
  rules::CelExpressionCompiler compiler;
  std::unique_ptr<webhooks::DeadLetterStore> dead_letters;
  std::unique_ptr<server::WebhookReceiver> receiver;
  std::unique_ptr<http::HttpServer> http;

  ~Receiver() {
    if (http) http->Stop();
    if (ingest) (void)ingest->Close();
  }
};

Status StartReceiver(const WebhooksBenchFlags& flags, const fs::path& root, Receiver* out) {
  KEEL_ASSIGN_OR_RETURN(out->schemas, SchemaRegistry::LoadEmbedded());
  KEEL_ASSIGN_OR_RETURN(SyncMode sync, ParseSyncMode(flags.sync));
  server::LocalIngestOptions options;
  options.dir = root / "log";
  options.sync = sync;
  KEEL_ASSIGN_OR_RETURN(out->ingest, server::LocalIngest::Open(options, out->no_rules, out->schemas.get(),
                                                               &out->metrics));
  KEEL_ASSIGN_OR_RETURN(out->dead_letters, webhooks::DeadLetterStore::Open(root / webhooks::kDeadLetterFolder, {}));
  server::ReceiverConfig config;
  server::WebhookEndpointConfig jira;
  jira.source = "jira";
  jira.name = "jira";
  jira.path = kPath;
  jira.workspace = "acme";
  jira.secret_env = kSecretEnv;
  config.webhooks.push_back(jira);
  server::ReceiverParts parts;
  parts.compiler = &out->compiler;
  parts.schemas = out->schemas.get();
  parts.dead_letters = out->dead_letters.get();
  parts.submit = [ingest = out->ingest.get()](std::vector<std::string> events, server::SubmitDone done) {
    ingest->Submit(std::move(events), std::move(done));
  };
  parts.now_rfc3339 = [] { return std::string("1970-01-01T00:00:00Z"); };
  KEEL_ASSIGN_OR_RETURN(out->receiver, server::WebhookReceiver::Create(config, std::move(parts)));
  http::HttpServerLimits limits;
  limits.workers = flags.workers;
  limits.request_deadline = std::chrono::seconds(30);  // as serve with webhooks
  out->http = std::make_unique<http::HttpServer>(limits);
  for (const auto& route : out->receiver->Routes()) out->http->Route(route.method, route.path, route.handler);
  return out->http->Start("127.0.0.1", 0);
}

// MapDelivery alone, one thread, one reused scope: deliveries/s.
Result<double> MappingRate(const Receiver& receiver, const webhooks::Mapping& mapping, const HttpLoad& load,
                           uint64_t count) {
  std::unique_ptr<ExpressionScope> scope = receiver.compiler.NewScope();
  webhooks::MapOptions options;
  options.workspace = "acme";
  options.schemas = receiver.schemas.get();
  webhooks::Delivery delivery;
  delivery.endpoint = "jira";
  auto start = Steady::now();
  for (uint64_t i = 0; i < count; ++i) {
    delivery.headers = {{"x-atlassian-webhook-identifier", "map-" + std::to_string(i)},
                        {"content-type", "application/json"}};
    delivery.body = load.bodies[i % load.bodies.size()];
    webhooks::MappingOutcome outcome = webhooks::MapDelivery(mapping, delivery, options, *scope);
    if (outcome.kind != webhooks::MappingOutcome::Kind::kEvents || outcome.events.empty()) {
      return Status::Internal("the jira mapping did not map the bench delivery: " + outcome.reason);
    }
  }
  return static_cast<double>(count) / std::chrono::duration<double>(Steady::now() - start).count();
}

// Every request answered 2xx, none kept as a dead letter, one event each
// appended to the log.
Status CheckAllAppended(const Receiver& receiver, const HttpLoadResult& result, uint64_t requests,
                        uint64_t* log_seq) {
  if (result.not_2xx != 0) return Status::Internal(std::to_string(result.not_2xx) + " deliveries not answered 2xx");
  if (receiver.dead_letters->size() != 0) {
    return Status::Internal(std::to_string(receiver.dead_letters->size()) + " deliveries became dead letters");
  }
  uint64_t seq = receiver.ingest->log()->Head().seq;
  if (seq - *log_seq != requests) {
    return Status::Internal("the log grew by " + std::to_string(seq - *log_seq) + " events for " +
                            std::to_string(requests) + " deliveries");
  }
  *log_seq = seq;
  return Status::OK();
}

// Removes the bench's folder however the run ends.
struct RemoveOnExit {
  fs::path root;
  ~RemoveOnExit() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
};

struct Figures {
  std::vector<double> mapping, ceiling, full, full_p50, full_p99, steady_p50, steady_p99;
  // CPU of this whole process (server and client) per request, in µs.
  std::vector<double> ceiling_cpu_us, full_cpu_us;
};

int RunWebhooksBenchmark(const WebhooksBenchFlags& flags) {
  const char* what = "bench webhooks";
  if (!ParseSyncMode(flags.sync).ok()) return ReportError(what, ParseSyncMode(flags.sync).status());
  fs::path root = flags.dir.empty() ? fs::temp_directory_path() / ("keel-bench-webhooks-" + std::to_string(::getpid()))
                                    : fs::path(flags.dir);
  std::error_code ec;
  fs::remove_all(root, ec);
  RemoveOnExit remove{root};
  // The secret lives in this process's environment only, as serve reads it.
  const std::string secret = "keel-bench-" + std::to_string(::getpid());
  ::setenv(kSecretEnv, secret.c_str(), 1);

  Figures figures;
  HttpLoad load;
  {
    Receiver receiver;
    if (Status started = StartReceiver(flags, root, &receiver); !started.ok()) return ReportError(what, started);
    Result<webhooks::Mapping> mapping = webhooks::LoadBuiltinMapping("jira", receiver.compiler, receiver.schemas.get());
    if (!mapping.ok()) return ReportError(what, mapping.status());

    // Dated now, so that serve's event time window takes them.
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    for (int k = 0; k < kIssues; ++k) {
      load.bodies.push_back(JiraIssueUpdatedBody(k, now_ms, flags.body_bytes));
      load.body_headers.push_back("X-Hub-Signature: sha256=" + http::HmacSha256Hex(secret, load.bodies.back()) +
                                  "\r\n");
    }
    load.path = kPath;
    load.headers = "User-Agent: Atlassian Webhook HTTP Client\r\n";
    load.connections = flags.connections;
    load.id_header = kIdHeader;

    http::HttpServerLimits limits;
    limits.workers = flags.workers;
    http::HttpServer ceiling(limits);
    ceiling.Route("POST", kPath, [](const http::HttpRequest& request) {
      return http::HttpResponse::Json(request.body.empty() ? 400 : 202, R"({"accepted":true})");
    });
    if (Status started = ceiling.Start("127.0.0.1", 0); !started.ok()) return ReportError(what, started);

    uint64_t log_seq = receiver.ingest->log()->Head().seq;
    for (int r = 0; r < flags.repetitions; ++r) {
      const std::string run = "r" + std::to_string(r) + "-";
      Result<double> mapped = MappingRate(receiver, *mapping, load, flags.map_deliveries);
      if (!mapped.ok()) return ReportError(what, mapped.status());
      figures.mapping.push_back(*mapped);

      load.rate = 0;
      load.requests = flags.requests;
      load.port = ceiling.port();
      load.id_prefix = run + "ceiling-";
      double cpu_before = ProcessCpuSeconds(::getpid());
      Result<HttpLoadResult> nothing = RunHttpLoad(load);
      figures.ceiling_cpu_us.push_back((ProcessCpuSeconds(::getpid()) - cpu_before) * 1e6 /
                                       static_cast<double>(load.requests));
      if (!nothing.ok()) return ReportError(what, nothing.status());
      if (nothing->not_2xx != 0) return ReportError(what, Status::Internal("the ceiling answered non-2xx"));
      figures.ceiling.push_back(nothing->RequestsPerSecond());

      load.port = receiver.http->port();
      load.id_prefix = run + "full-";
      cpu_before = ProcessCpuSeconds(::getpid());
      Result<HttpLoadResult> full = RunHttpLoad(load);
      figures.full_cpu_us.push_back((ProcessCpuSeconds(::getpid()) - cpu_before) * 1e6 /
                                    static_cast<double>(load.requests));
      if (!full.ok()) return ReportError(what, full.status());
      if (Status all = CheckAllAppended(receiver, *full, load.requests, &log_seq); !all.ok()) {
        return ReportError(what, all);
      }
      figures.full.push_back(full->RequestsPerSecond());
      figures.full_p50.push_back(full->LatencyPercentileMs(50));
      figures.full_p99.push_back(full->LatencyPercentileMs(99));

      if (flags.rate > 0) {
        load.rate = flags.rate;
        load.requests = std::max<uint64_t>(1, static_cast<uint64_t>(flags.rate * flags.steady_seconds));
        load.id_prefix = run + "steady-";
        Result<HttpLoadResult> steady = RunHttpLoad(load);
        if (!steady.ok()) return ReportError(what, steady.status());
        if (Status all = CheckAllAppended(receiver, *steady, load.requests, &log_seq); !all.ok()) {
          return ReportError(what, all);
        }
        figures.steady_p50.push_back(steady->LatencyPercentileMs(50));
        figures.steady_p99.push_back(steady->LatencyPercentileMs(99));
      }
    }
    ceiling.Stop();
  }

  const size_t body_bytes = load.bodies[0].size();
  if (flags.json) {
    PrintJson({{"body_bytes", body_bytes},
               {"connections", flags.connections},
               {"workers", flags.workers},
               {"sync", flags.sync},
               {"requests", flags.requests},
               {"repetitions", flags.repetitions},
               {"deliveries_per_second_median", Median(figures.full)},
               {"deliveries_per_second", figures.full},
               {"p50_ms_median", Median(figures.full_p50)},
               {"p99_ms_median", Median(figures.full_p99)},
               {"steady_rate", flags.rate},
               {"steady_p50_ms_median", Median(figures.steady_p50)},
               {"steady_p99_ms_median", Median(figures.steady_p99)},
               {"ceiling_requests_per_second_median", Median(figures.ceiling)},
               {"ceiling_requests_per_second", figures.ceiling},
               {"cpu_us_per_delivery_median", Median(figures.full_cpu_us)},
               {"ceiling_cpu_us_per_request_median", Median(figures.ceiling_cpu_us)},
               {"mapping_deliveries_per_second_median", Median(figures.mapping)},
               {"mapping_deliveries_per_second", figures.mapping}});
    return kExitOk;
  }
  std::printf("POST %s: %zu-byte signed jira:issue_updated deliveries, %d keep-alive connections, %zu workers, "
              "sync %s\n",
              kPath, body_bytes, flags.connections, flags.workers, flags.sync.c_str());
  std::printf("webhooks: %.0f deliveries/s, p50 %.2f ms, p99 %.2f ms (medians of %d runs of %llu)\n",
              Median(figures.full), Median(figures.full_p50), Median(figures.full_p99), flags.repetitions,
              static_cast<unsigned long long>(flags.requests));
  if (flags.rate > 0) {
    std::printf("steady %.0f/s for %.0f s: p50 %.2f ms, p99 %.2f ms\n", flags.rate, flags.steady_seconds,
                Median(figures.steady_p50), Median(figures.steady_p99));
  }
  std::printf("  CPU per delivery (server and load client): %.0f us\n", Median(figures.full_cpu_us));
  std::printf("ceiling (HTTP, nothing behind): %.0f requests/s, CPU per request %.0f us\n", Median(figures.ceiling),
              Median(figures.ceiling_cpu_us));
  std::printf("mapping alone (MapDelivery, one thread): %.0f deliveries/s, %.0f us each\n", Median(figures.mapping),
              Median(figures.mapping) > 0 ? 1e6 / Median(figures.mapping) : 0);
  return kExitOk;
}

}  // namespace

void AddWebhooksBenchmark(CLI::App& bench, int* exit_code) {
  auto flags = std::make_shared<WebhooksBenchFlags>();
  CLI::App* command = bench.add_subcommand(
      "webhooks", "Signed Jira deliveries over HTTP, mapped and appended to the embedded log (deliveries/s, latency)");
  command->add_option("--requests", flags->requests, "Deliveries per closed-loop run")
      ->capture_default_str()
      ->check(WholeNumber("a delivery count", 1));
  command->add_option("--connections", flags->connections, "Keep-alive client connections")
      ->capture_default_str()
      ->check(WholeNumber("a connection count", 1, 1000));
  command->add_option("--workers", flags->workers, "Server worker threads")
      ->capture_default_str()
      ->check(WholeNumber("a worker count", 1, 1000));
  command->add_option("--body-bytes", flags->body_bytes, "Bytes per delivery body (about)")
      ->capture_default_str()
      ->check(WholeNumber("a body size", 4096, 1 << 20));
  command->add_option("--map-deliveries", flags->map_deliveries, "Deliveries of the mapping-alone run")
      ->capture_default_str()
      ->check(WholeNumber("a delivery count", 1));
  command->add_option("--rate", flags->rate, "Deliveries/s of the steady run (0: none)")->capture_default_str();
  command->add_option("--steady-seconds", flags->steady_seconds, "Length of the steady run")->capture_default_str();
  command->add_option("--repetitions", flags->repetitions, "Runs, alternating; medians are reported")
      ->capture_default_str()
      ->check(WholeNumber("a run count", 1, 100));
  command->add_option("--sync", flags->sync, "The log's sync: always, batch or off")->capture_default_str();
  command->add_option("--dir", flags->dir, "Folder for the log (default: a temp folder, removed after)");
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunWebhooksBenchmark(*flags); });
}

}  // namespace keel::cli
