// keel bench subcommands.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "connectors/synthetic_events.h"
#include "engine/ingest/ingest.h"
#include "rules/ruleset.h"

namespace keel::cli {

// keel bench ingest --events N: keel's ingest against raw RocksDB writes.
void AddIngestBenchmark(CLI::App& bench, int* exit_code);

// keel bench rules: rules inside ingest (ratio to plain ingest, scaling).
void AddRulesBenchmark(CLI::App& bench, int* exit_code);

// The 100 rules over 20 event types of `keel bench rules` (about one
// synthetic event in ten fires one add_comment).
rules::RuleSetSources BenchRatioRules();

// keel bench audit: replay and verify against a raw scan of the same log.
void AddAuditBenchmark(CLI::App& bench, int* exit_code);

// keel bench timers: N pending timers in RocksDB, scheduling and firing rates, peak RSS.
void AddTimersBenchmark(CLI::App& bench, int* exit_code);

// keel bench kafka: keel serve against the mock cluster (throughput, kcat ceiling, latency).
void AddKafkaBenchmark(CLI::App& bench, int* exit_code);

// keel bench submit: embedded serve's durable submit path from N client threads.
void AddSubmitBenchmark(CLI::App& bench, int* exit_code);

// keel bench cel: one CEL rule condition, ns per evaluation.
void AddCelBenchmark(CLI::App& bench, int* exit_code);

// keel bench http: keel's HTTP server with nothing behind it (the webhook receiver's ceiling).
void AddHttpBenchmark(CLI::App& bench, int* exit_code);

// keel bench webhooks: signed Jira deliveries over HTTP, mapped and appended
// (deliveries/s, latency), with the HTTP ceiling and the mapping alone.
void AddWebhooksBenchmark(CLI::App& bench, int* exit_code);

// keel bench sinks: the outbox to a loopback webhook sink, signed
// (deliveries/s, append-to-delivery lag), with the HTTP client's ceiling.
void AddSinksBenchmark(CLI::App& bench, int* exit_code);

// keel bench api: the HTTP API over a 1M-event log (entity, history, OKR
// tree and rules latency; the OKR page's load).
void AddApiBenchmark(CLI::App& bench, int* exit_code);

// keel bench all: every benchmark above, one table and JSON (cli/bench/bench_all.h).
void AddAllBenchmarks(CLI::App& bench, int* exit_code);

// Synthetic events `first` .. `first + count - 1` as NDJSON text and the
// items pointing into it (positions from first + 1). Generated outside the
// timed sections, so that what is measured is the writing.
struct SyntheticChunk {
  std::string text;
  std::vector<IngestItem> items;
};
void GenerateSyntheticChunk(const SyntheticEvents& source, uint64_t first, uint64_t count, SyntheticChunk* chunk);

// Peak resident set size of this process so far, in bytes.
size_t PeakRssBytes();

// CPU seconds (user and system, every thread) process `pid` has used so
// far, from /proc/PID/stat; 0 when it cannot be read. CPU per event holds
// steady where events/s swing with what else shares the cores.
double ProcessCpuSeconds(pid_t pid);

}  // namespace keel::cli
