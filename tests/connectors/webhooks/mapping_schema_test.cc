// schemas/mapping.schema.json, people.schema.json and mapping-test.schema.json
// (editor completion) accept the files the loaders accept: every built-in
// mapping, the README's examples, and refuse what the loaders refuse for its shape.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>
#include <yaml-cpp/yaml.h>

#include "connectors/webhooks/builtin_mappings.h"
#include "connectors/webhooks/mapping_yaml.h"
#include "engine/schema/schema_registry.h"
#include "rules/expressions.h"

namespace keel::webhooks {
namespace {

using nlohmann::json;

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

json ToJson(const YAML::Node& node) {
  if (node.IsSequence()) {
    json list = json::array();
    for (const YAML::Node& item : node) list.push_back(ToJson(item));
    return list;
  }
  if (node.IsMap()) {
    json map = json::object();
    for (auto it = node.begin(); it != node.end(); ++it) map[it->first.Scalar()] = ToJson(it->second);
    return map;
  }
  return ScalarJson(node);
}

class SchemaFile {
 public:
  explicit SchemaFile(const std::string& name)
      : document_(json::parse(ReadText(std::filesystem::path(KEEL_SOURCE_DIR) / "schemas" / name))) {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(document_);
    parser.populateSchema(adapter, schema_);
  }
  bool Accepts(const std::string& yaml) const {
    json value = ToJson(YAML::Load(yaml));
    valijson::Validator validator;
    valijson::adapters::NlohmannJsonAdapter adapter(value);
    return validator.validate(schema_, adapter, nullptr);
  }
  const json& document() const { return document_; }

 private:
  json document_;
  valijson::Schema schema_;
};

// The ```yaml blocks of connectors/webhooks/README.md, in order.
std::vector<std::string> ReadmeYamlBlocks() {
  std::istringstream in(ReadText(std::filesystem::path(KEEL_SOURCE_DIR) / "connectors/webhooks/README.md"));
  std::vector<std::string> blocks;
  std::string line, block;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line == "```yaml") {
      inside = true;
      block.clear();
    } else if (inside && line == "```") {
      inside = false;
      blocks.push_back(block);
    } else if (inside) {
      block += line + "\n";
    }
  }
  return blocks;
}

TEST(MappingSchema, SchemasAreDraft07WithDescriptions) {
  for (const char* name : {"mapping.schema.json", "people.schema.json", "mapping-test.schema.json"}) {
    SchemaFile schema(name);
    EXPECT_EQ(schema.document()["$schema"], "http://json-schema.org/draft-07/schema#") << name;
    EXPECT_TRUE(schema.document().contains("description")) << name;
  }
}

TEST(MappingSchema, AcceptsEveryBuiltinAndTheReadmesExamples) {
  SchemaFile mapping("mapping.schema.json");
  for (const BuiltinMappingText& builtin : BuiltinMappingTexts()) {
    EXPECT_TRUE(mapping.Accepts(std::string(builtin.text))) << builtin.name;
  }
  std::vector<std::string> blocks = ReadmeYamlBlocks();
  ASSERT_EQ(blocks.size(), 3u);  // the mapping, the people file, a test file
  EXPECT_TRUE(mapping.Accepts(blocks[0]));
  EXPECT_TRUE(SchemaFile("people.schema.json").Accepts(blocks[1]));
  EXPECT_TRUE(SchemaFile("mapping-test.schema.json").Accepts(blocks[2]));
  // And the loader takes the README's mapping as it is.
  std::unique_ptr<SchemaRegistry> types = SchemaRegistry::LoadEmbedded().value();
  Result<Mapping> loaded = LoadMapping("README.md", blocks[0], rules::CelExpressions(), types.get());
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
}

TEST(MappingSchema, RefusesWhatTheLoaderRefusesForItsShape) {
  SchemaFile mapping("mapping.schema.json");
  const std::string head = "mapping: m\nsource: s\n";
  EXPECT_TRUE(mapping.Accepts(head + "cases:\n  - name: a\n    ignore: x\n"));
  EXPECT_FALSE(mapping.Accepts(head + "sauce: x\ncases: []\n"));
  EXPECT_FALSE(mapping.Accepts("mapping: m\ncases: []\n"));
  EXPECT_FALSE(mapping.Accepts(head + "cases:\n  - name: a\n"));
  EXPECT_FALSE(mapping.Accepts(head + "cases:\n  - name: a\n    ignore: x\n    events: []\n"));
  EXPECT_FALSE(mapping.Accepts(head + "cases:\n  - name: a\n    events:\n      - {type: task.created, subject: task/x}\n"));
  EXPECT_FALSE(mapping.Accepts(head + "let:\n  body: x\ncases: []\n"));
  EXPECT_FALSE(mapping.Accepts(head + "signature: {scheme: md5, header: X}\ncases: []\n"));
  SchemaFile people("people.schema.json");
  EXPECT_TRUE(people.Accepts("people:\n  - {id: dana, jira: [a, b], clickup: 183}\n"));
  EXPECT_FALSE(people.Accepts("people:\n  - {id: dana, slack: x}\n"));
  EXPECT_FALSE(people.Accepts("people:\n  - {name: Dana}\n"));
}

}  // namespace
}  // namespace keel::webhooks
