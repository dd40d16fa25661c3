// Action mappings (connectors/actions): the loader's errors with their places,
// a request and its answers evaluated, the answer ids, the built-ins against
// their hand-written request tests (tests/connectors/actions/builtin/), and
// schemas/action-mapping.schema.json accepting every built-in.
#include <filesystem>
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <simdjson.h>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>
#include <yaml-cpp/yaml.h>

#include "connectors/actions/action_mapping.h"
#include "connectors/actions/action_run.h"
#include "connectors/actions/action_tests.h"
#include "connectors/actions/builtin_actions.h"
#include "connectors/webhooks/mapping_yaml.h"
#include "engine/log/event_record.h"
#include "engine/schema/schema_registry.h"
#include "rules/expressions.h"
#include "tests/support/file_text.h"

namespace keel::actions {
namespace {

const SchemaRegistry& Schemas() {
  static const SchemaRegistry* schemas = SchemaRegistry::LoadEmbedded().value().release();
  return *schemas;
}

std::string LoadError(const std::string& text) {
  Result<ActionMapping> mapping = LoadActionMapping("a.yaml", text, rules::CelExpressions(), &Schemas());
  return mapping.ok() ? "loaded" : mapping.status().message();
}

TEST(ActionMappingLoader, PlacesEachProblemInTheFile) {
  EXPECT_EQ(LoadError("action: x\ncases: []\nextra: 1\n"),
            "a.yaml:3:1: unknown key 'extra' in action mapping file (known: action, cases, description, let, otherwise)");
  EXPECT_EQ(LoadError("action: x\ncases:\n  - name: a\n"), "a.yaml:3:5: case \"a\": give either request: or ignore: (the reason)");
  EXPECT_EQ(LoadError("action: x\ncases:\n  - name: a\n    request: {method: GETT, url: http://x}\n"),
            "a.yaml:4:23: case \"a\", request.method: \"GETT\" is not GET, POST, PUT, PATCH or DELETE");
  EXPECT_EQ(LoadError("action: x\ncases:\n  - name: a\n    request: {method: GET}\n"),
            "a.yaml:4:14: case \"a\", request: missing key 'url'");
  // A CEL error points at its character.
  EXPECT_EQ(LoadError("action: x\ncases:\n  - name: a\n    if: event.type == \n    ignore: no\n").rfind("a.yaml:4:", 0), 0u);
  EXPECT_EQ(LoadError("action: x\ncases:\n  - name: a\n    if: nope == 1\n    ignore: no\n").rfind("a.yaml:4:9:", 0), 0u);
  // response is only for found, ok and answers.
  EXPECT_NE(LoadError("action: x\ncases:\n  - name: a\n    request: {method: GET, url: '{{ response.status }}'}\n")
                .find("response"),
            std::string::npos);
  EXPECT_EQ(LoadError("action: x\ncases:\n  - name: a\n    request: {method: GET, url: http://x}\n"
                      "    answer: [{type: task.linkd, subject: s}]\n"),
            "a.yaml:5:21: case \"a\", answer 1, type: unknown event type \"task.linkd\" (schemas/events/ has one schema per type)");
  EXPECT_EQ(LoadError("action: x\ncases:\n  - name: a\n    ignore: no\n  - name: a\n    ignore: no\n"),
            "a.yaml:5:11: a second case named \"a\" (case names are unique)");
}

TEST(ActionMappingLoader, TellsActionFilesFromWebhookFiles) {
  EXPECT_TRUE(LooksLikeActionMapping("# a comment\naction: jira\ncases: []\n"));
  EXPECT_FALSE(LooksLikeActionMapping("mapping: jira\nsource: s\ncases: []\n"));
  EXPECT_TRUE(IsActionTestText("action: jira\ntests: []\n"));
  EXPECT_FALSE(IsActionTestText("source: jira\ntests: []\n"));
}

StoredEvent EventOf(const std::string& canonical) {
  StoredEvent stored;
  stored.seq = 9;
  stored.event = EventFromCanonical(canonical).value();
  return stored;
}

TEST(ActionRun, BuildsTheRequestAndTheAnswers) {
  const std::string text = R"(action: tool
let:
  title: event.data.title
cases:
  - name: create
    if: event.type == "task.created"
    request:
      method: POST
      url: "{{ vars.base }}/items?who={{ identity('jira', 'user:dana') }}"
      headers: {Content-Type: application/json, X-Skip: "{{ null }}"}
      body:
        name: "{{ title }}"
        n: 3
        tags?: "{{ null }}"
        raw: "{{ entity.links[0].target }}"
    answer:
      - type: task.linked
        subject: "{{ event.subject }}"
        data: {relation: external, target: "tool:{{ response.body.key }}"}
      - if: response.status == 500
        type: task.linked
        subject: "{{ event.subject }}"
  - name: text body
    request: {method: PUT, url: "http://h/x", body: "plain {{ event.type }}"}
)";
  Result<ActionMapping> mapping = LoadActionMapping("a.yaml", text, rules::CelExpressions(), &Schemas());
  ASSERT_TRUE(mapping.ok()) << mapping.status().message();
  StoredEvent event = EventOf(
      R"({"specversion":"1.0","id":"e-1","source":"s","type":"task.created","subject":"task/T-1","time":"2026-03-02T09:00:00Z","workspace":"acme","actor":"user:dana","data":{"title":"Hello"}})");
  std::map<std::string, std::string> vars = {{"base", "https://tool.example"}};
  ActionInput input;
  input.event = &event;
  input.sink = "tool-1";
  input.vars = &vars;
  input.entity = nlohmann::json::parse(R"({"links":[{"relation":"blocks","target":"task/T-2"}]})");
  input.schemas = &Schemas();
  std::unique_ptr<ExpressionScope> scope = rules::CelExpressions().NewScope();
  Result<PreparedAction> prepared = PrepareAction(*mapping, input, *scope);
  ASSERT_TRUE(prepared.ok()) << prepared.status().message();
  EXPECT_FALSE(prepared->ignored);
  EXPECT_EQ(prepared->case_name, "create");
  EXPECT_EQ(prepared->request.method, "POST");
  EXPECT_EQ(prepared->request.url, "https://tool.example/items?who=null");  // no people file: identity() is null
  ASSERT_EQ(prepared->request.headers.size(), 1u);
  EXPECT_EQ(prepared->request.headers[0].first, "Content-Type");
  EXPECT_EQ(nlohmann::json::parse(prepared->request.body),
            nlohmann::json::parse(R"({"name":"Hello","n":3,"raw":"task/T-2"})"));

