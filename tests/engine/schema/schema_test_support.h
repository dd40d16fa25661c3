// Shared by the schema tests: the valid example events and a way to run the
// compiled validator on nlohmann::json values.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "engine/schema/schema_registry.h"

namespace keel::testing {

inline std::string SchemaDir() { return std::string(KEEL_SOURCE_DIR) + "/schemas"; }

// One valid event per built-in type, from schema_testdata/valid_events.ndjson.
inline std::vector<nlohmann::json> ValidExampleEvents() {
  std::ifstream in(std::string(KEEL_SOURCE_DIR) + "/tests/engine/schema/schema_testdata/valid_events.ndjson");
  std::vector<nlohmann::json> events;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) events.push_back(nlohmann::json::parse(line));
  }
  return events;
}

inline nlohmann::json ExampleOfType(const std::string& type) {
  for (nlohmann::json& event : ValidExampleEvents()) {
    if (event["type"] == type) return event;
  }
  return nullptr;
}

// Validates the JSON text `text` (parsed with simdjson, as the engine does).
inline Status ValidateText(const SchemaRegistry& registry, const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text).get(root)) return Status::InvalidArgument("test: unparsable JSON");
  return registry.Validate(root);
}

inline Status ValidateJson(const SchemaRegistry& registry, const nlohmann::json& event) {
  return ValidateText(registry, event.dump());
}

}  // namespace keel::testing
