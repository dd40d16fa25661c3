// keel bench rules: what rules cost inside ingest.
//   ratio:   the same synthetic events ingested plain and with 100 rules over
//            20 event types (about one event in ten fires one action).
//   scaling: cost per event with 10, 1,000 and 10,000 rules over 100 event
//            types, each rule guarded by a literal (`event.actor == "..."`),
//            as real rule sets are; none fires, so what is measured is
//            finding and evaluating the candidates.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <unistd.h>

#include "cli/bench/bench.h"
#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/report.h"
#include "connectors/synthetic_events.h"
#include "engine/ingest/ingest.h"
#include "engine/schema/schema_registry.h"
#include "rules/react/attach_rule_set.h"
#include "rules/ruleset.h"

namespace keel::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct RulesBenchFlags {
  uint64_t events = 1000000;
  uint64_t scaling_events = 200000;
  size_t group = 1000;
  std::string dir;
  bool json = false;
};

constexpr uint64_t kChunk = 10000;

// The event types the synthetic source produces.
std::vector<std::string> SyntheticTypes() {
  std::vector<std::string> types;
  for (const char* kind : {"task", "initiative", "goal", "key_result", "kpi"}) {
    for (const char* verb : {"created", "status_changed", "assigned", "updated", "linked"}) {
      types.push_back(std::string(kind) + "." + verb);
    }
  }
  types.insert(types.end(), {"key_result.progress_reported", "kpi.measured", "comment.added"});
  return types;
}

}  // namespace

// 100 rules, 5 on each of 20 types. The first of each fires on ids ending in
// 3 (one event in ten of its type) and adds a comment; the other four are
// guarded by an actor nobody is.
rules::RuleSetSources BenchRatioRules() {
  std::string text = "rules:\n";
  std::vector<std::string> types = SyntheticTypes();
  for (size_t t = 0; t < 20; ++t) {
    const std::string& type = types[t];
    text += "  - id: r" + std::to_string(t) + "-0\n    on: " + type +
            "\n    if: event.id.endsWith(\"3\")\n    then: [{add_comment: \"seen {{ event.id }}\"}]\n";
    for (int k = 1; k < 5; ++k) {
      text += "  - id: r" + std::to_string(t) + "-" + std::to_string(k) + "\n    on: " + type +
              "\n    if: event.actor == \"user:nobody-" + std::to_string(k) +
              "\" && entity.status == \"blocked\"\n    then: [{set_status: done}]\n";
    }
  }
  return {{"rules/bench.yaml", text}};
}