  ActionResponse response{201, {{"content-type", "application/json"}}, R"({"key":"K-1"})"};
  Result<std::vector<nlohmann::json>> answers = AnswerEvents(*mapping, *prepared, input, response, false, *scope);
  ASSERT_TRUE(answers.ok()) << answers.status().message();
  ASSERT_EQ(answers->size(), 1u);
  EXPECT_EQ((*answers)[0], nlohmann::json::parse(R"({"specversion":"1.0","id":")" + AnswerEventId("e-1", "tool-1", 0) +
                                                 R"(","source":"keel/sink/tool-1","type":"task.linked","subject":"task/T-1",
      "time":"2026-03-02T09:00:00Z","workspace":"acme","actor":"system:sink/tool-1",
      "data":{"relation":"external","target":"tool:K-1"}})"));

  // A second event takes the next case: one template alone is the body's text.
  StoredEvent other = EventOf(
      R"({"specversion":"1.0","id":"e-2","source":"s","type":"task.updated","subject":"task/T-1","time":"2026-03-02T09:00:00Z","workspace":"acme","actor":"user:dana","data":{"changes":{}}})");
  input.event = &other;
  prepared = PrepareAction(*mapping, input, *scope);
  ASSERT_TRUE(prepared.ok()) << prepared.status().message();
  EXPECT_EQ(prepared->request.body, "plain task.updated");
}

