// Rule and template files checked against schemas/rule.schema.json and
// schemas/template.schema.json with valijson: the schemas editors use are the
// ones the loader enforces.
#include <memory>
#include <set>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "engine/schema/embedded_schemas.h"
#include "rules/load/rule_loader.h"
#include "rules/load/yaml_values.h"

namespace keel::rules {

namespace {

std::unique_ptr<valijson::Schema> CompileEmbedded(std::string_view path) {
  for (const EmbeddedFile& file : EmbeddedSchemaFiles()) {
    if (file.path != path) continue;
    try {
      nlohmann::json document = nlohmann::json::parse(file.content);
      auto schema = std::make_unique<valijson::Schema>();
      valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
      valijson::adapters::NlohmannJsonAdapter adapter(document);
      parser.populateSchema(adapter, *schema);
      return schema;
    } catch (const std::exception&) {
      return nullptr;  // a broken schema file fails the schema tests, not every load
    }
  }
  return nullptr;
}

const valijson::Schema* SchemaFor(bool is_template) {
  static const std::unique_ptr<valijson::Schema> rule = CompileEmbedded("rule.schema.json");
  static const std::unique_ptr<valijson::Schema> task_template = CompileEmbedded("template.schema.json");
  return is_template ? task_template.get() : rule.get();
}

// Where valijson's context ("<root>", "[then]", "[0]", ...) leads in the YAML
// document, as far as it goes: the value's place, the place of the key that
// holds it (the value's for list items), and the path as text.
struct Located {
  Position value;
  Position key;
  std::string path;
};

Located Locate(const YAML::Node& root, const std::vector<std::string>& context) {
  YAML::Node node;
  node.reset(root);  // reset rebinds; operator= would overwrite the document
  Located at{NodePosition(root), NodePosition(root), ""};
  for (size_t i = 1; i < context.size(); ++i) {
    std::string part = context[i];
    if (part.size() >= 2 && part.front() == '[' && part.back() == ']') part = part.substr(1, part.size() - 2);
    if (node.IsSequence()) {
      size_t index = std::strtoul(part.c_str(), nullptr, 10);
      if (index >= node.size()) break;
      at.path += "[" + part + "]";
      node.reset(node[index]);
      at.value = at.key = NodePosition(node);
      continue;
    }
    if (!node.IsMap()) break;
    bool found = false;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == part) {
        at.path += (at.path.empty() ? "" : ".") + part;
        at.value = ValuePosition(it->first, it->second);
        at.key = NodePosition(it->first);
        node.reset(it->second);
        found = true;
        break;
      }
    }
    if (!found) break;
  }
  return at;
}

}  // namespace

void CheckAgainstSchema(LoadContext& context, const YAML::Node& root, bool is_template) {
  const valijson::Schema* schema = SchemaFor(is_template);
  if (!schema) return;
  nlohmann::json document = NodeToJson(root);
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(document);
  if (validator.validate(*schema, adapter, &results)) return;
  // The deepest failures say the most; the ones above them only repeat that
  // a child failed.
  size_t depth = 0;
  std::vector<valijson::ValidationResults::Error> errors(results.begin(), results.end());
  for (const auto& error : errors) depth = std::max(depth, error.context.size());
  std::set<std::string> seen;
  const char* file = is_template ? "schemas/template.schema.json" : "schemas/rule.schema.json";
  for (const auto& error : errors) {
    if (error.context.size() != depth) continue;
    Located at = Locate(root, error.context);
    Position position = at.value;
    // An unexpected property is best shown at its own key.
    std::string_view unexpected = "'additionalProperties' constraints: '";
    if (size_t found = error.description.find(unexpected); found != std::string::npos) {
      std::string key = error.description.substr(found + unexpected.size());
      key = key.substr(0, key.rfind('\''));
      std::vector<std::string> path = error.context;
      path.push_back("[" + key + "]");
      Located member = Locate(root, path);
      if (member.path != at.path) position = member.key;
    }
    std::string message = std::string("does not match ") + file + (at.path.empty() ? "" : " at " + at.path) + ": " +
                          error.description;
    if (seen.insert(message).second) context.Error(position, message);
  }
}

}  // namespace keel::rules
