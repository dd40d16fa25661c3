#include "connectors/actions/builtin_actions.h"

namespace keel::actions {

std::vector<std::string> BuiltinActionNames() {
  std::vector<std::string> names;
  for (const BuiltinMappingText& builtin : BuiltinMappingTexts()) names.emplace_back(builtin.name);
  return names;
}

Result<ActionMapping> LoadBuiltinAction(std::string_view name, const ExpressionCompiler& compiler,
                                        const SchemaRegistry* types) {
  for (const BuiltinMappingText& builtin : BuiltinMappingTexts()) {
    if (builtin.name == name) return LoadActionMapping("builtin:" + std::string(name) + ".yaml", builtin.text, compiler, types);
  }
  std::string known;
  for (const std::string& n : BuiltinActionNames()) known += (known.empty() ? "" : ", ") + n;
  return Status::NotFound("no built-in action mapping '" + std::string(name) + "' (built in: " +
                          (known.empty() ? "none" : known) + ")");
}

}  // namespace keel::actions