TEST(ActionRun, ErrorsNameTheCaseAndTheField) {
  const std::string text =
      "action: t\ncases:\n  - name: c\n    request: {method: GET, url: '{{ vars.base }}/x'}\n";
  Result<ActionMapping> mapping = LoadActionMapping("a.yaml", text, rules::CelExpressions(), &Schemas());
  ASSERT_TRUE(mapping.ok()) << mapping.status().message();
  StoredEvent event = EventOf(
      R"({"specversion":"1.0","id":"e-1","source":"s","type":"task.created","subject":"task/T-1","time":"2026-03-02T09:00:00Z","workspace":"acme","actor":"user:dana","data":{"title":"Hello"}})");
  ActionInput input;
  input.event = &event;
  input.sink = "t";
  std::unique_ptr<ExpressionScope> scope = rules::CelExpressions().NewScope();
  Result<PreparedAction> prepared = PrepareAction(*mapping, input, *scope);
  ASSERT_FALSE(prepared.ok());
  EXPECT_EQ(prepared.status().message().rfind("case \"c\", request.url: ", 0), 0u) << prepared.status().message();
  std::map<std::string, std::string> vars = {{"base", "ftp://h"}};
  input.vars = &vars;
  prepared = PrepareAction(*mapping, input, *scope);
  ASSERT_FALSE(prepared.ok());
  EXPECT_EQ(prepared.status().message(), "case \"c\", request.url: 'ftp://h/x' is not an http:// or https:// URL");
}

TEST(ActionRun, AnswerIdsDependOnTheEventTheSinkAndThePosition) {
  std::string id = AnswerEventId("e-1", "jira", 0);
  // SHA-256 of "sink.answer\0e-1\0jira\00", worked out with Python's hashlib.
  EXPECT_EQ(id, "a-e1aa4f422b3371d29b8f5bc1b89a0951");
  EXPECT_EQ(id.rfind("a-", 0), 0u);
  EXPECT_EQ(id, AnswerEventId("e-1", "jira", 0));
  EXPECT_NE(id, AnswerEventId("e-1", "jira", 1));
  EXPECT_NE(id, AnswerEventId("e-1", "jira2", 0));
  EXPECT_NE(id, AnswerEventId("e-2", "jira", 0));
}

// Every built-in passes its request tests, written by hand from the tool's API documentation.
TEST(BuiltinActions, PassTheirRequestTests) {
  std::vector<std::string> names = BuiltinActionNames();
  EXPECT_EQ(names, (std::vector<std::string>{"clickup", "github", "gitlab", "jira", "linear"}));
  for (const std::string& name : names) {
    std::filesystem::path file = std::filesystem::path("tests/connectors/actions/builtin") / (name + ".yaml");
    ASSERT_TRUE(std::filesystem::exists(file)) << file;
    Result<std::vector<webhooks::MappingTestResult>> results = RunActionTestFile(file, rules::CelExpressions(), &Schemas());
    ASSERT_TRUE(results.ok()) << results.status().message();
    EXPECT_GE(results->size(), 5u) << name;
    for (const webhooks::MappingTestResult& result : *results) {
      std::string failures;
      for (const std::string& f : result.failures) failures += "\n  " + f;
      EXPECT_TRUE(result.passed) << name << ": " << result.name << failures;
    }
  }
}

