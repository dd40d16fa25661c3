// The built-in action mappings: every connectors/actions/builtin/NAME.yaml,
// compiled into the binary (connectors/webhooks/embed_builtins.cmake), looked
// up by NAME (serve.yaml's `action:` of an http sink).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/actions/action_mapping.h"

namespace keel::actions {

struct BuiltinMappingText {
  std::string_view name;  // the file name without .yaml
  std::string_view text;
};

// Sorted by name. Defined in the generated builtin_actions_data.cc.
std::span<const BuiltinMappingText> BuiltinMappingTexts();

std::vector<std::string> BuiltinActionNames();

// Loads built-in `name` (its errors name the file "builtin:NAME.yaml").
// NotFound, listing the built-ins, for a name that is none.
Result<ActionMapping> LoadBuiltinAction(std::string_view name, const ExpressionCompiler& compiler,
                                        const SchemaRegistry* types = nullptr);

}  // namespace keel::actions
