// Action mapping tests (`keel mappings test` on a file with `action:` or
// `action_mapping:`): an event (with the sink's vars, the entity's state and
// the tool's response) and the request expected, field by field, and the
// answer events expected. Format: connectors/actions/README.md "Testing
// action mappings".
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/webhooks/mapping_tests.h"
#include "engine/expression.h"
#include "engine/status.h"

namespace keel {
class SchemaRegistry;
}

namespace keel::actions {

// True when the YAML text of a test file is an action mapping test (a
// top-level `action:` or `action_mapping:` key) rather than a webhook one.
bool IsActionTestText(std::string_view text);
bool IsActionTestFile(const std::filesystem::path& path);

// Runs one test file. An error for a file that cannot be used (unreadable,
// bad keys, a mapping that does not load); failed tests are results (`events`
// counts the answer events).
Result<std::vector<webhooks::MappingTestResult>> RunActionTestFile(const std::filesystem::path& file,
                                                                   const ExpressionCompiler& compiler,
                                                                   const SchemaRegistry* schemas);

}  // namespace keel::actions