// task.linked takes the answer of an action: relation external, target TOOL:KEY, and the remote id.
TEST(ExternalLinks, TaskLinkedTakesAToolsItemOnlyWithRelationExternal) {
  auto valid = [](const std::string& data) {
    std::string text = R"({"specversion":"1.0","id":"a-1","source":"keel/sink/jira","type":"task.linked",)"
                       R"("subject":"task/T-7","time":"2026-03-02T09:00:00Z","workspace":"acme",)"
                       R"("actor":"system:sink/jira","data":)" + data + "}";
    simdjson::dom::parser parser;
    simdjson::dom::element element;
    EXPECT_EQ(parser.parse(text).get(element), simdjson::SUCCESS);
    return Schemas().Validate(element).ok();
  };
  EXPECT_TRUE(valid(R"({"relation":"external","target":"jira:ACME-123","remote_id":"10001"})"));
  EXPECT_TRUE(valid(R"({"relation":"external","target":"github:acme/web#1347"})"));
  EXPECT_TRUE(valid(R"({"relation":"blocks","target":"task/T-9"})"));
  EXPECT_FALSE(valid(R"({"relation":"blocks","target":"jira:ACME-123"})"));          // not an entity
  EXPECT_FALSE(valid(R"({"relation":"external","target":"task/T-9"})"));             // not a tool's item
  EXPECT_FALSE(valid(R"({"relation":"blocks","target":"task/T-9","remote_id":"1"})"));  // remote_id only for external
  EXPECT_FALSE(valid(R"({"relation":"external","target":"jira:ACME-123","remote_id":""})"));
  EXPECT_FALSE(valid(R"({"relation":"external","target":"jira:ACME-123","other":1})"));
}

nlohmann::json ToJson(const YAML::Node& node) {
  if (node.IsSequence()) {
    nlohmann::json list = nlohmann::json::array();
    for (const YAML::Node& item : node) list.push_back(ToJson(item));
    return list;
  }
  if (node.IsMap()) {
    nlohmann::json map = nlohmann::json::object();
    for (auto it = node.begin(); it != node.end(); ++it) map[it->first.Scalar()] = ToJson(it->second);
    return map;
  }
  return webhooks::ScalarJson(node);
}

TEST(ActionMappingSchema, AcceptsEveryBuiltinAndRefusesBadShapes) {
  nlohmann::json document = nlohmann::json::parse(
      keel::testing::ReadFileText(std::filesystem::path(KEEL_SOURCE_DIR) / "schemas/action-mapping.schema.json"));
  valijson::Schema schema;
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  valijson::adapters::NlohmannJsonAdapter schema_adapter(document);
  parser.populateSchema(schema_adapter, schema);
  std::string why;
  auto accepts = [&schema, &why](std::string_view yaml) {
    nlohmann::json value = ToJson(YAML::Load(std::string(yaml)));
    valijson::Validator validator;
    valijson::adapters::NlohmannJsonAdapter adapter(value);
    valijson::ValidationResults results;
    bool ok = validator.validate(schema, adapter, &results);
    why.clear();
    valijson::ValidationResults::Error error;
    while (results.popError(error)) {
      for (const std::string& step : error.context) why += step;
      why += ": " + error.description + "\n";
    }
    return ok;
  };
  for (const BuiltinMappingText& builtin : BuiltinMappingTexts()) {
    EXPECT_TRUE(accepts(builtin.text)) << builtin.name << "\n" << why;
    EXPECT_TRUE(LoadActionMapping(std::string(builtin.name), builtin.text, rules::CelExpressions(), &Schemas()).ok());
  }
  EXPECT_FALSE(accepts("action: x\ncases: []\nextra: 1\n"));
  EXPECT_FALSE(accepts("action: x\ncases: [{name: a}]\n"));
  EXPECT_FALSE(accepts("action: x\ncases: [{name: a, ignore: r, answer: []}]\n"));
  EXPECT_FALSE(accepts("action: x\ncases: [{name: a, request: {method: GET}}]\n"));
  EXPECT_TRUE(accepts("action: x\ncases: [{name: a, request: {method: GET, url: 'http://h'}}]\n"));
}

}  // namespace
}  // namespace keel::actions
