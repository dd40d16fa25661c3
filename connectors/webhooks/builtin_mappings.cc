#include "connectors/webhooks/builtin_mappings.h"

namespace keel::webhooks {

const BuiltinMappingText* FindBuiltinMapping(std::string_view name) {
  for (const BuiltinMappingText& builtin : BuiltinMappingTexts()) {
    if (builtin.name == name) return &builtin;
  }
  return nullptr;
}

std::vector<std::string> BuiltinMappingNames() {
  std::vector<std::string> names;
  for (const BuiltinMappingText& builtin : BuiltinMappingTexts()) names.emplace_back(builtin.name);
  return names;
}

Result<Mapping> LoadBuiltinMapping(std::string_view name, const ExpressionCompiler& compiler,
                                   const SchemaRegistry* types) {
  const BuiltinMappingText* builtin = FindBuiltinMapping(name);
  if (builtin == nullptr) {
    std::string known;
    for (const std::string& n : BuiltinMappingNames()) known += (known.empty() ? "" : ", ") + n;
    return Status::NotFound("no built-in mapping '" + std::string(name) + "' (built in: " +
                            (known.empty() ? "none" : known) + ")");
  }
  return LoadMapping("builtin:" + std::string(name) + ".yaml", builtin->text, compiler, types);
}

}  // namespace keel::webhooks
