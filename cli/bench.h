// keel bench subcommands.
#pragma once

#include <CLI/CLI.hpp>

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

// keel bench cel: one CEL rule condition, ns per evaluation.
void AddCelBenchmark(CLI::App& bench, int* exit_code);

// Peak resident set size of this process so far, in bytes.
size_t PeakRssBytes();

}  // namespace keel::cli
