// Building events in tests without going through the decoder.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "engine/event.h"
#include "engine/log/event_record.h"

namespace keel::testing {

// An envelope with sensible defaults; override members before calling Make.
struct EventSpec {
  std::string id;
  std::string type = "task.status_changed";
  std::string subject = "task/T-1";
  std::string workspace = "acme";
  std::string time = "2026-03-02T09:00:00Z";
  std::string actor = "user:alice";
  nlohmann::json data = nlohmann::json::object();
};

// nlohmann's dump sorts keys (std::map) and writes no whitespace, which is
// keel's canonical form for the strings and integers that tests use.
inline Event MakeEvent(const EventSpec& spec) {
  nlohmann::json j = {{"specversion", "1.0"}, {"id", spec.id},         {"source", "test"},
                      {"type", spec.type},    {"subject", spec.subject}, {"workspace", spec.workspace},
                      {"time", spec.time},    {"actor", spec.actor},     {"data", spec.data}};
  auto event = EventFromCanonical(j.dump());
  if (!event.ok()) throw std::runtime_error(event.status().ToString());
  return std::move(event).value();
}

}  // namespace keel::testing
