// keel bench api: the HTTP API over a log of a million events (issue 23):
// writes the log (cli/bench/api_bench_log.h), serves it read-only on loopback
// through the same code as `keel serve --db` (ReadOnlyApiBackend and
// ApiServer, no tokens: an admin of every workspace), and measures from a
// loopback client, in one run and alternating, the latency of entity,
// history (100 events), OKR-tree and rules requests, and the time of the set
// of requests the OKR page makes when it loads (me, workspaces, okr).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include <unistd.h>

#include "cli/bench/api_bench_log.h"
#include "cli/bench/bench.h"
#include "cli/json_output.h"
#include "cli/log_access.h"
#include "cli/options.h"
#include "cli/report.h"
#include "connectors/http/http_client.h"
#include "server/api/api_server.h"
#include "server/api_backends.h"

namespace keel::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct ApiBenchFlags {
  ApiBenchShape shape;
  uint64_t requests = 1000;  // of each kind
  int page_loads = 50;
  std::string db;            // reuse (or keep) the log here
  bool json = false;
};

double Milliseconds(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(p / 100.0 * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

class Client {
 public:
  static Result<Client> Create(int port) {
    http::HttpClientOptions options;
    options.max_response_bytes = size_t{64} << 20;
    KEEL_ASSIGN_OR_RETURN(auto client, http::HttpClient::Create(options));
    return Client(std::move(client), "http://127.0.0.1:" + std::to_string(port));
  }
  // GETs `path`, returns the milliseconds it took; an error unless 200.
  Result<double> Get(const std::string& path) {
    http::ClientRequest request;
    request.method = "GET";
    request.url = base_ + path;
    auto start = Clock::now();
    KEEL_ASSIGN_OR_RETURN(http::ClientResponse response, client_->Send(request));
    double ms = Milliseconds(start);
    if (response.status != 200 || response.body_truncated) {
      return Status::Internal("GET " + path + " answered " + std::to_string(response.status) + ": " +
                              response.body.substr(0, 300));
    }
    bytes_ = response.body.size();
    return ms;
  }
  size_t last_bytes() const { return bytes_; }

 private:
  Client(std::unique_ptr<http::HttpClient> client, std::string base) : client_(std::move(client)), base_(std::move(base)) {}
  std::unique_ptr<http::HttpClient> client_;
  std::string base_;
  size_t bytes_ = 0;
};

struct Series {
  explicit Series(const char* n) : name(n) {}
  const char* name;
  std::vector<double> ms;
  size_t bytes = 0;  // of the last answer
};

int RunApiBenchmark(const ApiBenchFlags& flags) {
  const bool temporary = flags.db.empty();
  fs::path db = temporary ? fs::temp_directory_path() / ("keel-bench-api-" + std::to_string(::getpid())) : fs::path(flags.db);
  std::error_code ec;
  auto fail = [&](const Status& s) {
    if (temporary) fs::remove_all(db, ec);
    return ReportError("bench api", s);
  };
  if (fs::exists(db)) {
    return ReportError("bench api", Status::InvalidArgument("--db " + db.string() + " exists: give a new folder"));
  }
  auto written = WriteApiBenchLog(db, flags.shape);
  if (!written.ok()) return fail(written.status());

  auto log = OpenLogForReading(db.string());
  if (!log.ok()) return fail(log.status());
  server::ReadOnlyApiBackend backend(std::move(log).value());
  api::ApiServer server(api::ApiTokens(), /*open_admin=*/true, &backend);
  if (Status started = server.Start("127.0.0.1", 0); !started.ok()) return fail(started);
  auto client = Client::Create(server.port());
  if (!client.ok()) return fail(client.status());

  const std::vector<std::string>& workspaces = written->workspaces;
  auto ws_path = [](const std::string& ws) { return "/api/v1/workspaces/" + ws; };
  // The first OKR tree and the first rules answer, cold: the rules count the
  // whole log once (server/api/rule_stats.h).
  auto first_okr = client->Get(ws_path(workspaces[0]) + "/okr");
  if (!first_okr.ok()) return fail(first_okr.status());
  auto first_rules = client->Get(ws_path(workspaces[0]) + "/rules");
  if (!first_rules.ok()) return fail(first_rules.status());

  Series entity("entity"), history("history (100 events)"), okr("OKR tree"), rules("rules");
  for (uint64_t i = 0; i < flags.requests; ++i) {
    size_t w = i % workspaces.size();
    const std::vector<std::string>& tasks = written->tasks[w];
    const std::vector<std::string>& busy = written->busy_tasks[w];
    const std::string base = ws_path(workspaces[w]);
    struct Ask {
      Series* series;
      std::string path;
    };
    for (const Ask& ask : {Ask{&entity, base + "/entities/task/" + tasks[(i / workspaces.size()) % tasks.size()]},
                           Ask{&history, base + "/entities/task/" + busy[(i / workspaces.size()) % busy.size()] +
                                             "/history?limit=100"},
                           Ask{&okr, base + "/okr"}, Ask{&rules, base + "/rules"}}) {
      auto ms = client->Get(ask.path);
      if (!ms.ok()) return fail(ms.status());
      ask.series->ms.push_back(*ms);
      ask.series->bytes = client->last_bytes();
    }
  }
  std::vector<double> page_loads;
  for (int i = 0; i < flags.page_loads; ++i) {
    auto start = Clock::now();
    for (const std::string& path : {std::string("/api/v1/me"), std::string("/api/v1/workspaces"),
                                    ws_path(workspaces[i % workspaces.size()]) + "/okr"}) {
      auto ms = client->Get(path);
      if (!ms.ok()) return fail(ms.status());
    }
    page_loads.push_back(Milliseconds(start));
  }
  server.Stop();
  if (temporary) fs::remove_all(db, ec);

  const double rate = static_cast<double>(written->events) / written->seconds;
  std::vector<Series*> all = {&entity, &history, &okr, &rules};
  if (flags.json) {
    nlohmann::ordered_json out = {{"events", written->events},
                                  {"workspaces", workspaces.size()},
                                  {"write_seconds", written->seconds},
                                  {"write_events_per_s", rate},
                                  {"requests_per_kind", flags.requests},
                                  {"first_okr_ms", *first_okr},
                                  {"first_rules_ms", *first_rules}};
    const char* keys[] = {"entity", "history", "okr", "rules"};
    for (size_t k = 0; k < all.size(); ++k) {
      out[std::string(keys[k]) + "_p50_ms"] = Percentile(all[k]->ms, 50);
      out[std::string(keys[k]) + "_p99_ms"] = Percentile(all[k]->ms, 99);
      out[std::string(keys[k]) + "_bytes"] = all[k]->bytes;
    }
    out["okr_page_load_median_ms"] = Percentile(page_loads, 50);
    out["okr_page_load_max_ms"] = Percentile(page_loads, 100);
    PrintJson(out);
    return kExitOk;
  }
  std::printf("log: %llu events, %zu workspaces, written in %.1f s (%.0f events/s, batches of 1,000)\n",
              static_cast<unsigned long long>(written->events), workspaces.size(), written->seconds, rate);
  std::printf("served read-only on 127.0.0.1 as keel serve --db does; %llu requests of each kind, alternating:\n",
              static_cast<unsigned long long>(flags.requests));
  for (const Series* s : all) {
    std::printf("  GET %-22s p50 %7.2f ms  p99 %7.2f ms  (%zu bytes)\n", s->name, Percentile(s->ms, 50),
                Percentile(s->ms, 99), s->bytes);
  }
  std::printf("  OKR page load (me, workspaces, okr): median %.2f ms, max %.2f ms (%d loads)\n",
              Percentile(page_loads, 50), Percentile(page_loads, 100), flags.page_loads);
  std::printf("  first OKR tree %.2f ms; first rules %.2f ms (counts the whole log once)\n", *first_okr, *first_rules);
  return kExitOk;
}

}  // namespace

void AddApiBenchmark(CLI::App& bench, int* exit_code) {
  auto flags = std::make_shared<ApiBenchFlags>();
  CLI::App* command = bench.add_subcommand(
      "api", "The HTTP API over a 1M-event log: p99 of entity, history, OKR-tree and rules requests on loopback");
  command->add_option("--events", flags->shape.events, "Events in the log")
      ->capture_default_str()
      ->check(WholeNumber("an event count", 1000));
  command->add_option("--workspaces", flags->shape.workspaces, "Workspaces, each with its OKR tree")
      ->capture_default_str()
      ->check(WholeNumber("a workspace count", 1, 100));
  command->add_option("--requests", flags->requests, "Requests of each kind")
      ->capture_default_str()
      ->check(WholeNumber("a request count", 1));
  command->add_option("--db", flags->db, "Write the log into this new folder and keep it (default: a temporary one)");
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunApiBenchmark(*flags); });
}

}  // namespace keel::cli
