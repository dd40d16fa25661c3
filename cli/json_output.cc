#include "cli/json_output.h"

#include <iostream>

#include "engine/event.h"
#include "rules/audit/explain_json.h"

namespace keel::cli {

void PrintJson(const nlohmann::ordered_json& value) {
  std::cout << value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

nlohmann::json StoredEventToJson(const StoredEvent& stored) { return rules::StoredEventToJson(stored); }

}  // namespace keel::cli
