// The built-in mappings: every connectors/webhooks/builtin/NAME.yaml, compiled
// into the binary by embed_builtins.cmake, looked up by NAME (the source name
// `keel map --source` and serve.yaml's `source:` give).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/webhooks/mapping.h"

namespace keel::webhooks {

struct BuiltinMappingText {
  std::string_view name;  // the file name without .yaml
  std::string_view text;
};

// Sorted by name. Defined in the generated builtin_mappings_data.cc.
std::span<const BuiltinMappingText> BuiltinMappingTexts();

// The text of built-in `name`, or nullptr.
const BuiltinMappingText* FindBuiltinMapping(std::string_view name);
std::vector<std::string> BuiltinMappingNames();

// Loads built-in `name` (its errors name the file "builtin:NAME.yaml").
// NotFound, listing the built-ins, for a name that is none.
Result<Mapping> LoadBuiltinMapping(std::string_view name, const ExpressionCompiler& compiler,
                                   const SchemaRegistry* types = nullptr);

}  // namespace keel::webhooks
