// keel bench sinks (issue 22): deliveries from the log's outbox to a
// loopback webhook sink, in process with the pieces `keel serve` wires:
// LocalIngest on a temp folder (the embedded log), a SinkRunner with the
// webhook channel (structured CloudEvents, signed with X-Keel-Signature),
// libcurl's HttpClient, and keel's own HTTP server as the receiver, which
// checks each signature, answers 200 and records when each event id came
// (cli/bench/bench_sinks_receiver.h). The events are synthetic inputs, so
// the sink selects inputs too (SelectionOptions::inputs_too): the runner's
// work per event is the same as for a derived one. Each repetition, on a
// log of its own, runs in turn:
//   ceiling:  the same prepared requests sent by the same HttpClient (the
//             channel's Send) from `concurrency` threads, no runner, no log;
//   sink:     the runner started on a log pre-filled with --events events,
//             until the receiver has each of them and the cursor is at the
//             head (deliveries/s, CPU per delivery);
//   steady:   events appended through LocalIngest at --rate, the runner
//             running: the lag from when each event was due to be appended
//             to when the receiver got it (p50/p99).
// The runner follows the log's writer as serve wires it (a LocalIngest
// follower, server/sink_follower.h): woken after each Append, its cursor
// stored in the writer's WriteBatches. With --wake poll it is no follower,
// and only its own 100 ms poll finds the new events.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/bench/bench.h"
#include "cli/bench/bench_sinks_receiver.h"
#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/report.h"
#include "connectors/http/http_client.h"
#include "connectors/sinks/sink_runner.h"
#include "connectors/sinks/webhook_channel.h"
#include "connectors/synthetic_events.h"
#include "engine/log/stored_positions.h"
#include "engine/schema/schema_registry.h"
#include "server/local_ingest.h"
#include "server/sink_follower.h"

namespace keel::cli {
namespace {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

constexpr size_t kFillChunk = 1000;  // events per submit while pre-filling
constexpr auto kWaitLimit = std::chrono::seconds(120);

struct SinksBenchFlags {
  uint64_t events = 20000;
  int concurrency = 4;  // the sink's default
  size_t workers = 32;  // the receiver's workers (serve's default)
  double rate = 1000;
  double steady_seconds = 5;
  int repetitions = 3;
  std::string wake = "notify";
  std::string sync = "batch";
  std::string dir;
  bool json = false;
};

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t at = std::min(values.size() - 1, static_cast<size_t>(p / 100 * static_cast<double>(values.size())));
  return values[at];
}

double SecondsSince(Steady::time_point start) { return std::chrono::duration<double>(Steady::now() - start).count(); }

// Synthetic events `first` .. `first + count - 1` of `source`, as submitted
// text, with their ids.
struct Batch {
  std::vector<std::string> events;
  std::vector<std::string> ids;
};

Result<Batch> MakeEvents(const SyntheticEvents& source, uint64_t first, uint64_t count) {
  Batch batch;
  batch.events.resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    source.Append(first + i, &batch.events[i]);
    nlohmann::json parsed = nlohmann::json::parse(batch.events[i], nullptr, false);
    if (!parsed.is_object() || !parsed.contains("id")) return Status::Internal("a synthetic event without an id");
    batch.ids.push_back(parsed["id"].get<std::string>());
  }
  return batch;
}

// Every event appended (not a duplicate, not refused).
Status CheckAppended(const server::SubmitOutcome& outcome) {
  if (!outcome.ok()) return outcome.status();
  for (const AppendResult& result : *outcome) {
    if (result.outcome != AppendOutcome::kAppended) return Status::Internal("not appended: " + result.error.ToString());
  }
  return Status::OK();
}

Status Fill(server::LocalIngest* ingest, const Batch& batch) {
  for (size_t at = 0; at < batch.events.size(); at += kFillChunk) {
    size_t end = std::min(batch.events.size(), at + kFillChunk);
    std::vector<std::string> chunk(batch.events.begin() + static_cast<std::ptrdiff_t>(at),
                                   batch.events.begin() + static_cast<std::ptrdiff_t>(end));
    KEEL_RETURN_IF_ERROR(CheckAppended(ingest->Submit(std::move(chunk)).get()));
  }
  return Status::OK();
}

// The log and the sink of one repetition.
struct Rig {
  PartitionHooks no_rules;
  ServeMetrics metrics;
  std::unique_ptr<server::LocalIngest> ingest;
  std::unique_ptr<sinks::SinkDeadLetterStore> dead_letters;
  std::unique_ptr<sinks::SinkRunner> runner;

