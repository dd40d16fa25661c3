#include "cli/json_output.h"

#include <iostream>

#include "engine/event.h"

namespace keel::cli {

void PrintJson(const nlohmann::ordered_json& value) {
  std::cout << value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

nlohmann::json StoredEventToJson(const StoredEvent& stored) {
  nlohmann::json json = nlohmann::json::parse(stored.event.canonical);
  json["seq"] = stored.seq;
  json["hash"] = HashToHex(stored.hash);
  return json;
}

}  // namespace keel::cli
