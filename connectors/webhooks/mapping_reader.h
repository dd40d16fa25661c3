// MappingReader: the pieces every mapping file of connectors/ is read with
// (webhook mappings here, action mappings in connectors/actions): keys
// checked against the known ones, text values, CEL and templates compiled with
// their errors placed at the character in the file, data trees of templates,
// and `let`. Every error is InvalidArgument "file:line:col: message".
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "connectors/webhooks/mapping.h"
#include "engine/expression.h"
#include "engine/status.h"

namespace keel::webhooks {

using KeySet = std::set<std::string, std::less<>>;

class MappingReader {
 public:
  // `text` must outlive the reader (CEL errors are placed in it).
  MappingReader(std::string_view file, std::string_view text, const ExpressionCompiler& compiler)
      : file_(file), text_(text), compiler_(compiler) {}

  const std::string& file() const { return file_; }
  const ExpressionCompiler& compiler() const { return compiler_; }

  Status Fail(FilePlace place, std::string_view message) const;
  // Refuses a key not in `known`, listing them.
  Status CheckKeys(const YAML::Node& map, const KeySet& known, std::string_view what) const;
  Result<std::string> Text(const YAML::Node& node, std::string_view key) const;
  Result<std::string> RequiredText(const YAML::Node& map, std::string_view key) const;
  // Compiles a scalar; a CEL error is placed at its character in the file.
  Result<CompiledExpression> Compile(const YAML::Node& node, ExpressionForm form, const std::vector<std::string>& vars,
                                     std::string_view key) const;
  // A tree of templates (mappings, lists, scalars); `name?:` members optional.
  Result<DataNode> ReadData(const YAML::Node& node, const std::vector<std::string>& vars, const std::string& where) const;
  // `let:` (a mapping of name: CEL, in order): each compiled over `*vars`,
  // which then gains its name. `reserved` are names a let may not take.
  Status ReadLets(const YAML::Node& lets, const std::vector<std::string>& reserved, std::vector<std::string>* vars,
                  std::vector<Let>* out) const;

 private:
  std::string file_;
  std::string_view text_;
  const ExpressionCompiler& compiler_;
};

bool IsIdentifier(std::string_view s);

}  // namespace keel::webhooks
