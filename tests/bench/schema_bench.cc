// Validation cost per event. Not part of ctest. Build and run (the
// CMAKE_PROJECT_INCLUDE hook adds this target without touching other files):
//   cmake -S . -B build-schemas -DCMAKE_BUILD_TYPE=RelWithDebInfo \
//         -DCMAKE_PROJECT_INCLUDE=$PWD/tests/bench/schema_bench.cmake
//   cmake --build build-schemas -j2 --target keel_schema_bench
//   build-schemas/keel_schema_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <fstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include "engine/schema/schema_registry.h"

namespace {

// 300 bytes, the shape the ingest budget is written for.
constexpr std::string_view kStatusChanged =
    R"({"specversion":"1.0","id":"01HZX5K2J8Q9W3E4R5T6Y7U8I9","source":"jira/acme",)"
    R"("type":"task.status_changed","time":"2026-03-02T09:00:00Z","subject":"task/T-1042",)"
    R"("workspace":"acme","actor":"user:alice","datacontenttype":"application/json",)"
    R"("traceparent":"00-4bf92f3577b34da6","data":{"from":"planned","to":"in_progress"}})";

constexpr std::string_view kCreated =
    R"({"specversion":"1.0","id":"evt-7","source":"jira/acme","type":"task.created",)"
    R"("time":"2026-03-02T09:00:00.250+01:00","subject":"task/T-1043","workspace":"acme",)"
    R"("actor":"rule:kickoff","data":{"title":"Brief for Launch","status":"todo","assignee":"user:bob",)"
    R"("due":"2026-03-05T17:00:00Z","parent":"initiative/IN-7","labels":["launch","q2"],)"
    R"("team":"marketing","estimate_days":3}})";

std::unique_ptr<keel::SchemaRegistry> LoadRegistry() {
  auto registry = keel::SchemaRegistry::LoadEmbedded();
  if (!registry.ok()) std::abort();
  return std::move(registry).value();
}

void ValidateParsed(benchmark::State& state, std::string_view text) {
  auto registry = LoadRegistry();
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element event = parser.parse(padded).value();
  if (!registry->Validate(event).ok()) std::abort();
  for (auto _ : state) {
    keel::Status status = registry->Validate(event);
    benchmark::DoNotOptimize(status);
  }
  state.SetBytesProcessed(state.iterations() * text.size());
}

void BM_ValidateStatusChanged(benchmark::State& state) { ValidateParsed(state, kStatusChanged); }
void BM_ValidateCreated(benchmark::State& state) { ValidateParsed(state, kCreated); }

// For scale: the parse that precedes validation on the ingest path.
void BM_ParseStatusChanged(benchmark::State& state) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(kStatusChanged);
  for (auto _ : state) {
    simdjson::dom::element event = parser.parse(padded).value();
    benchmark::DoNotOptimize(event);
  }
}

// A failure builds its message: slower, and off the hot path.
void BM_ValidateInvalid(benchmark::State& state) {
  auto registry = LoadRegistry();
  simdjson::dom::parser parser;
  std::string text(kStatusChanged);
  text.replace(text.find("\"in_progress\""), 13, "5");
  simdjson::padded_string padded(text);
  simdjson::dom::element event = parser.parse(padded).value();
  for (auto _ : state) {
    keel::Status status = registry->Validate(event);
    benchmark::DoNotOptimize(status);
  }
}

void BM_LoadEmbedded(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(LoadRegistry());
}

BENCHMARK(BM_ValidateStatusChanged);
BENCHMARK(BM_ValidateCreated);
BENCHMARK(BM_ParseStatusChanged);
BENCHMARK(BM_ValidateInvalid);
BENCHMARK(BM_LoadEmbedded)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
