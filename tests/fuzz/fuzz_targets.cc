#include "tests/fuzz/fuzz_targets.h"

#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "connectors/kafka/kafka_cloudevent.h"
#include "engine/schema/event_decoder.h"
#include "engine/schema/schema_registry.h"
#include "rules/cel/cel.h"
#include "rules/cel/time_values.h"
#include "rules/ruleset.h"

namespace keel::fuzz {
namespace {

std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Loaded once: loading is not what is being fuzzed, and a fresh registry per
// input would make each run a thousand times slower.
const SchemaRegistry& Schemas() {
  static const SchemaRegistry* schemas = [] {
    auto loaded = SchemaRegistry::LoadEmbedded();
    if (!loaded.ok()) std::abort();
    return std::move(loaded).value().release();
  }();
  return *schemas;
}

// A property of the decoder broke: abort so the fuzzer keeps the input.
void Require(bool holds) {
  if (!holds) std::abort();
}

void DecodeAndRoundTrip(std::string_view bytes) {
  keel::EventDecoder decoder(&Schemas());
  Result<Event> event = decoder.DecodeInput(bytes);
  if (!event.ok()) return;
  // Canonical form is a fixed point: what was accepted decodes again to the
  // very same bytes, which is what the hash chain relies on.
  Result<Event> again = decoder.DecodeInput(event->canonical);
  Require(again.ok());
  Require(again->canonical == event->canonical);
}

const char kSampleEvent[] = R"({
  "id": "e-1", "type": "task.status_changed", "workspace": "acme", "subject": "task/T-1",
  "time": "2026-03-02T09:00:00Z", "actor": "user:ann",
  "data": {"from": "todo", "to": "in_progress", "labels": ["a", "b"], "points": 3, "ratio": 0.5}
})";

const char kSampleEntity[] = R"({
  "id": "T-1", "kind": "task", "workspace": "acme", "title": "Write", "status": "todo",
  "due": "2026-03-09T09:00:00Z", "labels": ["x"], "version": 2, "links": [{"relation": "supports", "target": "key_result/KR-1"}]
})";

const char kFixedTemplate[] = R"(name: fixed
tasks:
  - key: one
    title: "One for {{ entity.title }}"
)";

const char kFixedRule[] = R"(id: uses-fuzzed-template
on: initiative.status_changed
if: event.data.to == "in_progress"
then:
  - apply_template: fuzzed
)";

void LoadQuietly(rules::RuleSetSources sources) {
  std::vector<rules::Diagnostic> diagnostics;
  (void)rules::RuleSet::LoadFromSources(std::move(sources), {}, &diagnostics);
}

}  // namespace

int EventDecoder(const uint8_t* data, size_t size) {
  std::string_view bytes = AsText(data, size);
  DecodeAndRoundTrip(bytes);
  keel::EventDecoder decoder(&Schemas());
  (void)decoder.DecodeDerived(bytes);
  return 0;
}

int CelExpression(const uint8_t* data, size_t size) {
  std::string_view expression = AsText(data, size);
  // 2026-03-02T09:00:00Z, the sample event's time, as the reactor binds it.
  static const cel::Value now = cel::MakeTimestampValue(1772442000, 0);
  static const cel::Value event = cel::FromJsonText(kSampleEvent, "time", &now).value();
  static const cel::Value entity = cel::FromJsonText(kSampleEntity).value();
  cel::Diagnostic diagnostic;
  Result<cel::Program> program = cel::Compile(expression, {}, &diagnostic);
  if (program.ok()) {
    cel::Activation activation;
    activation.Bind("event", event);
    activation.Bind("entity", entity);
    activation.Bind("before", cel::Value());
    activation.Bind("parent", cel::Value());
    activation.Bind("workspace", cel::Value::String("acme"));
    activation.SetNow(now);
    (void)program->Evaluate(activation);
  } else {
    (void)cel::FormatDiagnostic("fuzz.yaml", {}, expression, diagnostic);
  }
  cel::CompileOptions unchecked;
  unchecked.type_check = false;
  (void)cel::Compile(expression, unchecked);
  return 0;
}

int RuleFile(const uint8_t* data, size_t size) {
  LoadQuietly({{"rules/fuzzed.yaml", std::string(AsText(data, size))}, {"templates/fixed.yaml", kFixedTemplate}});
  return 0;
}

int TemplateFile(const uint8_t* data, size_t size) {
  LoadQuietly({{"rules/fixed.yaml", kFixedRule}, {"templates/fuzzed.yaml", std::string(AsText(data, size))}});
  return 0;
}

int KafkaBinary(const uint8_t* data, size_t size) {
  std::string_view message = AsText(data, size);
  size_t blank = message.find("\n\n");
  std::string_view head = message.substr(0, blank);
  std::string_view value = blank == std::string_view::npos ? std::string_view() : message.substr(blank + 2);
  KafkaHeaders headers;
  while (!head.empty()) {
    size_t end = head.find('\n');
    std::string_view line = head.substr(0, end);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view header_value = line.substr(colon + 1);
      if (!header_value.empty() && header_value[0] == ' ') header_value.remove_prefix(1);
      headers.emplace_back(std::string(line.substr(0, colon)), std::string(header_value));
    }
    if (end == std::string_view::npos) break;
    head.remove_prefix(end + 1);
  }
  if (!IsBinaryCloudEvent(headers)) return 0;
  Result<std::string> structured = StructuredFromBinary(headers, value, "acme");
  if (structured.ok()) DecodeAndRoundTrip(*structured);
  return 0;
}

std::span<const NamedTarget> AllTargets() {
  static const NamedTarget kTargets[] = {
      {"event_decoder", EventDecoder}, {"cel_expression", CelExpression}, {"rule_file", RuleFile},
      {"template_file", TemplateFile}, {"kafka_binary", KafkaBinary}};
  return kTargets;
}

}  // namespace keel::fuzz
