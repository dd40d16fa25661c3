// keel bench http: keel's HTTP server answering signed 15 KB webhook-sized
// POST requests with nothing behind it, over loopback keep-alive
// connections: the ceiling of `keel bench webhooks` (issue 21), which maps
// and appends the same requests. Closed loop for requests/s, then a steady
// rate for latency.
#include <algorithm>
#include <cstdio>

#include "cli/bench/bench.h"
#include "cli/bench/http_load.h"
#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/report.h"
#include "connectors/http/http_server.h"
#include "connectors/http/signatures.h"

namespace keel::cli {
namespace {

constexpr char kPath[] = "/hooks/bench";
constexpr char kSecret[] = "keel-bench-secret";

struct HttpBenchFlags {
  uint64_t requests = 50000;
  int connections = 8;
  size_t body_bytes = 15 * 1024;
  size_t workers = 8;
  double rate = 1000;
  double steady_seconds = 5;
  int repetitions = 3;
  bool json = false;
};

// A Jira-like issue_updated body of `bytes` bytes (the description fills it).
std::string Body(size_t bytes) {
  std::string head =
      R"({"timestamp":1718000000000,"webhookEvent":"jira:issue_updated","issue_event_type_name":"issue_generic",)"
      R"("user":{"accountId":"5b10ac8d82e05b22cc7d4ef5","displayName":"Dana Scully"},)"
      R"("issue":{"id":"10001","key":"OPS-42","fields":{"summary":"Prepare the launch brief","status":{"name":"In Progress"},)"
      R"("description":")";
  std::string tail =
      R"("}},"changelog":{"id":"10100","items":[{"field":"status","fromString":"To Do","toString":"In Progress"}]}})";
  size_t fill = bytes > head.size() + tail.size() ? bytes - head.size() - tail.size() : 0;
  std::string body = head;
  for (size_t i = 0; i < fill; ++i) body.push_back(static_cast<char>('a' + i % 26));
  return body + tail;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

int RunHttpBenchmark(const HttpBenchFlags& flags) {
  http::HttpServerLimits limits;
  limits.workers = flags.workers;
  http::HttpServer server(limits);
  server.Route("POST", kPath, [](const http::HttpRequest& request) {
    return http::HttpResponse::Json(request.body.empty() ? 400 : 202, R"({"accepted":true})");
  });
  if (Status started = server.Start("127.0.0.1", 0); !started.ok()) return ReportError("bench http", started);

  HttpLoad load;
  load.port = server.port();
  load.path = kPath;
  load.bodies = {Body(flags.body_bytes)};
  load.headers = "X-Hub-Signature: sha256=" + http::HmacSha256Hex(kSecret, load.bodies[0]) + "\r\n";
  load.connections = flags.connections;

  std::vector<double> rates, p50s, p99s, steady_p50s, steady_p99s;
  for (int r = 0; r < flags.repetitions; ++r) {
    load.requests = flags.requests;
    load.rate = 0;
    Result<HttpLoadResult> ceiling = RunHttpLoad(load);
    if (!ceiling.ok()) return ReportError("bench http", ceiling.status());
    if (ceiling->not_2xx != 0) return ReportError("bench http", Status::Internal("some requests were not answered 2xx"));
    rates.push_back(ceiling->RequestsPerSecond());
    p50s.push_back(ceiling->LatencyPercentileMs(50));
    p99s.push_back(ceiling->LatencyPercentileMs(99));
    if (flags.rate > 0) {
      load.rate = flags.rate;
      load.requests = static_cast<uint64_t>(flags.rate * flags.steady_seconds);
      Result<HttpLoadResult> steady = RunHttpLoad(load);
      if (!steady.ok()) return ReportError("bench http", steady.status());
      steady_p50s.push_back(steady->LatencyPercentileMs(50));
      steady_p99s.push_back(steady->LatencyPercentileMs(99));
    }
  }
  server.Stop();
  if (flags.json) {
    PrintJson({{"body_bytes", load.bodies[0].size()}, {"connections", flags.connections},
               {"workers", flags.workers}, {"requests", flags.requests}, {"repetitions", flags.repetitions},
               {"requests_per_second_median", Median(rates)}, {"requests_per_second", rates},
               {"p50_ms_median", Median(p50s)}, {"p99_ms_median", Median(p99s)},
               {"steady_rate", flags.rate}, {"steady_p50_ms_median", Median(steady_p50s)},
               {"steady_p99_ms_median", Median(steady_p99s)}});
    return kExitOk;
  }
  std::printf("POST %s, %zu-byte signed bodies, %d keep-alive connections, %zu workers, nothing behind\n", kPath,
              load.bodies[0].size(), flags.connections, flags.workers);
  std::printf("ceiling: %.0f requests/s, p50 %.2f ms, p99 %.2f ms (medians of %d runs of %llu)\n", Median(rates),
              Median(p50s), Median(p99s), flags.repetitions, static_cast<unsigned long long>(flags.requests));
  if (flags.rate > 0) {
    std::printf("steady %.0f/s for %.0f s: p50 %.2f ms, p99 %.2f ms (medians of %d runs)\n", flags.rate,
                flags.steady_seconds, Median(steady_p50s), Median(steady_p99s), flags.repetitions);
  }
  return kExitOk;
}

}  // namespace

void AddHttpBenchmark(CLI::App& bench, int* exit_code) {
  auto flags = std::make_shared<HttpBenchFlags>();
  CLI::App* command = bench.add_subcommand(
      "http", "keel's HTTP server answering signed webhook-sized POSTs with nothing behind (requests/s, latency)");
  command->add_option("--requests", flags->requests, "Requests per closed-loop run")
      ->capture_default_str()
      ->check(WholeNumber("a request count", 1));
  command->add_option("--connections", flags->connections, "Keep-alive client connections")
      ->capture_default_str()
      ->check(WholeNumber("a connection count", 1, 1000));
  command->add_option("--body-bytes", flags->body_bytes, "Bytes per request body")
      ->capture_default_str()
      ->check(WholeNumber("a body size", 64, 1 << 20));
  command->add_option("--workers", flags->workers, "Server worker threads")
      ->capture_default_str()
      ->check(WholeNumber("a worker count", 1, 1000));
  command->add_option("--rate", flags->rate, "Requests/s of the steady run (0: none)")->capture_default_str();
  command->add_option("--steady-seconds", flags->steady_seconds, "Length of the steady run")->capture_default_str();
  command->add_option("--repetitions", flags->repetitions, "Runs; medians are reported")
      ->capture_default_str()
      ->check(WholeNumber("a run count", 1, 100));
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunHttpBenchmark(*flags); });
}

}  // namespace keel::cli