  // The runner stops first, so that Close stores its final cursor.
  ~Rig() {
    if (runner) runner->Stop();
    if (ingest) (void)ingest->Close();
  }
};

Status OpenLog(const SinksBenchFlags& flags, const SchemaRegistry* schemas, const fs::path& dir, Rig* rig) {
  server::LocalIngestOptions options;
  options.dir = dir / "log";
  KEEL_ASSIGN_OR_RETURN(options.sync, ParseSyncMode(flags.sync));
  options.decode.time_window.days = 0;  // the synthetic events are dated in the past
  KEEL_ASSIGN_OR_RETURN(rig->ingest, server::LocalIngest::Open(options, rig->no_rules, schemas, &rig->metrics));
  KEEL_ASSIGN_OR_RETURN(rig->dead_letters, sinks::SinkDeadLetterStore::Open(dir / sinks::kSinkDeadLetterFolder));
  return Status::OK();
}

Status CreateRunner(const SinksBenchFlags& flags, std::shared_ptr<const sinks::Channel> channel, Rig* rig) {
  sinks::SinkOptions options;
  options.name = "bench";
  options.kind = "webhook";
  options.selection.inputs_too = true;
  options.concurrency = flags.concurrency;
  sinks::SinkParts parts;
  parts.log = rig->ingest->log();
  parts.channel = std::move(channel);
  parts.dead_letters = rig->dead_letters.get();
  KEEL_ASSIGN_OR_RETURN(rig->runner, sinks::SinkRunner::Create(std::move(options), std::move(parts)));
  if (flags.wake == "notify") rig->ingest->followers().Add(server::SinkFollower(rig->runner.get()));
  return Status::OK();
}