namespace {

// `count` rules over 100 types: the synthetic source's 28 and 72 custom ones.
rules::RuleSetSources ScalingRules(size_t count) {
  std::vector<std::string> types = SyntheticTypes();
  std::string text = "events:\n";
  for (size_t i = types.size(); i < 100; ++i) {
    std::string type = "bench.t" + std::to_string(i);
    text += "  " + type + ": {type: object}\n";
    types.push_back(type);
  }
  text += "rules:\n";
  char actor[32];
  for (size_t i = 0; i < count; ++i) {
    std::snprintf(actor, sizeof actor, "user:member-%03zu", (i / 100) % 200);
    text += "  - id: s" + std::to_string(i) + "\n    on: " + types[i % 100] + "\n    if: event.actor == \"" + actor +
            "\" && event.id.endsWith(\"x\")\n    then: [{add_comment: never}]\n";
  }
  return {{"rules/bench.yaml", text}};
}

struct Run {
  double seconds = 0;
  uint64_t derived = 0;
};

// Ingests the synthetic events into a fresh log at `db`, with `rules` (or
// none) plugged in; only the ingest calls are timed.
Result<Run> Measure(const fs::path& db, const rules::RuleSet* rules, uint64_t events, size_t group) {
  KEEL_ASSIGN_OR_RETURN(auto schemas, SchemaRegistry::LoadEmbedded());
  LogOptions options;
  options.create_if_missing = true;
  options.sync = SyncMode::kOff;
  KEEL_ASSIGN_OR_RETURN(auto log, EventLog::Open(db, options));
  if (rules != nullptr) {
    KEEL_RETURN_IF_ERROR(rules->RegisterCustomEventTypes(*schemas));
    rules::AttachRuleSet(*log, *rules, schemas.get());
  }
  Ingestor ingestor(log.get(), schemas.get());
  SyntheticEvents source;
  Run run;
  SyntheticChunk chunk;
  for (uint64_t first = 0; first < events; first += kChunk) {
    GenerateSyntheticChunk(source, first, std::min(kChunk, events - first), &chunk);
    const std::vector<IngestItem>& items = chunk.items;
    auto start = Clock::now();
    for (size_t i = 0; i < items.size(); i += group) {
      std::span<const IngestItem> slice(items.data() + i, std::min(group, items.size() - i));
      KEEL_ASSIGN_OR_RETURN(auto results, ingestor.IngestGroup(slice));
      for (const AppendResult& r : results) {
        if (r.outcome != AppendOutcome::kAppended) return Status::Internal("refused: " + r.error.ToString());
      }
    }
    run.seconds += std::chrono::duration<double>(Clock::now() - start).count();
  }
  run.derived = log->Head().seq - events;
  return run;
}

Result<rules::RuleSet> Load(rules::RuleSetSources sources) { return rules::RuleSet::LoadFromSources(std::move(sources)); }

int RunRulesBenchmark(const RulesBenchFlags& flags) {
  fs::path root = flags.dir.empty() ? fs::temp_directory_path() / ("keel-bench-rules-" + std::to_string(::getpid()))
                                    : fs::path(flags.dir);
  std::error_code ec;
  fs::remove_all(root, ec);
  auto fail = [&](const Status& s) {
    fs::remove_all(root, ec);
    return ReportError("bench rules", s);
  };
  auto ratio_rules = Load(BenchRatioRules());
  if (!ratio_rules.ok()) return fail(ratio_rules.status());
  auto plain = Measure(root / "plain", nullptr, flags.events, flags.group);
  if (!plain.ok()) return fail(plain.status());
  auto with_rules = Measure(root / "rules", &*ratio_rules, flags.events, flags.group);
  if (!with_rules.ok()) return fail(with_rules.status());

  nlohmann::ordered_json scaling = nlohmann::ordered_json::object();
  auto scaling_plain = Measure(root / "scaling-plain", nullptr, flags.scaling_events, flags.group);
  if (!scaling_plain.ok()) return fail(scaling_plain.status());
  double plain_us = scaling_plain->seconds * 1e6 / static_cast<double>(flags.scaling_events);
  std::vector<double> per_event;
  for (size_t count : {size_t{10}, size_t{1000}, size_t{10000}}) {
    auto set = Load(ScalingRules(count));
    if (!set.ok()) return fail(set.status());
    auto run = Measure(root / ("scaling-" + std::to_string(count)), &*set, flags.scaling_events, flags.group);
    if (!run.ok()) return fail(run.status());
    per_event.push_back(run->seconds * 1e6 / static_cast<double>(flags.scaling_events));
    scaling[std::to_string(count)] = {{"us_per_event", per_event.back()}, {"rules_us_per_event", per_event.back() - plain_us}};
  }
  fs::remove_all(root, ec);

  double plain_rate = static_cast<double>(flags.events) / plain->seconds;
  double rules_rate = static_cast<double>(flags.events) / with_rules->seconds;
  double ratio = rules_rate / plain_rate;
  double scaling_ratio = per_event[2] / per_event[0];
  if (flags.json) {
    PrintJson({{"events", flags.events},
               {"plain_events_per_s", plain_rate},
               {"rules_events_per_s", rules_rate},
               {"ratio", ratio},
               {"derived", with_rules->derived},
               {"scaling_events", flags.scaling_events},
               {"scaling_plain_us_per_event", plain_us},
               {"scaling", scaling},
               {"scaling_ratio_10000_to_10", scaling_ratio}});
    return kExitOk;
  }
  std::printf("plain ingest            %.0f events/s (%llu events)\n", plain_rate, static_cast<unsigned long long>(flags.events));
  std::printf("with 100 rules          %.0f events/s; %llu derived events (%.1f%% of the input)\n", rules_rate,
              static_cast<unsigned long long>(with_rules->derived),
              100.0 * static_cast<double>(with_rules->derived) / static_cast<double>(flags.events));
  std::printf("ratio                   %.2f\n", ratio);
  std::printf("scaling (%llu events): plain %.2f us/event\n", static_cast<unsigned long long>(flags.scaling_events), plain_us);
  const char* names[] = {"10", "1,000", "10,000"};
  for (int i = 0; i < 3; ++i) {
    std::printf("  %-7s rules         %.2f us/event (rules: %+.2f us)\n", names[i], per_event[i], per_event[i] - plain_us);
  }
  std::printf("  10,000 / 10           %.2fx\n", scaling_ratio);
  return kExitOk;
}

}  // namespace

void AddRulesBenchmark(CLI::App& bench, int* exit_code) {
  auto flags = std::make_shared<RulesBenchFlags>();
  CLI::App* command = bench.add_subcommand(
      "rules", "What rules cost inside ingest: synthetic events plain and with 100 rules over 20 types (ratio), "
               "then per-event cost with 10, 1,000 and 10,000 guarded rules over 100 types (scaling)");
  command->add_option("--events", flags->events, "Events for the ratio")
      ->capture_default_str()
      ->check(WholeNumber("an event count", 1));
  command->add_option("--scaling-events", flags->scaling_events, "Events per scaling run")
      ->capture_default_str()
      ->check(WholeNumber("an event count", 1));
  command->add_option("--group", flags->group, "Events per WriteBatch")
      ->capture_default_str()
      ->check(WholeNumber("events per WriteBatch", 1, 100000));
  command->add_option("--dir", flags->dir, "Scratch folder (default: under the temp folder; removed afterwards)");
  AddJsonFlag(command, &flags->json);
  command->callback([flags, exit_code] { *exit_code = RunRulesBenchmark(*flags); });
}

}  // namespace keel::cli
