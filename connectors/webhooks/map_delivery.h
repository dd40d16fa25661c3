// MapDelivery: one webhook delivery through a mapping, to the keel events it
// becomes (CloudEvents, each checked against its type's schema), or ignored
// with a reason, or refused with a reason (a dead letter). Deterministic: the
// same delivery maps to the same events, ids included; no wall clock.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/webhooks/mapping.h"

namespace keel::webhooks {

// What a receiver got.
struct Delivery {
  std::string endpoint;  // the endpoint's name: the dedup scope, the ids' first part
  // Names lower-cased by the caller (LowerCaseHeaders).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;  // the raw bytes (JSON)
};

void LowerCaseHeaders(std::vector<std::pair<std::string, std::string>>* headers);

struct MappingOutcome {
  enum class Kind : uint8_t { kEvents, kIgnored, kRefused };
  Kind kind = Kind::kRefused;
  std::vector<nlohmann::ordered_json> events;  // kEvents: CloudEvents in order
  std::string reason;                          // kIgnored, kRefused
  std::string case_name;                       // the case that matched, if any
  std::string delivery_id;
};

struct MapOptions {
  // The workspace fixed by the endpoint (or `keel map --workspace`); empty:
  // the mapping's `workspace`, then `default_workspace`.
  std::string workspace;
  std::string default_workspace;
  // The people file of a workspace, or nullptr (person() gives TOOL:IDENTITY).
  std::function<const PeopleDirectory*(std::string_view workspace)> people;
  // Checks each event against its type's schema when given.
  const SchemaRegistry* schemas = nullptr;
  size_t max_events = 1000;
  size_t max_body_bytes = 16 * 1024 * 1024;
};

// Evaluates `delivery` through `mapping`. `scope` is reused across deliveries
// (one per thread): ExpressionCompiler::NewScope().
MappingOutcome MapDelivery(const Mapping& mapping, const Delivery& delivery, const MapOptions& options,
                           ExpressionScope& scope);

// The event id for KEY of a delivery (SPEC21 "Ids"): ENDPOINT:DELIVERY:KEY, or
// ENDPOINT:sha256:HEX of that when it is over 256 characters or holds a control character.
std::string MappedEventId(std::string_view endpoint, std::string_view delivery_id, std::string_view key);

std::string_view OutcomeKindName(MappingOutcome::Kind kind);  // "events", "ignored", "refused"

}  // namespace keel::webhooks