// Waits until the receiver has `count` distinct events and the sink's
// cursor is at the log's head.
Status WaitDelivered(SinkBenchReceiver& receiver, const Rig& rig, uint64_t count) {
  Steady::time_point deadline = Steady::now() + kWaitLimit;
  if (!receiver.WaitForDistinct(count, deadline)) {
    return Status::Internal("the receiver got " + std::to_string(receiver.tally().distinct) + " of " +
                            std::to_string(count) + " events");
  }
  while (!rig.runner->CaughtUp()) {
    if (Steady::now() >= deadline) return Status::Internal("the sink's cursor did not reach the log's head");
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return Status::OK();
}

// As a follower, the runner's cursor reaches the log in the writer's next
// Append (a meta-only one within cursor_interval when idle).
Status WaitCursorStored(const Rig& rig) {
  const uint64_t cursor = rig.runner->cursor();
  Steady::time_point deadline = Steady::now() + std::chrono::seconds(5);
  for (;;) {
    KEEL_ASSIGN_OR_RETURN(std::optional<uint64_t> stored,
                          ReadSinkCursor(*rig.ingest->log(), rig.runner->cursor_name()));
    if (stored && *stored >= cursor) return Status::OK();
    if (Steady::now() >= deadline) {
      return Status::Internal("the writer did not store the sink's cursor " + std::to_string(cursor) + " (stored: " +
                              (stored ? std::to_string(*stored) : "none") + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// Each event delivered once: no retry, no dead letter, no refusal, no
// duplicate.
Status CheckExactlyOnce(const SinkBenchReceiver& receiver, uint64_t count, const char* phase) {
  SinkBenchReceiver::Tally tally = receiver.tally();
  if (tally.refused != 0 || tally.requests != count || tally.distinct != count) {
    return Status::Internal(std::string(phase) + ": the receiver answered " + std::to_string(tally.requests) +
                            " requests for " + std::to_string(tally.distinct) + " distinct events of " +
                            std::to_string(count) + " (" + std::to_string(tally.refused) + " refused)");
  }
  return Status::OK();
}

Status CheckSinkCounters(const sinks::SinkRunner& runner, uint64_t delivered) {
  sinks::SinkMetrics metrics = runner.Metrics();
  if (metrics.delivered != delivered || metrics.retried != 0 || metrics.dead_lettered != 0) {
    return Status::Internal("the sink counted " + std::to_string(metrics.delivered) + " delivered, " +
                            std::to_string(metrics.retried) + " retried, " + std::to_string(metrics.dead_lettered) +
                            " dead-lettered; expected " + std::to_string(delivered) + ", 0, 0");
  }
  return Status::OK();
}

struct Figures {
  std::vector<double> sink, ceiling, sink_cpu_us, ceiling_cpu_us;
  std::vector<double> steady_p50, steady_p99, steady_max;
  // The part of the lag that is the durable append: from when an event was
  // due to when its submit was answered (the runner may see it a little
  // before: the answer comes after the write).
  std::vector<double> append_p99;
  uint64_t delivered = 0;  // by the runner, over every run (each checked at the receiver)
};

// The ceiling: the channel's Send (the runner's one try: HttpClient, the
// same prepared request) from `concurrency` threads, nothing else.
Status RunCeiling(const SinksBenchFlags& flags, const sinks::Channel& channel, const Rig& rig, uint64_t count,
                  SinkBenchReceiver& receiver, Figures* figures) {
  std::vector<StoredEvent> events;
  std::vector<sinks::OutboundMessage> messages;
  const uint64_t first = rig.ingest->log()->Head().seq - count + 1;
  for (uint64_t seq = first; seq < first + count; ++seq) {
    KEEL_ASSIGN_OR_RETURN(StoredEvent event, rig.ingest->log()->Read(seq));
    KEEL_ASSIGN_OR_RETURN(std::optional<sinks::OutboundMessage> message, channel.Prepare(event));
    if (!message) return Status::Internal("the webhook channel sends nothing for seq " + std::to_string(seq));
    events.push_back(std::move(event));
    messages.push_back(std::move(*message));
  }
  receiver.Reset();
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> failed{0};
  double cpu_before = ProcessCpuSeconds(::getpid());
  Steady::time_point start = Steady::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < flags.concurrency; ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < events.size(); i = next++) {
        if (channel.Send(events[i], messages[i]).outcome != sinks::TryOutcome::kDelivered) ++failed;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  double seconds = SecondsSince(start);
  figures->ceiling_cpu_us.push_back((ProcessCpuSeconds(::getpid()) - cpu_before) * 1e6 / static_cast<double>(count));
  if (failed != 0) return Status::Internal("ceiling: " + std::to_string(failed.load()) + " sends not delivered");
  KEEL_RETURN_IF_ERROR(CheckExactlyOnce(receiver, count, "ceiling"));
  figures->ceiling.push_back(static_cast<double>(count) / seconds);
  return Status::OK();
}

// The runner from a pre-filled log to the head: deliveries/s.
Status RunSink(const SinksBenchFlags& flags, std::shared_ptr<const sinks::Channel> channel, Rig* rig, uint64_t count,
               SinkBenchReceiver& receiver, Figures* figures) {
  receiver.Reset();
  KEEL_RETURN_IF_ERROR(CreateRunner(flags, std::move(channel), rig));
  double cpu_before = ProcessCpuSeconds(::getpid());
  Steady::time_point start = Steady::now();
  rig->runner->Start();
  KEEL_RETURN_IF_ERROR(WaitDelivered(receiver, *rig, count));
  double seconds = SecondsSince(start);
  figures->sink_cpu_us.push_back((ProcessCpuSeconds(::getpid()) - cpu_before) * 1e6 / static_cast<double>(count));
  KEEL_RETURN_IF_ERROR(CheckExactlyOnce(receiver, count, "sink"));
  KEEL_RETURN_IF_ERROR(CheckSinkCounters(*rig->runner, count));
  figures->sink.push_back(static_cast<double>(count) / seconds);
  return Status::OK();
}

// Appends `batch` one event at a time at flags.rate while the runner runs:
// lag from each event's due time to its arrival at the receiver.
Status RunSteady(const SinksBenchFlags& flags, Rig* rig, const Batch& batch, uint64_t delivered_before,
                 SinkBenchReceiver& receiver, Figures* figures) {
  receiver.Reset();
  std::atomic<uint64_t> refused{0}, answered{0};
  std::vector<Steady::time_point> due(batch.events.size()), durable(batch.events.size());
  Steady::time_point begin = Steady::now();
  for (size_t k = 0; k < batch.events.size(); ++k) {
    due[k] = begin + std::chrono::duration_cast<Steady::duration>(
                         std::chrono::duration<double>(static_cast<double>(k) / flags.rate));
    std::this_thread::sleep_until(due[k]);
    rig->ingest->Submit({batch.events[k]}, [&refused, &answered, at = &durable[k]](server::SubmitOutcome outcome) {
      *at = Steady::now();
      if (!CheckAppended(outcome).ok()) ++refused;
      ++answered;
    });
  }
  const uint64_t count = batch.events.size();
  Status delivered = WaitDelivered(receiver, *rig, count);
  // No answer may come after this returns (they count into its locals).
  while (answered < count) std::this_thread::sleep_for(std::chrono::microseconds(200));
  if (refused != 0) return Status::Internal("steady: " + std::to_string(refused.load()) + " events not appended");
  KEEL_RETURN_IF_ERROR(delivered);
  KEEL_RETURN_IF_ERROR(CheckExactlyOnce(receiver, count, "steady"));
  KEEL_RETURN_IF_ERROR(CheckSinkCounters(*rig->runner, delivered_before + count));
  if (flags.wake == "notify") KEEL_RETURN_IF_ERROR(WaitCursorStored(*rig));
  std::unordered_map<std::string, Steady::time_point> arrivals = receiver.Arrivals();
  std::vector<double> lags_ms, appends_ms;
  lags_ms.reserve(count);
  appends_ms.reserve(count);
  for (size_t k = 0; k < count; ++k) {
    auto arrived = arrivals.find(batch.ids[k]);
    if (arrived == arrivals.end()) return Status::Internal("steady: " + batch.ids[k] + " never arrived");
    lags_ms.push_back(std::chrono::duration<double, std::milli>(arrived->second - due[k]).count());
    appends_ms.push_back(std::chrono::duration<double, std::milli>(durable[k] - due[k]).count());
  }
  figures->steady_p50.push_back(Percentile(lags_ms, 50));
  figures->steady_p99.push_back(Percentile(lags_ms, 99));
  figures->steady_max.push_back(Percentile(lags_ms, 100));
  figures->append_p99.push_back(Percentile(appends_ms, 99));
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

Status RunRepetitions(const SinksBenchFlags& flags, const fs::path& root, Figures* figures) {
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<SchemaRegistry> schemas, SchemaRegistry::LoadEmbedded());
  // The secret lives in this process only, as serve reads it from the environment.
  const std::string secret = "keel-bench-" + std::to_string(::getpid());
  SinkBenchReceiver receiver;
  KEEL_RETURN_IF_ERROR(receiver.Start(flags.workers, secret));
  http::HttpClientOptions client_options;
  client_options.timeout = std::chrono::seconds(10);  // serve's default sink timeout
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<http::HttpClient> made, http::HttpClient::Create(client_options));
  std::shared_ptr<const http::HttpClient> client = std::move(made);
  sinks::WebhookChannelOptions channel_options;
  channel_options.url = receiver.url();
  channel_options.secret = secret;
  auto channel = std::make_shared<const sinks::WebhookChannel>(channel_options, client);

  const uint64_t steady_count =
      flags.rate > 0 ? std::max<uint64_t>(1, static_cast<uint64_t>(flags.rate * flags.steady_seconds)) : 0;
  for (int r = 0; r < flags.repetitions; ++r) {
    SyntheticOptions source_options;
    source_options.id_prefix = "r" + std::to_string(r);
    SyntheticEvents source(source_options);
    KEEL_ASSIGN_OR_RETURN(Batch fill, MakeEvents(source, 0, flags.events));
    KEEL_ASSIGN_OR_RETURN(Batch steady, MakeEvents(source, flags.events, steady_count));

    Rig rig;
    KEEL_RETURN_IF_ERROR(OpenLog(flags, schemas.get(), root / ("r" + std::to_string(r)), &rig));
    KEEL_RETURN_IF_ERROR(Fill(rig.ingest.get(), fill));
    KEEL_RETURN_IF_ERROR(RunCeiling(flags, *channel, rig, flags.events, receiver, figures));
    KEEL_RETURN_IF_ERROR(RunSink(flags, channel, &rig, flags.events, receiver, figures));
    figures->delivered += flags.events;
    if (steady_count > 0) {
      KEEL_RETURN_IF_ERROR(RunSteady(flags, &rig, steady, flags.events, receiver, figures));
      figures->delivered += steady_count;
    }
  }
  receiver.Stop();
  return Status::OK();
}

int RunSinksBenchmark(const SinksBenchFlags& flags) {
  const char* what = "bench sinks";
  if (!ParseSyncMode(flags.sync).ok()) return ReportError(what, ParseSyncMode(flags.sync).status());
  fs::path root = flags.dir.empty() ? fs::temp_directory_path() / ("keel-bench-sinks-" + std::to_string(::getpid()))
                                    : fs::path(flags.dir);
  std::error_code ec;
  fs::remove_all(root, ec);
  RemoveOnExit remove{root};
  Figures figures;
  if (Status run = RunRepetitions(flags, root, &figures); !run.ok()) return ReportError(what, run);

  const char* wake = flags.wake == "notify" ? "the log's writer after each Append (a LocalIngest follower, as serve)"
                                            : "its own 100 ms poll only (--wake poll)";
  if (flags.json) {
    PrintJson({{"events", flags.events},
               {"concurrency", flags.concurrency},
               {"workers", flags.workers},
               {"sync", flags.sync},
               {"signed", true},
               {"selection", "inputs_too"},
               {"repetitions", flags.repetitions},
               {"delivered", figures.delivered},
               {"deliveries_per_second_median", Median(figures.sink)},
               {"deliveries_per_second", figures.sink},
               {"cpu_us_per_delivery_median", Median(figures.sink_cpu_us)},
               {"ceiling_requests_per_second_median", Median(figures.ceiling)},
               {"ceiling_requests_per_second", figures.ceiling},
               {"ceiling_cpu_us_per_request_median", Median(figures.ceiling_cpu_us)},
               {"steady_rate", flags.rate},
               {"steady_seconds", flags.steady_seconds},
               {"wake", flags.wake},
               {"lag_p50_ms_median", Median(figures.steady_p50)},
               {"lag_p99_ms_median", Median(figures.steady_p99)},
               {"lag_p99_ms", figures.steady_p99},
               {"lag_max_ms_median", Median(figures.steady_max)},
               {"append_p99_ms_median", Median(figures.append_p99)},
               {"append_p99_ms", figures.append_p99}});
    return kExitOk;
  }
  std::printf("webhook sink to 127.0.0.1 (keel's HTTP server, %zu workers): structured CloudEvents signed with "
              "X-Keel-Signature, concurrency %d, sync %s, input events selected (inputs_too)\n",
              flags.workers, flags.concurrency, flags.sync.c_str());
  std::printf("sink: %.0f deliveries/s from a log of %llu events to the head (median of %d runs)\n",
              Median(figures.sink), static_cast<unsigned long long>(flags.events), flags.repetitions);
  std::printf("  CPU per delivery (runner, client and receiver): %.0f us\n", Median(figures.sink_cpu_us));
  std::printf("ceiling (the same requests, same HttpClient, %d threads, no runner): %.0f requests/s, CPU per "
              "request %.0f us\n",
              flags.concurrency, Median(figures.ceiling), Median(figures.ceiling_cpu_us));
  if (flags.rate > 0) {
    std::printf("lag at %.0f events/s for %.0f s, append to delivery: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                flags.rate, flags.steady_seconds, Median(figures.steady_p50), Median(figures.steady_p99),
                Median(figures.steady_max));
    std::printf("  of which the durable append (due to submit answered, sync %s): p99 %.2f ms\n", flags.sync.c_str(),
                Median(figures.append_p99));
    std::printf("  the runner woken by %s\n", wake);
  }
  std::printf("delivered %llu events, each exactly once (checked at the receiver)%s\n",
              static_cast<unsigned long long>(figures.delivered),
              flags.wake == "notify" && flags.rate > 0 ? "; the sink's cursor stored in the log" : "");
  return kExitOk;
}

}  // namespace

void AddSinksBenchmark(CLI::App& bench, int* exit_code) {
  auto flags = std::make_shared<SinksBenchFlags>();
  CLI::App* command = bench.add_subcommand(
      "sinks", "The outbox to a loopback webhook sink, signed (deliveries/s, CPU per delivery, append-to-delivery "
               "lag at a steady rate), with the HTTP client's ceiling");
  command->add_option("--events", flags->events, "Events in the log the sink delivers, per run")
      ->capture_default_str()
      ->check(WholeNumber("an event count", 1));
  command->add_option("--concurrency", flags->concurrency, "The sink's concurrency (workspaces sent to at once)")
      ->capture_default_str()
      ->check(WholeNumber("a concurrency", 1, 64));
  command->add_option("--workers", flags->workers, "The receiver's worker threads")
      ->capture_default_str()
      ->check(WholeNumber("a worker count", 1, 1000));
  command->add_option("--rate", flags->rate, "Events/s appended in the steady run (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  command->add_option("--steady-seconds", flags->steady_seconds, "Length of the steady run")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 3600.0));
  command->add_option("--wake", flags->wake,
                      "notify: the runner follows the log's writer, as serve wires it; poll: only its 100 ms poll")
      ->capture_default_str()
      ->check(CLI::IsMember({"notify", "poll"}));
  command->add_option("--repetitions", flags->repetitions, "Runs, each on a log of its own; medians are reported")
      ->capture_default_str()
      ->check(WholeNumber("a run count", 1, 100));
  AddSyncOption(command, &flags->sync, "The log's sync: always, batch or off");
  command->add_option("--dir", flags->dir, "Folder for the logs (default: a temp folder, removed after)");
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunSinksBenchmark(*flags); });
}

}  // namespace keel::cli
